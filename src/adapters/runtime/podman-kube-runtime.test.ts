import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitForAnswer } from '../../../test/support/wait.ts';
import { ExternalServiceError, InputError, type AppSpec } from '../../domain/index.ts';
import { podSecurityProblems, renderApp } from '../../render/index.ts';
import { defaultRenderSettings } from '../../../test/support/render-settings.ts';
import { ensureBaseImage, type TestBaseImage } from '../../../test/support/base-image.ts';
import { SlipwayBuilder } from '../image-builder/index.ts';
import { substituteManifests } from './flux-substitute.ts';
import { adaptForPodman } from './podman-kube-manifest.ts';
import { PodmanKubeRuntime } from './podman-kube-runtime.ts';
import { homeId } from './home-id.ts';
import { podmanAvailable, runPodman, stagedName } from './podman-runtime.ts';

const run = promisify(execFile);
const available = await podmanAvailable(process.env.PATH);
const suffix = Math.random().toString(36).slice(2, 8);
const APP = `podkube-${suffix}`;
const OTHER = `podkube-other-${suffix}`;
const settings = defaultRenderSettings();
// `$5` and `${NOT_A_VAR}` are escaped by the renderer ($$) and must come out as written; ${HOME_NAME} is a real variable.
const DESCRIPTION = 'notes for ${HOME_NAME}, $5 a month';
const spec = (name: string): AppSpec => ({ name, description: DESCRIPTION, template: 't', templateVersion: '1', runtime: 'node', port: 8080, persistent: true, command: ['node', 'server.js'] });
const render = (s: AppSpec, image: string) => renderApp(s, { image }, settings).find((f) => f.path.endsWith('deployment.yaml'))!.content;

// Answers / and /healthz, and reports what the process may do, from inside the container.
const SERVER_JS = `import { createServer } from 'node:http';
import { readdir, readFile, writeFile } from 'node:fs/promises';
const attempt = (p) => p.then(() => 'written', (e) => e.code);
createServer(async (req, res) => {
  const url = new URL(req.url, 'http://x');
  if (url.pathname === '/healthz') return res.end('ok');
  if (url.pathname === '/') return res.end('home');
  if (url.pathname === '/whoami') return res.end(process.getuid() + ':' + process.getgid());
  if (url.pathname === '/status') return res.end((await readFile('/proc/self/status', 'utf8')).split('\\n').filter((l) => /^(CapEff|NoNewPrivs|Seccomp):/.test(l)).map((l) => l.replace(/\\s+/g, ' ')).join(','));
  if (url.pathname === '/root-write') return res.end(await attempt(writeFile('/app/x', 'x')));
  if (url.pathname === '/tmp-write') return res.end(await attempt(writeFile('/tmp/x', 'x')));
  if (url.pathname === '/data-write') return res.end(await attempt(writeFile(process.env.DATA_DIR + '/mine', 'x')));
  if (url.pathname === '/data') return res.end((await readdir(process.env.DATA_DIR)).join(','));
  res.writeHead(404).end();
}).listen(Number(process.env.PORT), '0.0.0.0', () => console.log('listening on ' + process.env.PORT + ' as ' + process.getuid()));
`;

let work: string;
let base: TestBaseImage;
let image: string;
const started: PodmanKubeRuntime[] = [];

const text = async (url: string) => (await fetch(url)).text();

function kubeRuntime(variables: Record<string, string> = { HOME_NAME: 'the house' }, home = join(work, 'home')): PodmanKubeRuntime {
  const runtime = new PodmanKubeRuntime({ home, host: '127.0.0.1', path: process.env.PATH, variables, render });
  started.push(runtime);
  return runtime;
}

async function podman(...args: string[]): Promise<string> {
  return (await run('podman', args)).stdout.trim();
}

async function podsOf(app: string): Promise<string[]> {
  const out = await podman('pod', 'ps', '--format', '{{.Name}}', '--filter', `label=app.kubernetes.io/instance=${app}`);
  return out ? out.split('\n') : [];
}

beforeAll(async () => {
  if (!available) return;
  await ensurePodmanConfig();
  work = await mkdtemp(join(tmpdir(), 'slipway-Kube-'));
  base = await ensureBaseImage();
  await mkdir(join(work, 'app'));
  await writeFile(join(work, 'app', 'server.js'), SERVER_JS);
  await writeFile(join(work, 'app', 'package.json'), '{"type":"module"}\n');
  // An image of this test run's own: podman's store is shared by every run on the machine, and an
  // image another run's container uses could not be dropped.
  await writeFile(join(work, 'app', 'test-run.txt'), `${suffix}\n`);
  const builder = new SlipwayBuilder({ cacheDir: join(work, 'cache') });
  const result = await builder.build({
    contextDir: join(work, 'app'), target: { kind: 'oci-layout', dir: join(work, 'Images'), tag: 'v1' }, base: base.hostRef,
    platforms: [base.hostPlatform as `${string}/${string}`], workdir: '/app', entrypoint: ['node', 'server.js'], exposedPorts: [8080],
  });
  image = result.image;
}, 180_000);

