import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitForAnswer } from '../../../test/support/wait.ts';
import { ExternalServiceError, InputError, NotFoundError, type AppSpec } from '../../domain/index.ts';
import { ensureBaseImage, type TestBaseImage } from '../../../test/support/base-image.ts';
import { startRegistry, type RegistryServer } from '../../../test/support/registry-server.ts';
import { SlipwayBuilder } from '../image-builder/index.ts';
import { OciRegistry } from '../registry/index.ts';
import { homeId } from './home-id.ts';
import { containerName, PodmanRuntime, podmanAvailable, stagedName } from './podman-runtime.ts';

const run = promisify(execFile);
const available = await podmanAvailable(process.env.PATH);
const suffix = Math.random().toString(36).slice(2, 8);
const APP = `podrt-${suffix}`;
const REGISTRY_APP = `podrt-reg-${suffix}`;
const SHARED_APP = `podrt-shared-${suffix}`;
const spec: AppSpec = { name: APP, description: 'd', template: 't', templateVersion: '1', runtime: 'node', port: 8080, persistent: true, command: ['node', 'server.js'] };

// Answers /healthz, keeps a value in $DATA_DIR, and says who it runs as.
const SERVER_JS = `import { createServer } from 'node:http';
import { readFile, writeFile } from 'node:fs/promises';
const port = Number(process.env.PORT);
const file = process.env.DATA_DIR + '/value.txt';
createServer(async (req, res) => {
  const url = new URL(req.url, 'http://x');
  if (url.pathname === '/healthz') return res.end('ok');
  if (url.pathname === '/say') { console.log('said ' + url.searchParams.get('m')); return res.end('ok'); }
  if (url.pathname === '/whoami') return res.end(process.getuid() + ':' + process.getgid() + ' ' + (process.env.GREETING ?? ''));
  if (url.pathname === '/data' && req.method === 'POST') { await writeFile(file, url.searchParams.get('v') ?? ''); return res.end('stored'); }
  if (url.pathname === '/data') return res.end(await readFile(file, 'utf8').catch(() => 'none'));
  if (url.pathname === '/root-write') return res.end(await writeFile('/app/x', 'x').then(() => 'written', (e) => e.code));
  res.writeHead(404).end();
}).listen(port, '0.0.0.0', () => console.log('listening on ' + port + ' as ' + process.getuid()));
`;

let work: string;
let base: TestBaseImage;
let layoutDir: string;
let imageByDigest: string;
const runtimes: Array<[PodmanRuntime, string]> = [];

beforeAll(async () => {
  if (!available) return;
  await ensurePodmanConfig();
  // Upper-case letters in the path: podman cannot name an `oci:` image after such a path by itself.
  work = await mkdtemp(join(tmpdir(), 'slipway-Podman-'));
  base = await ensureBaseImage();
  await mkdir(join(work, 'app'));
  await writeFile(join(work, 'app', 'server.js'), SERVER_JS);
  await writeFile(join(work, 'app', 'package.json'), '{"type":"module"}\n');
  // An image of this test run's own: podman's store is shared by every run on the machine, and an
  // image another run's container uses could not be dropped.
  await writeFile(join(work, 'app', 'test-run.txt'), `${suffix}\n`);
  layoutDir = join(work, 'Images');
  const builder = new SlipwayBuilder({ cacheDir: join(work, 'cache') });
  const result = await builder.build({
    contextDir: join(work, 'app'), target: { kind: 'oci-layout', dir: layoutDir, tag: 'v1' }, base: base.hostRef,
    platforms: [base.hostPlatform as `${string}/${string}`], workdir: '/app', entrypoint: ['node', 'server.js'], exposedPorts: [8080],
  });
  imageByDigest = result.image;
}, 180_000);

afterAll(async () => {
  for (const [runtime, app] of runtimes) await runtime.forget(app).catch(() => undefined);
  for (const home of ['home', 'home-a', 'home-b']) {
    for (const app of [APP, REGISTRY_APP, SHARED_APP]) await run('podman', ['rmi', '--force', stagedName(app, join(work, home))]).catch(() => undefined);
  }
  if (work) await rm(work, { recursive: true, force: true });
});

