#!/usr/bin/env node
// Slipway's command. Runs the bundle in dist/cli/ (made by `npm ci`, see scripts/bundle.ts) while it
// matches the sources, else the TypeScript sources through Node's type stripping (Node >= 24). On an
// older Node it re-runs itself with the Node 24 that `npm ci` installs into node_modules. CommonJS on
// purpose: a CommonJS entry starts without Node's ESM loader (~5 ms).
'use strict';
const { existsSync, readFileSync, statSync } = require('node:fs');
const { join } = require('node:path');

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

const bundle = freshBundle(process.argv[2]);
const loading = bundle ? Promise.resolve(require(bundle)) : import('../src/cli/main.ts');
loading
  .then(({ main }) => main(process.argv.slice(2)))
  .then((code) => {
    process.exitCode = code;
  });
