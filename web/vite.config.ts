/**
 * Builds the web page of `slipway serve` into dist/web/: index.html plus assets with hashes in their
 * names, which the server sends with long cache lifetimes. JSX goes through Vite's own transform
 * with Preact's automatic runtime, so no framework plugin is needed.
 */
import { resolve } from 'node:path';
import { defineConfig } from 'vite';

const root = import.meta.dirname;

export default defineConfig({
  root,
  base: '/',
  logLevel: 'warn',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: resolve(root, '..', 'dist', 'web'),
    emptyOutDir: true,
    // Everything the page needs is in its own files: no request leaves the server.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    reportCompressedSize: false,
  },
});