describe.skipIf(!available)('PodmanRuntime with the real podman', () => {
  it('runs a built image read-only as user 1000, keeps /data across a replacing start, stops, and shows logs', async () => {
    const runtime = new PodmanRuntime({ home: join(work, 'home'), host: '127.0.0.1', path: process.env.PATH });
    runtimes.push([runtime, APP]);
    expect(imageByDigest).toMatch(/^oci:.*@sha256:[a-f0-9]{64}$/);
    const first = await runtime.start({ app: APP, dir: join(work, 'app'), spec, image: imageByDigest, env: { GREETING: 'hello', PORT: '1' } });
    expect(first.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect(first.handle).toMatchObject({ container: `slipway-${homeId(join(work, 'home'))}-${APP}`, image: imageByDigest });
    expect((await waitForAnswer(new URL('/healthz', first.url).href)).status).toBe(200);
    expect(await (await fetch(new URL('/whoami', first.url))).text()).toBe('1000:1000 hello');
    expect(await (await fetch(new URL('/data?v=kept', first.url), { method: 'POST' })).text()).toBe('stored');
    expect(await (await fetch(new URL('/root-write', first.url))).text()).toBe('EROFS');
    expect(await runtime.status(APP)).toBe('running');
    // Found from podman alone (as `slipway repair` does): the same URL and handle the start gave.
    expect(await runtime.locate(APP)).toEqual(first);
    const { stdout } = await run('podman', ['container', 'inspect', '--format', '{{.HostConfig.ReadonlyRootfs}} {{.HostConfig.CapDrop}} {{index .Config.Labels "slipway.app"}} {{index .Config.Labels "io.slipway.home"}}', containerName(APP, join(work, 'home'))]);
    expect(stdout.trim()).toMatch(new RegExp(`^true \\[.*CAP_NET_RAW.*\\] ${APP} ${homeId(join(work, 'home'))}$`));
    expect(await runtime.logTail(APP, 5)).toContain('listening on 8080 as 1000');

    // Followed: the last line, then what the app writes while it is followed, until the reader leaves.
    const followed: string[] = [];
    const following = (async () => {
      for await (const line of runtime.logs(APP, first.handle, { tail: 1, follow: true })) {
        followed.push(line);
        if (line === 'said hi') break;
      }
    })();
    for (let i = 0; i < 100 && followed.length === 0; i++) await new Promise((r) => setTimeout(r, 50));
    expect(await (await fetch(new URL('/say?m=hi', first.url))).text()).toBe('ok');
    await following;
    expect(followed).toEqual(['listening on 8080 as 1000', 'said hi']);
    // From a time: podman keeps when each line was written, so a start after the last line leaves none.
    const since = async (at: Date) => {
      const lines: string[] = [];
      for await (const line of runtime.logs(APP, first.handle, { tail: 10, follow: false, since: at })) lines.push(line);
      return lines;
    };
    expect(await since(new Date(Date.now() - 600_000))).toEqual(['listening on 8080 as 1000', 'said hi']);
    expect(await since(new Date(Date.now() + 1000))).toEqual([]);

    // Started again, by tag this time: the old container is replaced and the data is still there.
    const second = await runtime.start({ app: APP, dir: join(work, 'app'), spec, image: `oci:${layoutDir}:v1` });
    expect(second.handle.id).not.toBe(first.handle.id);
    expect((await waitForAnswer(new URL('/healthz', second.url).href)).status).toBe(200);
    expect(await (await fetch(new URL('/data', second.url))).text()).toBe('kept');
    if (second.handle.port !== first.handle.port) await expect(fetch(first.url)).rejects.toThrow();
    const { stdout: names } = await run('podman', ['ps', '--all', '--filter', `label=slipway.app=${APP}`, '--format', '{{.Names}}']);
    expect(names.trim().split('\n')).toEqual([containerName(APP, join(work, 'home'))]);

    // A new version: the image the app ran before is dropped from podman's store.
    await writeFile(join(work, 'app', 'version.txt'), '2\n');
    const v2 = await new SlipwayBuilder({ cacheDir: join(work, 'cache') }).build({
      contextDir: join(work, 'app'), target: { kind: 'oci-layout', dir: layoutDir, tag: 'v2' }, base: base.hostRef,
      platforms: [base.hostPlatform as `${string}/${string}`], workdir: '/app', entrypoint: ['node', 'server.js'],
    });
    const third = await runtime.start({ app: APP, dir: join(work, 'app'), spec, image: v2.image });
    expect(third.handle.imageId).not.toBe(first.handle.imageId);
    await expect(run('podman', ['image', 'exists', first.handle.imageId as string])).rejects.toThrow();
    expect(await (await waitForAnswer(new URL('/data', third.url).href)).text()).toBe('kept');

    await runtime.stop(APP);
    expect(await runtime.status(APP)).toBe('stopped');
    expect(await runtime.locate(APP)).toBeUndefined();
    await expect(fetch(third.url)).rejects.toThrow();
    await runtime.stop(APP);
    await runtime.forget(APP);
    await expect(run('podman', ['image', 'exists', stagedName(APP, join(work, 'home'))])).rejects.toThrow();
    expect(await runtime.logTail(APP)).toBe('');
    expect(await readdir(join(work, 'home', 'data', APP))).toEqual(['value.txt']);
    expect(await readdir(join(work, 'home', 'run'))).toEqual([]);
  }, 180_000);

  it('pulls a registry image over plain HTTP when the registry is listed as insecure', async () => {
    let server: RegistryServer | undefined;
    try {
      server = await startRegistry({ mode: 'plain' });
      const registry = new OciRegistry({ insecureRegistries: [server.host] });
      const builder = new SlipwayBuilder({ registry, cacheDir: join(work, 'cache') });
      const pushed = await builder.build({
        contextDir: join(work, 'app'), target: { kind: 'registry', ref: { registry: server.host, repository: 'apps/podrt', tag: 'v1' } }, base: base.hostRef,
        platforms: [base.hostPlatform as `${string}/${string}`], workdir: '/app', entrypoint: ['node', 'server.js'], insecure: true,
      });
      const strict = new PodmanRuntime({ home: join(work, 'home'), host: '127.0.0.1', path: process.env.PATH });
      await expect(strict.start({ app: REGISTRY_APP, dir: join(work, 'app'), spec: { ...spec, persistent: false }, image: pushed.image })).rejects.toThrow(ExternalServiceError);
      const runtime = new PodmanRuntime({ home: join(work, 'home'), host: '127.0.0.1', path: process.env.PATH, insecureRegistries: [server.host] });
      runtimes.push([runtime, REGISTRY_APP]);
      const running = await runtime.start({ app: REGISTRY_APP, dir: join(work, 'app'), spec: { ...spec, persistent: false }, image: pushed.image });
      expect((await waitForAnswer(new URL('/healthz', running.url).href)).status).toBe(200);
      // Not persistent: /data is a scratch tmpfs, nothing lands in the home directory.
      expect(await (await fetch(new URL('/data?v=gone', running.url), { method: 'POST' })).text()).toBe('stored');
      expect(existsSync(join(work, 'home', 'data', REGISTRY_APP))).toBe(false);
      await runtime.forget(REGISTRY_APP);
      await expect(run('podman', ['image', 'exists', pushed.image])).rejects.toThrow();
    } finally {
      await server?.stop();
    }
  }, 180_000);

  it('keeps apps of the same name in two homes apart: both run, and forgetting one leaves the other running', async () => {
    const [homeA, homeB] = [join(work, 'home-a'), join(work, 'home-b')];
    const a = new PodmanRuntime({ home: homeA, host: '127.0.0.1', path: process.env.PATH });
    const b = new PodmanRuntime({ home: homeB, host: '127.0.0.1', path: process.env.PATH });
    runtimes.push([a, SHARED_APP], [b, SHARED_APP]);
    const shared = { ...spec, name: SHARED_APP, persistent: false };
    const inA = await a.start({ app: SHARED_APP, dir: join(work, 'app'), spec: shared, image: imageByDigest });
    const inB = await b.start({ app: SHARED_APP, dir: join(work, 'app'), spec: shared, image: imageByDigest });
    expect((await waitForAnswer(new URL('/healthz', inA.url).href)).status).toBe(200);
    expect((await waitForAnswer(new URL('/healthz', inB.url).href)).status).toBe(200);
    const { stdout } = await run('podman', ['ps', '--filter', `label=slipway.app=${SHARED_APP}`, '--format', '{{.Names}} {{index .Labels "io.slipway.home"}}']);
    expect(stdout.trim().split('\n').sort()).toEqual([`${containerName(SHARED_APP, homeA)} ${homeId(homeA)}`, `${containerName(SHARED_APP, homeB)} ${homeId(homeB)}`].sort());

    expect(await a.locate(SHARED_APP)).toEqual(inA);
    expect(await b.locate(SHARED_APP)).toEqual(inB);

    await a.forget(SHARED_APP);
    expect(await a.status(SHARED_APP)).toBe('stopped');
    expect(await a.locate(SHARED_APP)).toBeUndefined();
    expect(await b.status(SHARED_APP)).toBe('running');
    expect((await fetch(new URL('/healthz', inB.url))).status).toBe(200);
    await b.forget(SHARED_APP);
    expect(await b.status(SHARED_APP)).toBe('stopped');
  }, 180_000);

  it('stops a container an app record names from before names carried the home, by its id', async () => {
    const runtime = new PodmanRuntime({ home: join(work, 'home-a'), host: '127.0.0.1', path: process.env.PATH });
    runtimes.push([runtime, SHARED_APP]);
    const shared = { ...spec, name: SHARED_APP, persistent: false };
    const running = await runtime.start({ app: SHARED_APP, dir: join(work, 'app'), spec: shared, image: imageByDigest });
    // As an earlier Slipway named it: slipway-<app>.
    await run('podman', ['rename', running.handle.container as string, `slipway-${SHARED_APP}`]);
    const recorded = { ...running.handle, container: `slipway-${SHARED_APP}` };
    expect(await runtime.status(SHARED_APP)).toBe('stopped');
    expect(await runtime.status(SHARED_APP, recorded)).toBe('running');
    await runtime.forget(SHARED_APP, recorded);
    await expect(run('podman', ['container', 'exists', running.handle.id as string])).rejects.toThrow();
    expect(await runtime.status(SHARED_APP, recorded)).toBe('stopped');
  }, 180_000);

  it('explains a missing image and a request without one', async () => {
    const runtime = new PodmanRuntime({ home: join(work, 'home'), host: '127.0.0.1', path: process.env.PATH });
    await expect(runtime.start({ app: APP, dir: work, spec, image: `oci:${layoutDir}:nope` })).rejects.toThrow(NotFoundError);
    await expect(runtime.start({ app: APP, dir: work, spec })).rejects.toThrow(/runs images/);
    await expect(runtime.status('Bad Name')).rejects.toThrow(InputError);
  });
});

describe('PodmanRuntime without podman', () => {
  it('reports podman as unavailable and fails with a hint', async () => {
    expect(await podmanAvailable('/nonexistent')).toBe(false);
    const runtime = new PodmanRuntime({ home: tmpdir(), host: '127.0.0.1', path: '/nonexistent' });
    const error = await runtime.status('hello').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ExternalServiceError);
    expect((error as ExternalServiceError).hint).toMatch(/apt-get install podman/);
  });
});

if (!available) console.warn('podman is not installed: the PodmanRuntime tests against the real podman are skipped');

/**
 * Podman here needs runc and modest ulimits (see the machine notes); write that configuration when
 * it is missing and we may (root), otherwise rely on what is there.
 */
async function ensurePodmanConfig(): Promise<void> {
  const file = '/etc/containers/containers.conf.d/slipway-ci.conf';
  if (existsSync(file) || process.getuid?.() !== 0) return;
  await mkdir('/etc/containers/containers.conf.d', { recursive: true });
  await writeFile(file, '[containers]\ndefault_ulimits = ["nofile=1024:1024", "nproc=1024:1024"]\n[engine]\nruntime = "runc"\n');
}
