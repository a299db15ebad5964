/**
 * Bundles Slipway's command line into CommonJS chunks under dist/cli/, one per lazily loaded
 * command, so a command starts without resolving and loading dozens of source modules through the
 * ESM loader (~20 ms less for `slipway build`). `npm ci` runs this (the `prepare` script);
 * bin/slipway.cjs uses the bundle only while every source file the command can load is unchanged
 * (size and mtime in dist/cli/inputs.json) and otherwise runs the TypeScript sources, so an edit
 * never runs stale code.
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
  output: {
    dir: out,
    format: 'cjs',
    entryFileNames: '[name].cjs',
    chunkFileNames: '[name]-[hash].cjs',
    // The image builder and the registry client in one chunk: `slipway build` loads one file for
    // them instead of one per module group rolldown would otherwise split off.
    codeSplitting: {
      groups: [{ name: 'builder', test: (id: string) => /\/src\/adapters\/(image-builder|registry|http)\/|\/src\/cli\/commands\/build-(command|references)\.ts$/.test(id) && !/\/(index|host-base-image|buildah-builder)\.ts$/.test(id) }],
    },
  },
  logLevel: 'warn',
});

const chunks = new Map<string, { fileName: string; moduleIds: string[]; imports: string[]; dynamicImports: string[] }>();
for (const item of result.output) if (item.type === 'chunk') chunks.set(item.fileName, item);
const isSource = (id: string) => id.startsWith(join(root, 'src'));
/** The source files of a chunk and of every chunk it loads (statically, and with `lazy` also dynamically). */
function closure(fileName: string, lazy: boolean, seen = new Set<string>()): Set<string> {
  const files = new Set<string>();
  if (seen.has(fileName)) return files;
  seen.add(fileName);
  const chunk = chunks.get(fileName);
  if (!chunk) return files;
  for (const id of chunk.moduleIds) if (isSource(id)) files.add(id);
  for (const next of [...chunk.imports, ...(lazy ? chunk.dynamicImports : [])]) for (const id of closure(next, lazy, seen)) files.add(id);
  return files;
}

const all = [...new Set([...chunks.values()].flatMap((c) => c.moduleIds.filter(isSource)))].sort();
const inputs: Array<[string, number, number]> = [];
for (const file of all) {
  const info = await stat(file);
  inputs.push([relative(root, file), info.size, info.mtimeMs]);
}

// Per command, the source files it can load: bin/slipway.cjs checks only those before running it.
// A command whose module cannot be told from its handler gets no entry and is checked against all.
const { PROGRAM } = (await import(join(root, 'src', 'cli', 'main.ts'))) as typeof import('../src/cli/main.ts');
const entry = closure('slipway.cjs', false);
const commands: Record<string, number[]> = {};
for (const command of PROGRAM.commands) {
  const specifier = /import\((['"])(\.[^'"]+)\1\)/.exec(command.handler.toString())?.[2];
  const id = specifier && join(root, 'src', 'cli', specifier);
  const chunk = id && [...chunks.values()].find((c) => c.moduleIds.includes(id));
  if (!chunk) continue;
  const files = new Set([...entry, ...closure(chunk.fileName, true)]);
  commands[command.name] = all.flatMap((file, index) => (files.has(file) ? [index] : []));
}

await mkdir(dirname(join(out, 'inputs.json')), { recursive: true });
await writeFile(join(out, 'inputs.json'), `${JSON.stringify({ node: process.versions.node, inputs, commands })}\n`);
process.stderr.write(`slipway bundle: ${inputs.length} source files → ${relative(root, out)}/ (${result.output.length} chunks) in ${Math.round(performance.now() - started)} ms\n`);
