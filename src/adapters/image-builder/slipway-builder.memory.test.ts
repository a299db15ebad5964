import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BuildRequest } from '../../ports/index.ts';
import { ensureBaseImage, ensureBaseInRegistry, writeTestApp, type RegistryBaseImage, type TestBaseImage } from '../../../test/support/base-image.ts';
import { canonicalJson, MediaType, sha256Digest } from '../oci/index.ts';
import { InMemoryRegistry } from './memory-registry.test-support.ts';
import { SlipwayBuilder } from './slipway-builder.ts';

// The registry logic (HEAD-skip, mount, stream, tag) against a fake that records every call; the
// same flows run against the real docker-registry in slipway-builder.registry.test.ts.
let work: string;
let layoutBase: TestBaseImage;
let registry: InMemoryRegistry;
let base: RegistryBaseImage;
const HOST = 'registry.lan:5000';

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'slipway-build-mem-'));
  layoutBase = await ensureBaseImage();
  registry = new InMemoryRegistry();
  base = await ensureBaseInRegistry(registry, HOST, 'base/node');
  await writeTestApp(join(work, 'app'));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

function request(repository: string, overrides: Partial<BuildRequest> = {}): BuildRequest {
  return {
    contextDir: join(work, 'app'),
    target: { kind: 'registry', ref: { registry: HOST, repository, tag: 'v1' } },
    base: base.ref,
    platforms: ['linux/amd64'],
    workdir: '/app',
    entrypoint: ['node', 'server.js'],
    ...overrides,
  };
}