afterAll(async () => {
  if (!available) return;
  for (const runtime of started) for (const app of [APP, OTHER]) await runtime.forget(app).catch(() => undefined);
  for (const home of ['home', 'home-vars', 'home-a', 'home-b']) {
    for (const app of [APP, OTHER]) {
      await run('podman', ['rmi', '--force', stagedName(app, join(work, home))]).catch(() => undefined);
      for (const volume of ['tmp', 'data']) await run('podman', ['volume', 'rm', '--force', `slipway-${homeId(join(work, home))}-${app}-${volume}`]).catch(() => undefined);
    }
  }
  if (work) await rm(work, { recursive: true, force: true });
}, 120_000);

describe.skipIf(!available)('PodmanKubeRuntime with the real podman', () => {
  it('runs the rendered Deployment with podman kube play: restricted, probed, its own volumes, replaced, stopped and forgotten', async () => {
    const runtime = kubeRuntime();
    const first = await runtime.start({ app: APP, dir: join(work, 'app'), spec: spec(APP), image });
    expect(first.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect((await waitForAnswer(new URL('/healthz', first.url).href)).status).toBe(200);
    const home = await fetch(first.url);
    expect([home.status, await home.text()]).toEqual([200, 'home']);
    expect(first.handle).toMatchObject({ image, file: runtime.kubeFile(APP) });
    // It may hold an app's secrets as env: Slipway's user alone reads it.
    expect((await stat(runtime.kubeFile(APP))).mode & 0o777).toBe(0o600);

    // The file that ran is the committed Deployment, substituted, with the podman changes listed on top.
    const written = await readFile(runtime.kubeFile(APP), 'utf8');
    expect(written).toMatch(/^# Run by Slipway on this machine: podman kube play --replace /);
    const deployment = parse(written, { version: '1.1' });
    const committed = parse(render(spec(APP), image), { version: '1.1' });
    const pod = deployment.spec.template.spec;
    const container = pod.containers[0];
    expect(deployment.metadata.annotations['slipway.dev/description']).toBe('notes for ${HOME_NAME}, $5 a month');
    expect(pod.securityContext).toEqual(committed.spec.template.spec.securityContext);
    expect(container.securityContext).toEqual(committed.spec.template.spec.containers[0].securityContext);
    expect(container.securityContext).toMatchObject({ runAsNonRoot: true, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' } });
    expect(podSecurityProblems(pod)).toEqual([]);
    expect(container.image).toBe(first.handle.imageId);
    expect(container.ports[0]).toMatchObject({ containerPort: 8080, hostPort: first.handle.port, hostIP: '127.0.0.1' });
    expect(container.readinessProbe).toEqual(committed.spec.template.spec.containers[0].readinessProbe);

    // podman really enforces it: user 1000, read-only root, no capabilities, no privilege gain, seccomp on.
    const name = first.handle.container as string;
    const inspect = JSON.parse(await podman('container', 'inspect', name))[0];
    expect(inspect.Config.User).toBe('1000:1000');
    expect(inspect.HostConfig.ReadonlyRootfs).toBe(true);
    expect(inspect.HostConfig.SecurityOpt).toContain('no-new-privileges');
    expect(inspect.HostConfig.Memory).toBe(256 * 1024 * 1024);
    expect(await text(new URL('/whoami', first.url).href)).toBe('1000:1000');
    expect(await text(new URL('/status', first.url).href)).toBe('CapEff: 0000000000000000,NoNewPrivs: 1,Seccomp: 2');
    expect(await text(new URL('/root-write', first.url).href)).toBe('EROFS');
    expect(await text(new URL('/tmp-write', first.url).href)).toBe('written');
    expect(await text(new URL('/data-write', first.url).href)).toBe('written');
    expect(inspect.Mounts.map((m: { Name: string; Destination: string }) => `${m.Name}:${m.Destination}`).sort()).toEqual([`slipway-${homeId(join(work, 'home'))}-${APP}-data:/data`, `slipway-${homeId(join(work, 'home'))}-${APP}-tmp:/tmp`]);
    expect(inspect.Config.Annotations['slipway.dev/description']).toBe('notes for ${HOME_NAME}, $5 a month');

    // Probes: on podman 4.4+ the liveness check is node's GET, and podman's own check passes; older
    // podman runs probes through /bin/sh, which the image lacks, so there is no check to fail.
    const [major = 0, minor = 0] = (await podman('version', '--format', '{{.Client.Version}}')).split('.').map(Number);
    if (major > 4 || (major === 4 && minor >= 4)) {
      expect(inspect.Config.Healthcheck.Test.slice(0, 3)).toEqual(['CMD', 'node', '-e']);
      expect(await podman('healthcheck', 'run', name).catch((e: { stdout?: string }) => e.stdout ?? 'failed')).toBe('');
    } else {
      expect(container.livenessProbe).toBeUndefined();
      expect(inspect.Config.Healthcheck).toBeUndefined();
      expect(written).toMatch(/livenessProbe: left out/);
    }
    // Either way, the check Slipway writes for newer podman works inside this very image, and fails on a wrong path.
    const probe = adaptForPodman(substituteManifests(render(spec(APP), image), { HOME_NAME: 'x' }), {
      app: APP, homeId: 'x', imageId: 'x', image, host: '127.0.0.1', hostPort: 1, probesRunWithoutShell: true,
    });
    const check = (probe.manifests[0] as { spec: { template: { spec: { containers: Array<{ livenessProbe: { exec: { command: string[] } } }> } } } }).spec.template.spec.containers[0]!.livenessProbe.exec.command;
    await expect(runPodman({ path: process.env.PATH! }, ['exec', name, ...check])).resolves.toBe('');
    await expect(runPodman({ path: process.env.PATH! }, ['exec', name, ...check.slice(0, 2), check[2]!.replace('/healthz', '/nope')])).rejects.toThrow(/exit 1/);

    expect(await runtime.status(APP)).toBe('running');
    expect(await runtime.logTail(APP, 5)).toContain('listening on 8080 as 1000');
    expect(await linesOf(runtime.logs(APP, first.handle, { tail: 5, follow: false }))).toContain('listening on 8080 as 1000');

    // A second app gets its own /data and /tmp volumes, not the first app's.
    const other = await runtime.start({ app: OTHER, dir: join(work, 'app'), spec: spec(OTHER), image });
    await waitForAnswer(new URL('/healthz', other.url).href);
    expect(await text(new URL('/data', first.url).href)).toBe('mine');
    expect(await text(new URL('/data', other.url).href)).toBe('');
    await runtime.forget(OTHER);
    expect(await podsOf(OTHER)).toEqual([]);

    // Started again: the pod is replaced, one pod per app, the new port answers.
    const second = await runtime.start({ app: APP, dir: join(work, 'app'), spec: spec(APP), image: `oci:${join(work, 'Images')}:v1` });
    expect((await waitForAnswer(new URL('/healthz', second.url).href)).status).toBe(200);
    expect(second.handle.imageId).toBe(first.handle.imageId);
    expect(await podsOf(APP)).toHaveLength(1);
    if (second.handle.port !== first.handle.port) await expect(fetch(first.url)).rejects.toThrow();

    await runtime.stop(APP);
    expect(await runtime.status(APP)).toBe('stopped');
    expect(await podsOf(APP)).toEqual([]);
    await expect(fetch(second.url)).rejects.toThrow();
    await runtime.stop(APP);
    await runtime.forget(APP);
    expect(existsSync(runtime.kubeFile(APP))).toBe(false);
    await expect(run('podman', ['image', 'exists', second.handle.imageId as string])).rejects.toThrow();
    expect(await runtime.logTail(APP)).toBe('');
    expect(await linesOf(runtime.logs(APP, undefined, { tail: 5, follow: true }))).toEqual([]);
  }, 240_000);

  it('refuses a manifest with an undefined ${VAR}, naming it, before anything runs', async () => {
    const home = join(work, 'home-vars');
    // As committed for a cluster whose Flux knows REGISTRY_URL.
    const committed = (s: AppSpec) => renderApp(s, { image: '${REGISTRY_URL}/dynamic-apps/notes:1' }, settings).find((f) => f.path.endsWith('deployment.yaml'))!.content;
    const runtime = new PodmanKubeRuntime({ home, host: '127.0.0.1', path: process.env.PATH, variables: { HOME_NAME: 'x' }, render: committed });
    const error = await runtime.start({ app: APP, dir: work, spec: spec(APP), image }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).message).toBe('the manifests use a variable without a value: ${REGISTRY_URL}');
    expect(existsSync(runtime.kubeFile(APP))).toBe(false);
    expect(await podsOf(APP)).toEqual([]);
    // With the variable given, the same manifest runs: its image is replaced by the local one.
    const withVar = new PodmanKubeRuntime({ home, host: '127.0.0.1', path: process.env.PATH, variables: { HOME_NAME: 'x', REGISTRY_URL: 'registry.home.lan:5000' }, render: committed });
    started.push(withVar);
    const running = await withVar.start({ app: APP, dir: work, spec: spec(APP), image });
    expect((await waitForAnswer(new URL('/healthz', running.url).href)).status).toBe(200);
    expect(await readFile(withVar.kubeFile(APP), 'utf8')).toContain(`image: registry.home.lan:5000/dynamic-apps/notes:1 runs as podman's local image ${(running.handle.imageId as string).slice(0, 12)} (from ${image})`);
    await withVar.forget(APP);
  }, 120_000);

  it('keeps apps of the same name in two homes apart: both pods run, and forgetting one leaves the other running', async () => {
    const a = kubeRuntime(undefined, join(work, 'home-a'));
    const b = kubeRuntime(undefined, join(work, 'home-b'));
    const inA = await a.start({ app: OTHER, dir: join(work, 'app'), spec: spec(OTHER), image });
    const inB = await b.start({ app: OTHER, dir: join(work, 'app'), spec: spec(OTHER), image });
    expect((await waitForAnswer(new URL('/healthz', inA.url).href)).status).toBe(200);
    expect((await waitForAnswer(new URL('/healthz', inB.url).href)).status).toBe(200);
    expect(inA.handle.pod).toMatch(new RegExp(`^slipway-${homeId(join(work, 'home-a'))}-${OTHER}-pod`));
    expect(inB.handle.pod).toMatch(new RegExp(`^slipway-${homeId(join(work, 'home-b'))}-${OTHER}-pod`));
    expect((await podsOf(OTHER)).sort()).toEqual([inA.handle.pod, inB.handle.pod].sort());
    const labels = await podman('pod', 'inspect', '--format', '{{json .Labels}}', inB.handle.pod as string);
    expect(JSON.parse(labels)).toMatchObject({ 'io.slipway.home': homeId(join(work, 'home-b')) });

    // Found from podman and the kept YAML alone (as `slipway repair` does): the URL and handle the start gave.
    const { image: _fromA, ...handleA } = inA.handle;
    const { image: _fromB, ...handleB } = inB.handle;
    expect(await a.locate(OTHER)).toEqual({ url: inA.url, handle: handleA });
    expect(await b.locate(OTHER)).toEqual({ url: inB.url, handle: handleB });

    await a.forget(OTHER);
    expect(await a.status(OTHER)).toBe('stopped');
    expect(await a.locate(OTHER)).toBeUndefined();
    expect(await b.status(OTHER)).toBe('running');
    expect(await podsOf(OTHER)).toEqual([inB.handle.pod]);
    expect((await fetch(new URL('/healthz', inB.url))).status).toBe(200);
    await b.forget(OTHER);
    expect(await podsOf(OTHER)).toEqual([]);
  }, 240_000);

  it('explains a request without an image or with a bad name', async () => {
    const runtime = kubeRuntime();
    await expect(runtime.start({ app: APP, dir: work, spec: spec(APP) })).rejects.toThrow(/runs images/);
    await expect(runtime.status('Bad Name')).rejects.toThrow(InputError);
  });
});

describe('PodmanKubeRuntime without podman', () => {
  it('reports an app it never ran as stopped, and a missing podman with a hint', async () => {
    const home = await mkdtemp(join(tmpdir(), 'slipway-kube-none-'));
    try {
      const runtime = new PodmanKubeRuntime({ home, host: '127.0.0.1', path: '/nonexistent', variables: { HOME_NAME: 'x' }, render });
      expect(await runtime.status('never')).toBe('stopped');
      expect(await runtime.locate('never')).toBeUndefined();
      expect(await runtime.logTail('never')).toBe('');
      await runtime.stop('never');
      const error = await runtime.start({ app: 'notes', dir: home, spec: spec('notes'), image: 'registry.home.lan:5000/notes:1' }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ExternalServiceError);
      expect((error as ExternalServiceError).hint).toMatch(/apt-get install podman/);
    } finally {
      await rm(home, { recursive: true, force: true });
    }
  });
});

if (!available) console.warn('podman is not installed: the PodmanKubeRuntime tests against the real podman are skipped');

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

async function linesOf(lines: AsyncIterable<string>): Promise<string[]> {
  const all: string[] = [];
  for await (const line of lines) all.push(line);
  return all;
}
