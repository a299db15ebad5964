import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BaseMetadataCache } from './base-cache.ts';
import { MediaType, sha256Digest } from '../oci/index.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'slipway-base-cache-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('BaseMetadataCache', () => {
  it('keeps manifests with their media type and configs by digest', async () => {
    const cache = new BaseMetadataCache(dir);
    const bytes = Buffer.from('{"schemaVersion":2}');
    const digest = sha256Digest(bytes);
    expect(await cache.manifest(digest)).toBeUndefined();
    await cache.saveManifest({ mediaType: MediaType.dockerManifest, digest, bytes });
    expect(await cache.manifest(digest)).toEqual({ mediaType: MediaType.dockerManifest, digest, bytes });
    const config = Buffer.from('{"architecture":"arm64"}');
    await cache.saveConfig(sha256Digest(config), config);
    expect(await cache.config(sha256Digest(config))).toEqual(config);
    // No temporary files are left behind.
    expect((await readdir(join(dir, 'configs'))).filter((n) => n.startsWith('.'))).toEqual([]);
  });

  it('refuses what does not hash to its name, on the way in and on the way out', async () => {
    const cache = new BaseMetadataCache(dir);
    const bytes = Buffer.from('{"config":{}}');
    const digest = sha256Digest(bytes);
    await cache.saveConfig(digest, Buffer.from('other bytes'));
    expect(await cache.config(digest)).toBeUndefined();
    await cache.saveManifest({ mediaType: MediaType.ociManifest, digest, bytes });
    await writeFile(join(dir, 'manifests', `${digest.slice(7)}.json`), JSON.stringify({ mediaType: MediaType.ociManifest, data: Buffer.from('{"tampered":1}').toString('base64') }));
    expect(await cache.manifest(digest)).toBeUndefined();
    expect(await cache.manifest('latest')).toBeUndefined();
    expect(await cache.config('sha256:../../etc/passwd')).toBeUndefined();
  });
});
