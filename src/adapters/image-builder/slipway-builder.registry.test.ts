import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BuildRequest } from '../../ports/index.ts';
import { startRegistry, type RegistryServer } from '../../../test/support/registry-server.ts';
import { ensureBaseInRegistry, writeTestApp, type RegistryBaseImage } from '../../../test/support/base-image.ts';
import { freePort } from '../os/index.ts';
import { OciRegistry } from '../registry/index.ts';
import { findInPath } from '../os/index.ts';
import { SlipwayBuilder } from './slipway-builder.ts';

const run = promisify(execFile);
const PATH = process.env.PATH ?? '/usr/bin:/bin';
const skopeo = findInPath('skopeo', PATH);
const podman = findInPath('podman', PATH);

let work: string;
let server: RegistryServer;
let registry: OciRegistry;
let base: RegistryBaseImage;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'slipway-build-reg-'));
  server = await startRegistry({ mode: 'plain' });
  registry = new OciRegistry({ insecureRegistries: [server.host] });
  base = await ensureBaseInRegistry(registry, server.host, 'base/node');
  await writeTestApp(join(work, 'app'));
});
afterAll(async () => {
  await server?.stop();
  await rm(work, { recursive: true, force: true });
});

function request(repository: string, overrides: Partial<BuildRequest> = {}): BuildRequest {
  return {
    contextDir: join(work, 'app'),
    target: { kind: 'registry', ref: { registry: server.host, repository, tag: 'v1' } },
    base: base.ref,
    platforms: ['linux/amd64'],
    workdir: '/app',
    entrypoint: ['node', 'server.js'],
    env: { PORT: '8080' },
    exposedPorts: [8080],
    insecure: true,
    ...overrides,
  };
}

async function inspect(...args: string[]): Promise<Record<string, unknown>> {
  const { stdout } = await run(skopeo as string, ['inspect', '--tls-verify=false', ...args], { maxBuffer: 16 * 1024 * 1024 });
  return JSON.parse(stdout) as Record<string, unknown>;
}

describe('SlipwayBuilder with the real docker-registry', () => {
  it.skipIf(!skopeo)('pushes an image skopeo agrees with, mounting the base and skipping everything on a rebuild', async () => {
    const builder = new SlipwayBuilder({ registry, cacheDir: join(work, 'cache') });
    const result = await builder.build(request('apps/pomodoro'));
    expect(result.bytesUploaded).toBeLessThan(10_000);
    expect(result.blobsSkipped).toBe(1);
    const ref = `docker://${server.host}/apps/pomodoro:v1`;
    const inspected = await inspect(ref);
    expect(inspected.Digest).toBe(result.digest);
    expect(inspected.Layers).toHaveLength(result.layers);
    expect(inspected.Architecture).toBe('amd64');
    const config = await inspect('--config', ref);
    expect(config).toMatchObject({ config: { WorkingDir: '/app', User: '1000:1000', Entrypoint: ['node', 'server.js'], ExposedPorts: { '8080/tcp': {} } } });
    expect((config as { rootfs: { diff_ids: string[] } }).rootfs.diff_ids).toHaveLength(2);

    const again = await builder.build(request('apps/pomodoro'));
    expect(again).toMatchObject({ digest: result.digest, bytesUploaded: 0, blobsSkipped: 3 });
  });

  it.skipIf(!skopeo)('pushes an index for two platforms that resolves per platform', async () => {
    const builder = new SlipwayBuilder({ registry, cacheDir: join(work, 'cache') });
    const result = await builder.build(request('apps/multi', { platforms: ['linux/amd64', 'linux/arm64'] }));
    const ref = `docker://${server.host}/apps/multi:v1`;
    const { stdout } = await run(skopeo as string, ['inspect', '--tls-verify=false', '--raw', ref]);
    const index = JSON.parse(stdout) as { mediaType: string; manifests: Array<{ digest: string; platform: { architecture: string } }> };
    expect(index.mediaType).toBe('application/vnd.oci.image.index.v1+json');
    expect(index.manifests.map((m) => m.platform.architecture)).toEqual(['amd64', 'arm64']);
    const arm = await inspect('--override-arch', 'arm64', '--override-variant', 'v8', ref);
    expect(arm.Architecture).toBe('arm64');
    const amd = await inspect('--override-arch', 'amd64', ref);
    expect(amd.Architecture).toBe('amd64');
    // skopeo names the index's digest; the layers show which manifest it picked.
    expect(amd.Digest).toBe(result.digest);
    const armLayers = arm.Layers as string[];
    const amdLayers = amd.Layers as string[];
    expect(armLayers[0]).not.toBe(amdLayers[0]);
    expect(armLayers.at(-1)).toBe(amdLayers.at(-1));
    const { stdout: armRaw } = await run(skopeo as string, ['inspect', '--tls-verify=false', '--raw', `docker://${server.host}/apps/multi@${index.manifests[1]?.digest}`]);
    expect((JSON.parse(armRaw) as { layers: Array<{ digest: string }> }).layers.map((l) => l.digest)).toEqual(armLayers);
  });

  it.skipIf(!podman)('builds an image podman pulls and runs, answering /healthz', async () => {
    await ensurePodmanConfig();
    const builder = new SlipwayBuilder({ registry, cacheDir: join(work, 'cache') });
    const result = await builder.build(request('apps/runnable'));
    const image = `${server.host}/apps/runnable@${result.digest}`;
    await run(podman as string, ['pull', '--tls-verify=false', image], { timeout: 120_000 });
    const port = await freePort();
    const { stdout } = await run(podman as string, ['run', '-d', '--rm', '-p', `127.0.0.1:${port}:8080`, image], { timeout: 60_000 });
    const container = stdout.trim();
    try {
      let status = 0;
      for (let i = 0; i < 60 && status !== 200; i++) {
        status = await fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.status, () => 0);
        if (status !== 200) await delay(250);
      }
      expect(status).toBe(200);
      const { stdout: user } = await run(podman as string, ['inspect', '--format', '{{.Config.User}}', container]);
      expect(user.trim()).toBe('1000:1000');
    } finally {
      await run(podman as string, ['rm', '-f', '-t', '0', container]).catch(() => undefined);
      await run(podman as string, ['rmi', '-f', image]).catch(() => undefined);
    }
  });

  it.skipIf(!skopeo)('pushes an unchanged app again under a new tag with nothing uploaded, which the registry and skopeo accept', async () => {
    const app = join(work, 'settled-app');
    await writeTestApp(app);
    const builder = new SlipwayBuilder({ registry, cacheDir: join(work, 'cache-settled') });
    const first = await builder.build(request('apps/settled', { contextDir: app }));
    const again = await builder.build(request('apps/settled', { contextDir: app, target: { kind: 'registry', ref: { registry: server.host, repository: 'apps/settled', tag: 'v2' } } }));
    expect(again).toEqual({ ...first, bytesUploaded: 0, blobsSkipped: 3 });
    const inspected = await inspect(`docker://${server.host}/apps/settled:v2`);
    expect(inspected.Digest).toBe(first.digest);
  });
});

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
