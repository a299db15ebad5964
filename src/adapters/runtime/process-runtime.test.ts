import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { AppSpec } from '../../domain/index.ts';
import { ProcessRuntime } from './process-runtime.ts';

const spec: AppSpec = { name: 'hello', description: 'd', template: 't', templateVersion: '1', runtime: 'node', port: 8080, persistent: true, command: ['node', 'server.js'] };
const runtimes: Array<[ProcessRuntime, string]> = [];

function setup(serverJs: string) {
  const home = mkdtempSync(join(tmpdir(), 'slipway-rt-'));
  const src = join(home, 'src');
  mkdirSync(src);
  writeFileSync(join(src, 'server.js'), serverJs);
  const runtime = new ProcessRuntime({ home, host: '127.0.0.1', nodeBinary: process.execPath });
  return { home, src, runtime };
}

const SERVER = `require('node:http').createServer((q, s) => { s.end(q.url === '/healthz' ? 'ok' : 'data=' + process.env.DATA_DIR); }).listen(+process.env.PORT, process.env.HOST);
process.on('SIGTERM', () => process.exit(0));`;

async function waitFor(url: string): Promise<Response> {
  for (let i = 0; i < 100; i++) {
    try { return await fetch(url); } catch { await new Promise((r) => setTimeout(r, 50)); }
  }
  throw new Error(`${url} never answered`);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

afterEach(async () => {
  for (const [rt, app] of runtimes.splice(0)) await rt.stop(app);
});

describe('ProcessRuntime', () => {
  it('starts an app on a free port with its data dir, reports it running, and stops it', async () => {
    const { home, src, runtime } = setup(SERVER);
    runtimes.push([runtime, 'hello']);
    const running = await runtime.start({ app: 'hello', dir: src, spec });
    expect(running.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect((await waitFor(new URL('/healthz', running.url).href)).status).toBe(200);
    expect(await (await fetch(running.url)).text()).toBe(`data=${join(home, 'data', 'hello')}`);
    expect(await runtime.status('hello')).toBe('running');
    await runtime.stop('hello');
    expect(await runtime.status('hello')).toBe('stopped');
    await expect(fetch(running.url)).rejects.toThrow();
  });

  it('replaces a running instance on restart', async () => {
    const { src, runtime } = setup(SERVER);
    runtimes.push([runtime, 'hello']);
    const first = await runtime.start({ app: 'hello', dir: src, spec });
    await waitFor(first.url);
    const second = await runtime.start({ app: 'hello', dir: src, spec });
    await waitFor(second.url);
    expect(second.handle.pid).not.toBe(first.handle.pid);
    await expect(fetch(first.url)).rejects.toThrow();
  });

  it('keeps what a crashing app printed for the error message', async () => {
    const { src, runtime } = setup(`console.error('boom: missing config'); process.exit(3);`);
    await runtime.start({ app: 'crash', dir: src, spec });
    for (let i = 0; i < 50 && (await runtime.status('crash')) === 'running'; i++) await new Promise((r) => setTimeout(r, 50));
    expect(await runtime.status('crash')).toBe('stopped');
    expect(await runtime.logTail('crash')).toContain('boom: missing config');
  });

  it('stamps each line in its log with its time and filters by it, showing the lines as printed', async () => {
    const { home, src, runtime } = setup(`console.log('one'); console.error('two'); console.log('three');`);
    const before = Date.now();
    await runtime.start({ app: 'hello', dir: src, spec });
    const read = async (options: { since?: Date; tail?: number }) => {
      const lines: string[] = [];
      for await (const line of runtime.logs('hello', undefined, { tail: 200, follow: false, ...options })) lines.push(line);
      return lines;
    };
    for (let i = 0; i < 100 && (await runtime.status('hello')) === 'running'; i++) await new Promise((r) => setTimeout(r, 50));
    const file = readFileSync(join(home, 'logs', 'hello.log'), 'utf8').trimEnd().split('\n');
    expect(file).toHaveLength(3);
    for (const line of file) {
      const match = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z) (one|two|three)$/.exec(line);
      expect(match, line).not.toBeNull();
      expect(Date.parse(match![1]!)).toBeGreaterThanOrEqual(before - 1000);
      expect(Date.parse(match![1]!)).toBeLessThanOrEqual(Date.now());
    }
    expect(file.map((line) => line.slice(25)).sort()).toEqual(['one', 'three', 'two']);
    expect((await read({ tail: 2 })).length).toBe(2);
    expect((await read({})).sort()).toEqual(['one', 'three', 'two']);
    expect((await read({ since: new Date(Date.now() - 3600_000) })).sort()).toEqual(['one', 'three', 'two']);
    expect(await read({ since: new Date(Date.now() + 60_000) })).toEqual([]);
    expect(await runtime.logTail('hello')).not.toMatch(/\d{4}-\d\d-\d\dT/);
  });

  it('reads a log an older Slipway wrote without stamps: unstamped lines follow the stamped line before them', async () => {
    const { home, runtime } = setup(SERVER);
    mkdirSync(join(home, 'logs'));
    const old = '2026-01-01T00:00:00.000Z';
    const recent = new Date().toISOString();
    writeFileSync(join(home, 'logs', 'hello.log'), `before stamps\n${old} old\nafter old\n${recent} new\nafter new\n`);
    const read = async (since?: Date) => {
      const lines: string[] = [];
      for await (const line of runtime.logs('hello', undefined, { tail: 200, follow: false, ...(since ? { since } : {}) })) lines.push(line);
      return lines;
    };
    expect(await read()).toEqual(['before stamps', 'old', 'after old', 'new', 'after new']);
    expect(await read(new Date(Date.now() - 60_000))).toEqual(['before stamps', 'new', 'after new']);
  });

  it('stops the app and its log stamper together: no process is left and the port is free', async () => {
    const { src, runtime } = setup(`${SERVER}\nconsole.log('up');`);
    runtimes.push([runtime, 'hello']);
    const running = await runtime.start({ app: 'hello', dir: src, spec });
    await waitFor(running.url);
    const stamper = running.handle.pid as number;
    const appPids = execFileSync('pgrep', ['-P', String(stamper)], { encoding: 'utf8' }).trim().split('\n').map(Number);
    expect(appPids).toHaveLength(1);
    expect(readFileSync(`/proc/${appPids[0]}/cmdline`, 'utf8').split('\0')).toContain('server.js');
    await runtime.stop('hello');
    for (const pid of [stamper, ...appPids]) expect(alive(pid), `pid ${pid}`).toBe(false);
    await expect(fetch(running.url)).rejects.toThrow();
    const port = Number(new URL(running.url).port);
    const probe = createServer();
    await new Promise<void>((resolve, reject) => probe.once('error', reject).listen(port, '127.0.0.1', resolve));
    await new Promise((resolve) => probe.close(resolve));
  });

  it('ends the stamper with the exit code of the app', async () => {
    const { src } = setup(`console.log('bye'); process.exit(3);`);
    const code = await new Promise<number | null>((resolve) => {
      const child = spawn(process.execPath, [join(import.meta.dirname, 'log-stamper.cjs'), process.execPath, 'server.js'], { cwd: src, stdio: ['ignore', 'pipe', 'inherit'] });
      child.stdout.resume();
      child.once('exit', resolve);
    });
    expect(code).toBe(3);
  });

  it('follows the log of a running app until the app is stopped', async () => {
    const { src, runtime } = setup(`${SERVER}\nconsole.log('up');`);
    runtimes.push([runtime, 'hello']);
    const running = await runtime.start({ app: 'hello', dir: src, spec });
    await waitFor(running.url);
    const seen: string[] = [];
    const following = (async () => {
      for await (const line of runtime.logs('hello', undefined, { tail: 1, follow: true })) seen.push(line);
    })();
    for (let i = 0; i < 100 && seen.length === 0; i++) await new Promise((r) => setTimeout(r, 50));
    expect(seen).toEqual(['up']);
    await runtime.stop('hello');
    const ended = await Promise.race([following.then(() => 'ended'), new Promise((r) => setTimeout(() => r('still following'), 5000))]);
    expect(ended).toBe('ended');
  });

  it('refuses commands that are not node', async () => {
    const { src, runtime } = setup(SERVER);
    await expect(runtime.start({ app: 'x', dir: src, spec: { ...spec, command: ['sh', '-c', 'true'] } })).rejects.toThrow(/Node apps only/);
  });
});
