/**
 * Bundles Slipway's command line into CommonJS chunks under dist/cli/: the entry (the command line
 * itself) and one chunk per command's implementation, loaded only when that command runs. A
 * command then starts without resolving and loading dozens of source modules. It also builds the
 * web page that `slipway serve` serves into dist/web/ (Vite, web/vite.config.ts). `npm ci` and
 * `npm pack` run this (`prepare`, `prepack`), and so does the test suite before it starts
 * (test/bundle-setup.ts); after editing the sources, run `npm run bundle` again, or remove dist/
 * to run the sources.
 *
 * node scripts/bundle.ts [--out dist/cli] [--web-out dist/web]
 */
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { parseArgs } from 'node:util';

const root = resolve(import.meta.dirname, '..');
const { values } = parseArgs({
  options: { out: { type: 'string', default: join(root, 'dist', 'cli') }, 'web-out': { type: 'string', default: join(root, 'dist', 'web') } },
});
const out = resolve(values.out);

let rolldown: typeof import('rolldown');
try {
  rolldown = await import('rolldown');
} catch {
  // Installed without dev dependencies: the command runs from the sources, a little slower to start.
  process.stderr.write('slipway bundle: rolldown is not installed; `slipway` will run from the TypeScript sources\n');
  process.exit(0);
}

const started = performance.now();
await rm(out, { recursive: true, force: true });
const result = await rolldown.build({
  input: { slipway: join(root, 'src', 'cli', 'main.ts') },
  platform: 'node',
  // Dependencies stay in node_modules (pino and others find their own files there).
  external: (id) => id.startsWith('node:') || !(id.startsWith('.') || id.startsWith('/') || id.startsWith('\0')),
  plugins: [
    {
      name: 'slipway-import-meta',
      // A module's import.meta names its place in src/, not the chunk it ends up in: templates,
      // schemas and createRequire() resolve exactly as they do from the sources.
      transform(code, id) {
        if (!id.startsWith(join(root, 'src')) || !code.includes('import.meta')) return null;
        const path = relative(out, id);
        const file = JSON.stringify(path.split(sep).join('/'));
        // Imported under names of their own: some modules declare a `require` or a `join` of theirs.
        const imports = "import { pathToFileURL as __chunkFileUrl } from 'node:url';\nimport { join as __chunkJoin } from 'node:path';\n";
        const replaced = code
          .replaceAll('import.meta.url', `new URL(${file}, __chunkFileUrl(__filename)).href`)
          .replaceAll('import.meta.dirname', `__chunkJoin(__dirname, ${JSON.stringify(dirname(path))})`)
          .replaceAll('import.meta.filename', `__chunkJoin(__dirname, ${JSON.stringify(path)})`);
        if (replaced.includes('import.meta')) this.error(`${relative(root, id)} uses import.meta in a way the bundle cannot keep`);
        return { code: imports + replaced, map: null };
      },
    },
  ],
  output: { dir: out, format: 'cjs', entryFileNames: '[name].cjs', chunkFileNames: '[name]-[hash].cjs' },
  logLevel: 'warn',
});

const chunks = result.output.filter((item) => item.type === 'chunk').length;
process.stderr.write(`slipway bundle: ${relative(root, out)}/ (${chunks} chunks) in ${Math.round(performance.now() - started)} ms\n`);

await buildWebPage(resolve(values['web-out']));

/** The page: index.html and assets with hashes in their names, which the server caches for a year. */
async function buildWebPage(webOut: string): Promise<void> {
  let vite: typeof import('vite');
  try {
    vite = await import('vite');
  } catch {
    process.stderr.write('slipway bundle: vite is not installed; `slipway serve` will say the page is not built\n');
    return;
  }
  const configFile = join(root, 'web', 'vite.config.ts');
  if (!existsSync(configFile)) {
    // A copy with the command's sources only: the command works, the server says the page is not built.
    process.stderr.write('slipway bundle: no web/ sources here; the web page is not built\n');
    return;
  }
  const begun = performance.now();
  await vite.build({ configFile, build: { outDir: webOut } });
  process.stderr.write(`slipway bundle: ${relative(root, webOut)}/ (the web page) in ${Math.round(performance.now() - begun)} ms\n`);
}