describe('SlipwayBuilder against a registry', () => {
  it('mounts base layers from the same registry, uploads only the app layer and config, tags the manifest', async () => {
    const builder = new SlipwayBuilder({ registry, cacheDir: join(work, 'cache') });
    registry.calls.length = 0;
    const result = await builder.build(request('apps/mounted'));
    expect(registry.calls.filter((c) => c.startsWith('MOUNT'))).toHaveLength(1);
    expect(registry.calls.filter((c) => c.startsWith('PUT'))).toHaveLength(2);
    expect(registry.calls.at(-1)).toBe('MANIFEST apps/mounted v1');
    expect(result.image).toBe(`${HOST}/apps/mounted@${result.digest}`);
    expect(result.bytesUploaded).toBeLessThan(10_000);
    expect(result.blobsSkipped).toBe(1);
    expect((await registry.getManifest(HOST, 'apps/mounted', 'v1')).digest).toBe(result.digest);

    registry.calls.length = 0;
    const again = await builder.build(request('apps/mounted', { target: { kind: 'registry', ref: { registry: HOST, repository: 'apps/mounted', tag: 'v1-again' } } }));
    expect(again).toMatchObject({ digest: result.digest, bytesUploaded: 0, blobsSkipped: 3 });
    // The same manifest is in the repository already: one check for it, none per blob, and the new tag.
    expect(registry.calls.filter((c) => c.includes(' apps/mounted '))).toEqual([`HEAD-MANIFEST apps/mounted ${result.digest.slice(7, 19)}`, 'MANIFEST apps/mounted v1-again']);
  });

  it('streams base layers from an OCI layout or another registry when it cannot mount', async () => {
    const builder = new SlipwayBuilder({ registry, cacheDir: join(work, 'cache') });
    const fromLayout = await builder.build(request('apps/from-layout', { base: layoutBase.ref, target: { kind: 'registry', ref: { registry: 'other.lan', repository: 'apps/a', tag: 'v1' } } }));
    expect(fromLayout.bytesUploaded).toBeGreaterThan(30_000_000);
    const fromRegistry = await builder.build(request('x', { target: { kind: 'registry', ref: { registry: 'third.lan', repository: 'apps/b', tag: 'v1' } } }));
    // The same base layer and app layer; only the configs differ (the base.name label).
    expect(Math.abs(fromRegistry.bytesUploaded - fromLayout.bytesUploaded)).toBeLessThan(200);
    expect(registry.blobs.get('third.lan/apps/b')?.size).toBe(3);
  });

  it('pushes per-platform manifests by digest and tags an index', async () => {
    const builder = new SlipwayBuilder({ registry, cacheDir: join(work, 'cache') });
    registry.calls.length = 0;
    const result = await builder.build(request('apps/multi', { platforms: ['linux/amd64', 'linux/arm64'] }));
    const manifestCalls = registry.calls.filter((c) => c.startsWith('MANIFEST'));
    expect(manifestCalls).toHaveLength(3);
    expect(manifestCalls.at(-1)).toBe('MANIFEST apps/multi v1');
    const index = await registry.getManifest(HOST, 'apps/multi', 'v1');
    expect(index.mediaType).toBe(MediaType.ociIndex);
    expect(index.digest).toBe(result.digest);
    // The app layer is uploaded once for both platforms.
    expect(registry.calls.filter((c) => c.startsWith('PUT')).length).toBe(3);
  });

  it('turns a Docker-typed base into an all-OCI manifest with the same layer bytes', async () => {
    const source = await registry.getManifest(HOST, 'base/node', base.hostRef.split(':').at(-1) as string);
    const oci = JSON.parse(source.bytes.toString()) as { config: { digest: string; size: number }; layers: Array<{ digest: string; size: number }> };
    const docker = canonicalJson({
      schemaVersion: 2,
      mediaType: MediaType.dockerManifest,
      config: { mediaType: MediaType.dockerConfig, digest: oci.config.digest, size: oci.config.size },
      layers: oci.layers.map((l) => ({ mediaType: MediaType.dockerLayerGzip, digest: l.digest, size: l.size })),
    });
    await registry.putManifest(HOST, 'base/node', 'docker', { mediaType: MediaType.dockerManifest, bytes: docker });
    const builder = new SlipwayBuilder({ registry, cacheDir: join(work, 'cache') });
    const result = await builder.build(request('apps/docker-base', { base: `${HOST}/base/node:docker` }));
    const manifest = JSON.parse((await registry.getManifest(HOST, 'apps/docker-base', result.digest)).bytes.toString()) as { mediaType: string; layers: Array<{ mediaType: string }> };
    expect(manifest.mediaType).toBe(MediaType.ociManifest);
    expect(manifest.layers.map((l) => l.mediaType)).toEqual([MediaType.ociLayerGzip, MediaType.ociLayerGzip]);
  });

  it('reads a base it has seen from its cache: a tag costs one HEAD, and a moved tag is followed', async () => {
    const cacheDir = join(work, 'cache-bases');
    const builder = new SlipwayBuilder({ registry, cacheDir });
    const tag = base.hostRef.split(':').at(-1) as string;
    registry.calls.length = 0;
    const first = await builder.build(request('apps/base-cache', { base: base.hostRef }));
    expect(baseReads()).toEqual([
      `HEAD-MANIFEST base/node ${tag}`,
      expect.stringMatching(/^GET-MANIFEST base\/node [a-f0-9]{12}$/),
      expect.stringMatching(/^GET base\/node [a-f0-9]{12}$/),
    ]);

    registry.calls.length = 0;
    const again = await new SlipwayBuilder({ registry, cacheDir }).build(request('apps/base-cache', { base: base.hostRef }));
    expect(again.digest).toBe(first.digest);
    expect(baseReads()).toEqual([`HEAD-MANIFEST base/node ${tag}`]);

    // The tag moves to an image with another config: the next build follows it at once.
    const original = await registry.getManifest(HOST, 'base/node', tag);
    const manifest = JSON.parse(original.bytes.toString()) as { config: { digest: string; size: number } };
    const config = JSON.parse(await streamText(registry, manifest.config.digest)) as { config: { Env?: string[] } };
    config.config.Env = [...(config.config.Env ?? []), 'BASE_RELEASE=2'];
    const configBytes = canonicalJson(config);
    const configDigest = sha256Digest(configBytes);
    await registry.pushBlob(HOST, 'base/node', { digest: configDigest, size: configBytes.length, open: () => Readable.from([configBytes]) });
    const moved = canonicalJson({ ...JSON.parse(original.bytes.toString()), config: { ...manifest.config, digest: configDigest, size: configBytes.length } });
    await registry.putManifest(HOST, 'base/node', tag, { mediaType: original.mediaType, bytes: moved });
    try {
      registry.calls.length = 0;
      const rebased = await builder.build(request('apps/base-cache', { base: base.hostRef }));
      expect(rebased.digest).not.toBe(first.digest);
      // Blobs were checked with the base seen last, but the only manifest written is the new one.
      expect(registry.calls.filter((c) => c.startsWith('MANIFEST'))).toEqual(['MANIFEST apps/base-cache v1']);
      const pushed = JSON.parse((await registry.getManifest(HOST, 'apps/base-cache', rebased.digest)).bytes.toString()) as { annotations: Record<string, string> };
      expect(pushed.annotations['org.opencontainers.image.base.digest']).toBe(sha256Digest(moved));
    } finally {
      await registry.putManifest(HOST, 'base/node', tag, { mediaType: original.mediaType, bytes: original.bytes });
    }
  });

  it('pushes blobs with the base it saw last while the registry confirms the tag, and writes no manifest before', async () => {
    const cacheDir = join(work, 'cache-guess');
    const builder = new SlipwayBuilder({ registry, cacheDir });
    const app = join(work, 'guess-app');
    await writeTestApp(app);
    await builder.build(request('apps/guess', { contextDir: app }));

    // A new version of the app, while the registry is slow to say which digest the base tag names.
    await writeFile(join(app, 'version.txt'), 'v2\n');
    registry.calls.length = 0;
    let answer!: () => void;
    registry.holdManifestHeads = new Promise((resolve) => (answer = resolve));
    try {
      const building = builder.build(request('apps/guess', { contextDir: app, target: { kind: 'registry', ref: { registry: HOST, repository: 'apps/guess', tag: 'v2' } } }));
      for (let i = 0; i < 200 && registry.calls.filter((c) => c.startsWith('PUT apps/guess')).length < 2; i++) await new Promise((r) => setTimeout(r, 10));
      // The new app layer and config are up; the manifest waits for the tag's answer.
      expect(registry.calls.filter((c) => c.startsWith('PUT apps/guess'))).toHaveLength(2);
      expect(registry.calls.filter((c) => c.startsWith('MANIFEST'))).toEqual([]);
      answer();
      const result = await building;
      expect(registry.calls.at(-1)).toBe('MANIFEST apps/guess v2');
      expect((await registry.getManifest(HOST, 'apps/guess', 'v2')).digest).toBe(result.digest);
    } finally {
      registry.holdManifestHeads = undefined;
    }
  });

  it("reports the base's own error when the tag it saw last is gone, and writes no manifest", async () => {
    const cacheDir = join(work, 'cache-gone');
    const builder = new SlipwayBuilder({ registry, cacheDir });
    await registry.putManifest(HOST, 'base/node', 'soon-gone', await registry.getManifest(HOST, 'base/node', base.hostRef.split(':').at(-1) as string));
    const gone = `${HOST}/base/node:soon-gone`;
    await builder.build(request('apps/gone', { base: gone }));
    registry.manifests.get(`${HOST}/base/node`)?.delete('soon-gone');
    registry.calls.length = 0;
    await expect(builder.build(request('apps/gone', { base: gone, target: { kind: 'registry', ref: { registry: HOST, repository: 'apps/gone', tag: 'v2' } } }))).rejects.toThrow(/manifest soon-gone not in base\/node/);
    expect(registry.calls.filter((c) => c.startsWith('MANIFEST'))).toEqual([]);
  });
});

function baseReads(): string[] {
  return registry.calls.filter((c) => /^(HEAD-MANIFEST|GET-MANIFEST|GET) base\/node /.test(c));
}

async function streamText(registry: InMemoryRegistry, digest: string): Promise<string> {
  return (await buffer(await registry.getBlob(HOST, 'base/node', digest))).toString('utf8');
}
