import { mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
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

  it('shows the last lines of its log and refuses a start time, which the log does not keep', async () => {
    const { src, runtime } = setup(`console.log('one'); console.log('two'); console.log('three');`);
    await runtime.start({ app: 'hello', dir: src, spec });
    let lines: string[] = [];
    for (let i = 0; i < 100 && lines.length < 3; i++) {
      await new Promise((r) => setTimeout(r, 50));
      lines = [];
      for await (const line of runtime.logs('hello', undefined, { tail: 2, follow: false })) lines.push(line);
      if (lines.length === 2) break;
    }
    expect(lines).toEqual(['two', 'three']);
    expect(() => runtime.logs('hello', undefined, { tail: 2, follow: false, since: new Date() })).toThrow(/keeps no time.*cannot start at a time/);
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
