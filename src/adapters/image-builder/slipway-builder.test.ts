import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CancelledError, ConfigError, InputError } from '../../domain/errors.ts';
import type { BuildRequest } from '../../ports/index.ts';
import { ensureBaseImage, writeTestApp, type TestBaseImage } from '../../../test/support/base-image.ts';
import { OciLayoutStore } from '../oci/index.ts';
import { SlipwayBuilder, type BuildProgressEvent } from './slipway-builder.ts';
import { findInPath } from '../os/index.ts';

const run = promisify(execFile);
const skopeo = findInPath('skopeo', process.env.PATH ?? '');

let work: string;
let base: TestBaseImage;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'slipway-build-'));
  base = await ensureBaseImage();
  await writeTestApp(join(work, 'app'));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

function request(overrides: Partial<BuildRequest> = {}): BuildRequest {
  return {
    contextDir: join(work, 'app'),
    target: { kind: 'oci-layout', dir: join(work, 'out'), tag: 'v1' },
    base: base.ref,
    platforms: [base.hostPlatform as `${string}/${string}`],
    workdir: '/app',
    entrypoint: ['node', 'server.js'],
    env: { PORT: '8080', NODE_ENV: 'production' },
    exposedPorts: [8080],
    labels: { 'org.opencontainers.image.source': 'https://git.lan/apps/pomodoro', 'org.opencontainers.image.revision': 'abc123' },
    ...overrides,
  };
}

async function skopeoJson(...args: string[]): Promise<Record<string, unknown>> {
  const { stdout } = await run(skopeo as string, args, { maxBuffer: 16 * 1024 * 1024 });
  return JSON.parse(stdout) as Record<string, unknown>;
}

