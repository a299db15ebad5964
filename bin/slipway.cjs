#!/usr/bin/env node
// Slipway's command. Runs the bundle in dist/cli/ (made by `npm ci`, see scripts/bundle.ts) while it
// matches the sources, else the TypeScript sources through Node's type stripping (Node >= 24). On an
// older Node it re-runs itself with the Node 24 that `npm ci` installs into node_modules. CommonJS on
// purpose: a CommonJS entry starts without Node's ESM loader (~5 ms).
'use strict';
const { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } = require('node:fs');
const { basename, dirname, join } = require('node:path');

const root = join(__dirname, '..');
const major = Number(process.versions.node.split('.')[0]);
if (major < 24) {
  const bundled = join(root, 'node_modules', 'node', 'bin', 'node');
  if (!existsSync(bundled)) {
    process.stderr.write(`error: Slipway needs Node 24 or newer (this is ${process.version}).\n  → Run \`npm ci\` in the Slipway checkout (it installs Node 24 locally), or install Node 24.\n`);
    process.exit(2);
  }
  const result = require('node:child_process').spawnSync(bundled, [__filename, ...process.argv.slice(2)], { stdio: 'inherit' });
  process.exit(result.status ?? 1);
}

// Compiled code is cached on disk (NODE_COMPILE_CACHE, else the OS temp dir): starts stay fast.
require('node:module').enableCompileCache?.();

/**
 * The bundle's entry when every source file the command can load is unchanged (every file of the
 * bundle for a command it has no list for), else undefined.
 */
function freshBundle(command) {
  const dir = join(root, 'dist', 'cli');
  let record;
  try {
    record = JSON.parse(readFileSync(join(dir, 'inputs.json'), 'utf8'));
  } catch {
    return undefined;
  }
  if (process.env.SLIPWAY_NO_BUNDLE || record.node !== process.versions.node || !Array.isArray(record.inputs)) return undefined;
  const only = record.commands && Object.hasOwn(record.commands, command) ? record.commands[command] : undefined;
  const inputs = Array.isArray(only) ? only.map((index) => record.inputs[index]) : record.inputs;
  for (const input of inputs) {
    if (!Array.isArray(input)) return undefined;
    const [file, size, mtimeMs] = input;
    const info = statSync(join(root, file), { throwIfNoEntry: false });
    if (!info || info.size !== size || info.mtimeMs !== mtimeMs) return undefined;
  }
  return join(dir, 'slipway.cjs');
}

/**
 * Loads the bundle's chunks with V8 code caches kept in dist/cli/.v8/ and written when a chunk first
 * runs, at the end of that run. Node's own compile cache keeps only the code compiled while a file
 * loads; these also hold every function the run went on to compile, so later runs compile next to
 * nothing. V8 refuses a cache that does not match the chunk or this Node, and it is written anew.
 */
function loadChunksWithCodeCache(dir) {
  const Module = require('node:module');
  const { Script } = require('node:vm');
  const cacheDir = join(dir, '.v8');
  const uncached = [];
  // Node loads .cjs files with its .js loader unless a .cjs one is registered.
  const loadCjs = Module._extensions['.cjs'] ?? Module._extensions['.js'];
  Module._extensions['.cjs'] = function (module, filename) {
    if (dirname(filename) !== dir) return loadCjs(module, filename);
    const cacheFile = join(cacheDir, `${basename(filename)}.cache`);
    let cachedData;
    try {
      cachedData = readFileSync(cacheFile);
    } catch {
      cachedData = undefined;
    }
    // The CommonJS wrapper on the chunk's first line keeps line numbers in stack traces.
    const source = `(function (exports, require, module, __filename, __dirname) {${readFileSync(filename, 'utf8')}\n})`;
    const script = new Script(source, { filename, ...(cachedData ? { cachedData } : {}) });
    if (!cachedData || script.cachedDataRejected) uncached.push({ script, cacheFile });
    script.runInThisContext().call(module.exports, module.exports, Module.createRequire(filename), module, filename, dir);
  };
  process.once('exit', () => {
    for (const { script, cacheFile } of uncached) {
      // A read-only install or a full disk only means no cache: the command has done its work.
      try {
        mkdirSync(cacheDir, { recursive: true });
        const scratch = `${cacheFile}.${process.pid}`;
        writeFileSync(scratch, script.createCachedData());
        renameSync(scratch, cacheFile);
      } catch {
        // no cache this time
      }
    }
  });
}

const bundle = freshBundle(process.argv[2]);
if (bundle) loadChunksWithCodeCache(dirname(bundle));
const loading = bundle ? Promise.resolve(require(bundle)) : import('../src/cli/main.ts');
loading
  .then(({ main }) => main(process.argv.slice(2)))
  .then((code) => {
    process.exitCode = code;
  });
