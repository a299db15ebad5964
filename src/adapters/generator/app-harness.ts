/**
 * Test support: writes a generated app to a temporary folder, runs it with this Node binary and
 * talks HTTP to it, the way the local runtime and a cluster would. Used by the template tests only.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { GeneratedFile } from '../../domain/index.ts';
import { freePort } from '../os/index.ts';

export interface TestApp {
  url: string;
  port: number;
  child: ChildProcess;
  /** Everything the app printed so far. */
  output(): string;
  /** Sends SIGTERM and waits for the exit (at most 8 s, then SIGKILL). */
  stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const running = new Set<TestApp>();

/** Writes files into a fresh temporary folder and returns its path. */
export async function writeApp(files: readonly GeneratedFile[]): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'slipway-template-'));
  for (const file of files) {
    await mkdir(dirname(join(dir, file.path)), { recursive: true });
    await writeFile(join(dir, file.path), file.content);
  }
  return dir;
}

/**
 * Starts `node server.js` in `dir` on a free loopback port and waits until /healthz answers 200. A
 * port taken by another process between choosing it and listening on it is retried with another.
 */
export async function startApp(dir: string, env: Record<string, string> = {}): Promise<TestApp> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOn(await freePort(), dir, env);
    } catch (error) {
      if (attempt >= 3 || !(error instanceof Error) || !error.message.includes('EADDRINUSE')) throw error;
    }
  }
}

async function startOn(port: number, dir: string, env: Record<string, string>): Promise<TestApp> {
  const child = spawn(process.execPath, ['server.js'], {
    cwd: dir,
    // A bare environment: the app must need nothing but what Slipway passes it.
    env: { PORT: String(port), HOST: '127.0.0.1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = once(child, 'exit').then(([code, signal]) => ({ code: code as number | null, signal: signal as NodeJS.Signals | null }));
  const app: TestApp = {
    url: `http://127.0.0.1:${port}`,
    port,
    child,
    output: () => output,
    stop: async () => {
      running.delete(app);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 8000);
      try {
        return await exited;
      } finally {
        clearTimeout(timer);
      }
    },
  };
  running.add(app);
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the app exited with ${child.exitCode} before answering /healthz:\n${output}`);
    const status = await fetch(`${app.url}/healthz`).then((r) => r.status, () => 0);
    if (status === 200) return app;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  await app.stop();
  throw new Error(`the app did not answer /healthz within 15 s:\n${output}`);
}

/** Stops every app still running (for afterEach). */
export async function stopAllApps(): Promise<void> {
  await Promise.all([...running].map((app) => app.stop()));
}

/**
 * GET with the path sent exactly as written: fetch() would normalise `/../` away before sending,
 * which is precisely what a hostile client does not do.
 */
export function rawGet(port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'GET' }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}
