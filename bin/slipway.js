#!/usr/bin/env node
// Slipway's command. Runs the TypeScript sources with Node's type stripping (Node >= 24); on an older
// Node it re-runs itself with the Node 24 that `npm ci` installs into node_modules.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import module from 'node:module';
import { fileURLToPath } from 'node:url';

const major = Number(process.versions.node.split('.')[0]);
if (major < 24) {
  const bundled = fileURLToPath(new URL('../node_modules/node/bin/node', import.meta.url));
  if (!existsSync(bundled)) {
    process.stderr.write(`error: Slipway needs Node 24 or newer (this is ${process.version}).\n  → Run \`npm ci\` in the Slipway checkout (it installs Node 24 locally), or install Node 24.\n`);
    process.exit(2);
  }
  const result = spawnSync(bundled, [fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: 'inherit' });
  process.exit(result.status ?? 1);
}
// Compiled code is cached on disk (NODE_COMPILE_CACHE, else the OS temp dir): starts stay fast.
module.enableCompileCache?.();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
