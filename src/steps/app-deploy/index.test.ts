import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { promisify } from 'node:util';
import pino from 'pino';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { ensureBaseImage } from '../../../test/support/base-image.ts';
import { TEST_CACHE_ROOT } from '../../../test/support/cache-root.ts';
import { SlipwayBuilder } from '../../adapters/image-builder/slipway-builder.ts';
import { probePodman } from '../../adapters/runtime/podman-probe.ts';
import { containerName, PodmanRuntime, stagedName } from '../../adapters/runtime/podman-runtime.ts';
import { ProcessRuntime } from '../../adapters/runtime/process-runtime.ts';
import type { AppSpec } from '../../domain/index.ts';
import type { AppRuntime } from '../../ports/index.ts';
import { createDeployLocalStep } from './index.ts';
import { waitForAnswer, processRunning } from '../../../test/support/wait.ts';

const run = promisify(execFile);
const podmanRuns = (await probePodman({ cacheDir: join(TEST_CACHE_ROOT, 'slipway-test-cache'), path: process.env.PATH! })).usable;
const work = mkdtempSync(join(tmpdir(), 'slipway-deploy-'));
const suffix = Math.random().toString(36).slice(2, 8);
const spec: AppSpec = { name: 'moved', description: 'd', template: 't', templateVersion: '1', runtime: 'node', port: 8080, persistent: false, command: ['node', 'server.js'] };
// HOST is set by the process runtime; in a container the app listens on every address.
const SERVER_JS = `require('node:http').createServer((q, s) => s.end(q.url === '/healthz' ? 'ok' : 'hello')).listen(+process.env.PORT, process.env.HOST ?? '0.0.0.0');
process.on('SIGTERM', () => process.exit(0));
`;
const cleanups: Array<() => Promise<unknown>> = [];

function appDir(): string {
  const dir = join(work, 'app');
  if (!existsSync(dir)) {
    mkdirSync(dir);
    writeFileSync(join(dir, 'server.js'), SERVER_JS);
    writeFileSync(join(dir, 'test-run.txt'), `${suffix}\n`);
  }
  return dir;
}

function processRuntime(home: string): ProcessRuntime {
  return new ProcessRuntime({ home: join(work, home), host: '127.0.0.1', nodeBinary: process.execPath, path: process.env.PATH! });
}

function pidOf(home: string, app: string): number {
  return (JSON.parse(readFileSync(join(work, home, 'run', `${app}.json`), 'utf8')) as { pid: number }).pid;
}

/** Runs the step as the engine does, with the app's record naming `earlier` and its handle. */
async function deploy(runtime: AppRuntime, app: string, earlier: AppRuntime | undefined, handle?: Record<string, unknown>, image?: string) {
  const step = createDeployLocalStep({ runtime, recorded: { runtimeFor: async () => earlier ?? runtime, handleOf: async () => handle } });
  return step.run({ input: { app, dir: appDir(), spec, ...(image ? { image } : {}) }, runId: 'run-1', logger: pino({ level: 'silent' }), signal: new AbortController().signal });
}

afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup().catch(() => undefined);
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('app:deploy', () => {
  it.skipIf(!podmanRuns)('stops the process the app record names before podman starts the app', async () => {
    const app = `moved-${suffix}`;
    const earlier = processRuntime('home');
    const before = await earlier.start({ app, dir: appDir(), spec });
    cleanups.push(() => earlier.stop(app));
    const pid = pidOf('home', app);
    expect(await (await waitForAnswer(before.url)).text()).toBe('hello');

    const base = await ensureBaseImage();
    const built = await new SlipwayBuilder({ cacheDir: join(work, 'cache') }).build({
      contextDir: appDir(), target: { kind: 'oci-layout', dir: join(work, 'images'), tag: 'v1' }, base: base.hostRef,
      platforms: [base.hostPlatform as `${string}/${string}`], workdir: '/app', entrypoint: ['node', 'server.js'], exposedPorts: [8080],
    });
    const podman = new PodmanRuntime({ home: join(work, 'home'), host: '127.0.0.1', path: process.env.PATH! });
    cleanups.push(() => podman.forget(app), () => run('podman', ['rmi', '--force', stagedName(app, join(work, 'home'))]));

    const output = await deploy(podman, app, earlier, before.handle, built.image);

    expect(output).toMatchObject({ runtime: 'podman', stoppedUnder: 'process', handle: { container: containerName(app, join(work, 'home')) } });
    for (let i = 0; i < 50 && processRunning(pid); i++) await delay(100);
    expect(processRunning(pid)).toBe(false);
    await expect(fetch(before.url)).rejects.toThrow();
    expect(await (await waitForAnswer(output.url)).text()).toBe('hello');
    expect(await earlier.status(app)).toBe('stopped');
  }, 180_000);

  it('leaves a running instance alone when the record names the runtime that starts the app (it replaces its own)', async () => {
    const app = `same-${suffix}`;
    const runtime = processRuntime('home-same');
    const before = await runtime.start({ app, dir: appDir(), spec });
    cleanups.push(() => runtime.stop(app));
    await waitForAnswer(before.url);

    const output = await deploy(runtime, app, runtime, before.handle);

    expect(output.stoppedUnder).toBeUndefined();
    expect(await (await waitForAnswer(output.url)).text()).toBe('hello');
    expect(await runtime.status(app)).toBe('running');
  });

  it('starts the app when the runtime the record names cannot be reached to stop its instance', async () => {
    const app = `gone-${suffix}`;
    const runtime = processRuntime('home-now');
    cleanups.push(() => runtime.stop(app));
    // A podman no longer installed: its stop fails (nothing of it can run), and the start goes on.
    const uninstalled = new PodmanRuntime({ home: join(work, 'home-now'), host: '127.0.0.1', path: '/nonexistent' });
    const output = await deploy(runtime, app, uninstalled, { container: containerName(app, join(work, 'home-now')), runtime: 'podman' });
    expect(output).toMatchObject({ runtime: 'process' });
    expect(output.stoppedUnder).toBeUndefined();
    expect(await (await waitForAnswer(output.url)).text()).toBe('hello');
  });
});

describe("the deploy step's summary", () => {
  it('gives the URL, why the runtime was chosen, and the runtime whose instance was stopped first', () => {
    const { summarize } = createDeployLocalStep({ runtime: new ProcessRuntime({ home: work, host: '127.0.0.1', nodeBinary: process.execPath }) });
    const url = 'http://127.0.0.1:40123/';
    expect(summarize?.({ url, runtime: 'podman', handle: {} })).toBe(url);
    expect(summarize?.({ url, runtime: 'process', handle: {}, note: 'podman is not installed' })).toBe(`${url} (process: podman is not installed)`);
    expect(summarize?.({ url, runtime: 'podman', handle: {}, stoppedUnder: 'process' })).toBe(`${url} (the instance process started was stopped)`);
  });
});
