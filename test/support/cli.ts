import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { TEST_CACHE_ROOT } from './cache-root.ts';

export const REPO_ROOT = resolve(import.meta.dirname, '../..');
export const BIN = join(REPO_ROOT, 'bin', 'slipway.cjs');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A throw-away Slipway home and working directory for one test. */
export function tempHome(prefix = 'slipway-e2e-'): { home: string; cwd: string } {
  const root = mkdtempSync(join(tmpdir(), prefix));
  return { home: join(root, 'home'), cwd: root };
}

/** Base images and layers are cached across test homes, as they are across a user's apps. */
export const SHARED_CACHE = join(TEST_CACHE_ROOT, 'slipway-test-cache');

export function cliEnv(home: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: join(home, '..'), SLIPWAY_HOME: home, SLIPWAY_CACHE: SHARED_CACHE, ...extra };
}

/** Starts the real `slipway` command (Node 24, as a user runs it). */
export function spawnCli(args: string[], options: { home: string; cwd: string; env?: Record<string, string> }): ChildProcess {
  return spawn(process.execPath, [BIN, ...args], { cwd: options.cwd, env: cliEnv(options.home, options.env), stdio: ['ignore', 'pipe', 'pipe'] });
}

export function runCli(args: string[], options: { home: string; cwd: string; env?: Record<string, string> }): Promise<CliResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawnCli(args, options);
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d) => (stdout += d));
    child.stderr!.on('data', (d) => (stderr += d));
    child.once('error', reject);
    child.once('close', (code) => resolvePromise({ code, stdout, stderr }));
  });
}

/** The real `slipway` with `input` on its standard input (how a secret's value reaches `slipway secret set`). */
export function runCliWithInput(args: string[], input: string, options: { home: string; cwd: string; env?: Record<string, string> }): Promise<CliResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: options.cwd, env: cliEnv(options.home, options.env), stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.once('error', reject);
    child.once('close', (code) => resolvePromise({ code, stdout, stderr }));
    child.stdin.end(input);
  });
}
