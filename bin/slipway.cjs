#!/usr/bin/env node
// Slipway's command. Runs the bundle in dist/cli/ when there is one (`npm ci` and `npm pack` make it,
// `npm run bundle` remakes it after an edit; see scripts/bundle.ts), else the TypeScript sources
// through Node's type stripping. CommonJS, so that it can say which Node it needs on any Node.
'use strict';
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const major = Number(process.versions.node.split('.')[0]);
if (major < 24) {
  process.stderr.write(
    `error: Slipway needs Node 24 or newer (this is ${process.version}).\n` +
      '  → Use the Node 24 that `npm ci` installs: `node_modules/.bin/node bin/slipway.cjs …` or `npx slipway …` in the Slipway checkout, or install Node 24.\n',
  );
  process.exit(2);
}

// Compiled code is cached on disk (NODE_COMPILE_CACHE, else the OS temp dir): later starts compile less.
require('node:module').enableCompileCache();

const bundle = join(__dirname, '..', 'dist', 'cli', 'slipway.cjs');
const loading = existsSync(bundle) ? Promise.resolve(require(bundle)) : import('../src/cli/main.ts');
loading
  .then(({ main }) => main(process.argv.slice(2)))
  .then((code) => {
    process.exitCode = code;
  });
