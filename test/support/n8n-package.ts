import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { REPO_ROOT } from './cli.ts';

/** The n8n community node package's sources, and the dev dependencies scripts/test installs beside them. */
export const N8N_PACKAGE = join(REPO_ROOT, 'integrations', 'n8n');

/** What the package publishes from, copied: a test builds and lints its own copy, never the working tree. */
const SOURCES = ['package.json', 'package-lock.json', 'tsconfig.json', 'eslint.config.mjs', 'credentials', 'nodes', 'icons', 'workflows'];

/** A throw-away copy of integrations/n8n with its node_modules linked in. */
export function copyN8nPackage(prefix = 'slipway-n8n-package-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  for (const entry of SOURCES) cpSync(join(N8N_PACKAGE, entry), join(dir, entry), { recursive: true });
  symlinkSync(join(N8N_PACKAGE, 'node_modules'), join(dir, 'node_modules'), 'dir');
  return dir;
}

export interface N8nNodeResult {
  code: number;
  /** stdout and stderr together, without colours. */
  output: string;
}

/**
 * Runs `n8n-node <args>` (@n8n/node-cli) in a package folder with Node 24; it runs tsc and eslint
 * through `npm exec`, so the package's own node_modules/.bin comes first on PATH.
 */
export function runN8nNode(dir: string, args: string[]): Promise<N8nNodeResult> {
  const cli = join(dir, 'node_modules', '@n8n', 'node-cli', 'bin', 'n8n-node.mjs');
  const path = [join(dir, 'node_modules', '.bin'), dirname(process.execPath), process.env.PATH ?? '/usr/bin:/bin'].join(delimiter);
  // NODE_ENV=test (set by vitest) puts n8n's eslint plugin in its own test mode, where every file counts as Test.node.ts.
  const { NODE_ENV: _testMode, ...env } = process.env;
  return new Promise((resolve) => {
    execFile(process.execPath, [cli, ...args], { cwd: dir, env: { ...env, PATH: path, CI: 'true' }, timeout: 240_000, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, output: stripVTControlCharacters(`${stdout}${stderr}`) });
    });
  });
}
