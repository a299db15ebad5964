/**
 * Bundles Slipway's command line into CommonJS chunks under dist/cli/, one per lazily loaded
 * command, so a command starts without resolving and loading dozens of source modules through the
 * ESM loader (~20 ms less for `slipway build`). `npm ci` runs this (the `prepare` script);
 * bin/slipway.cjs uses the bundle only while every source file in it is unchanged (size and mtime
 * in dist/cli/inputs.json) and otherwise runs the TypeScript sources, so an edit never runs stale code.
 *
 * node scripts/bundle.ts [--out dist/cli]
 */
import { mkdir, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { parseArgs } from 'node:util';

const root = resolve(import.meta.dirname, '..');
const { values } = parseArgs({ options: { out: { type: 'string', default: join(root, 'dist', 'cli') } } });
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
        // Chunks sit directly in `out`; `process` is the one name no module shadows (some declare their own `require`).
        const path = relative(out, id);
        const file = JSON.stringify(path.split(sep).join('/'));
        const replaced = code
          .replaceAll('import.meta.url', `new URL(${file}, process.getBuiltinModule('node:url').pathToFileURL(__filename)).href`)
          .replaceAll('import.meta.dirname', `process.getBuiltinModule('node:path').join(__dirname, ${JSON.stringify(dirname(path))})`)
          .replaceAll('import.meta.filename', `process.getBuiltinModule('node:path').join(__dirname, ${JSON.stringify(path)})`);
        if (replaced.includes('import.meta')) this.error(`${relative(root, id)} uses import.meta in a way the bundle cannot keep`);
        return { code: replaced, map: null };
      },
    },
  ],
  output: { dir: out, format: 'cjs', entryFileNames: '[name].cjs', chunkFileNames: '[name]-[hash].cjs' },
  logLevel: 'warn',
});

const sources = new Set<string>();
for (const item of result.output) {
  if (item.type !== 'chunk') continue;
  for (const id of item.moduleIds) if (id.startsWith(join(root, 'src'))) sources.add(id);
}
const inputs: Array<[string, number, number]> = [];
for (const file of [...sources].sort()) {
  const info = await stat(file);
  inputs.push([relative(root, file), info.size, info.mtimeMs]);
}
await mkdir(dirname(join(out, 'inputs.json')), { recursive: true });
await writeFile(join(out, 'inputs.json'), `${JSON.stringify({ node: process.versions.node, inputs })}\n`);
process.stderr.write(`slipway bundle: ${inputs.length} source files → ${relative(root, out)}/ (${result.output.length} chunks) in ${Math.round(performance.now() - started)} ms\n`);