describe('SlipwayBuilder into an OCI layout', () => {
  it('builds the base layers plus one app layer, with the run settings in the config', async () => {
    const events: BuildProgressEvent[] = [];
    const builder = new SlipwayBuilder({ cacheDir: join(work, 'cache'), onProgress: (e) => events.push(e) });
    const result = await builder.build(request());
    expect(result.layers).toBe(2);
    expect(result.platforms).toEqual([base.hostPlatform]);
    expect(result.image).toBe(`oci:${join(work, 'out')}@${result.digest}`);
    expect(result.bytesUploaded).toBeGreaterThan(30_000_000);
    expect(events.find((e) => e.type === 'layer-ready')).toMatchObject({ cached: false });

    const store = new OciLayoutStore(join(work, 'out'));
    expect((await store.resolve('v1')).digest).toBe(result.digest);
    const manifest = JSON.parse((await store.readBlob(result.digest)).toString()) as { config: { digest: string }; layers: Array<{ mediaType: string }>; annotations: Record<string, string> };
    expect(manifest.layers.map((l) => l.mediaType)).toEqual(['application/vnd.oci.image.layer.v1.tar+gzip', 'application/vnd.oci.image.layer.v1.tar+gzip']);
    expect(manifest.annotations['org.opencontainers.image.revision']).toBe('abc123');
    expect(manifest.annotations['org.opencontainers.image.base.name']).toBe(base.ref);
    const config = JSON.parse((await store.readBlob(manifest.config.digest)).toString()) as { config: Record<string, unknown>; history: unknown[]; created: string };
    expect(config.created).toBe('1970-01-01T00:00:00Z');
    expect(config.config).toMatchObject({
      Entrypoint: ['node', 'server.js'],
      WorkingDir: '/app',
      User: '1000:1000',
      ExposedPorts: { '8080/tcp': {} },
      Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'NODE_ENV=production', 'PORT=8080'],
    });
    expect(config.history).toHaveLength(2);
  });

  it('rebuilds unchanged source to the same digest, uploading nothing and compressing nothing', async () => {
    const events: BuildProgressEvent[] = [];
    const builder = new SlipwayBuilder({ cacheDir: join(work, 'cache'), onProgress: (e) => events.push(e) });
    const first = await builder.build(request());
    const again = await builder.build(request());
    expect(again.digest).toBe(first.digest);
    expect(again.bytesUploaded).toBe(0);
    expect(again.blobsSkipped).toBe(3);
    expect(events.filter((e) => e.type === 'layer-ready').every((e) => e.type === 'layer-ready' && e.cached)).toBe(true);
    // A fresh cache and a fresh layout still give the very same image: the digest depends on inputs only.
    const fresh = await new SlipwayBuilder({ cacheDir: join(work, 'cache2') }).build(request({ target: { kind: 'oci-layout', dir: join(work, 'out2'), tag: 'v1' } }));
    expect(fresh.digest).toBe(first.digest);
  });

  it('gives a new digest when a file or the epoch changes', async () => {
    const builder = new SlipwayBuilder({ cacheDir: join(work, 'cache') });
    const before = await builder.build(request());
    const later = await builder.build(request({ sourceDateEpoch: 1_700_000_000 }));
    await writeFile(join(work, 'app', 'public', 'extra.txt'), 'new\n');
    const edited = await builder.build(request());
    await rm(join(work, 'app', 'public', 'extra.txt'));
    expect(new Set([before.digest, later.digest, edited.digest]).size).toBe(3);
    expect(edited.bytesUploaded).toBeGreaterThan(0);
    expect(edited.bytesUploaded).toBeLessThan(10_000);
  });

  it('builds an index for two platforms that resolves per platform', async () => {
    const builder = new SlipwayBuilder({ cacheDir: join(work, 'cache') });
    const target = { kind: 'oci-layout' as const, dir: join(work, 'multi'), tag: 'v1' };
    const result = await builder.build(request({ platforms: ['linux/arm64', 'linux/amd64'], target }));
    expect(result.platforms).toEqual(['linux/amd64', 'linux/arm64/v8']);
    const store = new OciLayoutStore(target.dir);
    const index = JSON.parse((await store.readBlob(result.digest)).toString()) as { mediaType: string; manifests: Array<{ digest: string; platform: { architecture: string } }> };
    expect(index.mediaType).toBe('application/vnd.oci.image.index.v1+json');
    expect(index.manifests.map((m) => m.platform.architecture)).toEqual(['amd64', 'arm64']);
    const layers = await Promise.all(index.manifests.map(async (m) => (JSON.parse((await store.readBlob(m.digest)).toString()) as { layers: Array<{ digest: string }> }).layers));
    // One app layer, shared by both platforms.
    expect(layers[0]?.at(-1)?.digest).toBe(layers[1]?.at(-1)?.digest);
    expect(layers[0]?.[0]?.digest).not.toBe(layers[1]?.[0]?.digest);
  });

  it('refuses a platform the base does not have, root users and missing registries', async () => {
    const builder = new SlipwayBuilder({ cacheDir: join(work, 'cache') });
    await expect(builder.build(request({ base: base.hostRef, platforms: [base.otherPlatform as `${string}/${string}`] }))).rejects.toThrow(/only; .* was asked/);
    await expect(builder.build(request({ platforms: ['linux/s390x'] }))).rejects.toThrow(/has no linux\/s390x variant/);
    await expect(builder.build(request({ user: 'root' }))).rejects.toBeInstanceOf(InputError);
    await expect(builder.build(request({ user: '0:0' }))).rejects.toBeInstanceOf(InputError);
    await expect(builder.build(request({ base: '127.0.0.1:5000/base/node:20' }))).rejects.toBeInstanceOf(ConfigError);
  });

  it('stops with a CancelledError when the signal is aborted, leaving no tag behind', async () => {
    const builder = new SlipwayBuilder({ cacheDir: join(work, 'cache-cancel') });
    const controller = new AbortController();
    const target = { kind: 'oci-layout' as const, dir: join(work, 'cancelled'), tag: 'v1' };
    const building = builder.build(request({ target }), controller.signal);
    controller.abort();
    await expect(building).rejects.toBeInstanceOf(CancelledError);
    await expect(new OciLayoutStore(target.dir).resolve('v1')).rejects.toThrow();
  });

  it.skipIf(!skopeo)('agrees with skopeo on digest, layers and config', async () => {
    const builder = new SlipwayBuilder({ cacheDir: join(work, 'cache') });
    const result = await builder.build(request({ target: { kind: 'oci-layout', dir: join(work, 'skopeo'), tag: 'app' } }));
    const ref = `oci:${join(work, 'skopeo')}:app`;
    const inspected = await skopeoJson('inspect', ref);
    expect(inspected.Digest).toBe(result.digest);
    expect(inspected.Layers).toHaveLength(2);
    expect(inspected.Architecture).toBe(base.hostPlatform.split('/')[1]);
    const config = await skopeoJson('inspect', '--config', ref);
    expect(config).toMatchObject({ config: { WorkingDir: '/app', User: '1000:1000', Entrypoint: ['node', 'server.js'] } });
    const raw = await readFile(join(work, 'skopeo', 'blobs', 'sha256', result.digest.slice(7)));
    const { stdout } = await run(skopeo as string, ['inspect', '--raw', ref]);
    expect(stdout.trim()).toBe(raw.toString());
  });
});
