import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InputError, NotFoundError } from '../../domain/errors.ts';
import { MediaType, sha256Digest } from './media-types.ts';
import { OciLayoutStore, parseOciLayoutRef } from './oci-layout-store.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'slipway-layout-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('OciLayoutStore', () => {
  it('round-trips blobs and tags, with index.json sorted by tag and byte-stable', async () => {
    const store = new OciLayoutStore(join(dir, 'a'));
    const one = await store.putJson(MediaType.ociManifest, { schemaVersion: 2, layers: [] });
    const two = await store.putBytes(MediaType.ociManifest, Buffer.from('{"schemaVersion":2,"x":1}'));
    await store.tag('zeta', one);
    await store.tag('alpha', two);
    await store.tag('zeta', two);
    expect(await store.tags()).toEqual(['alpha', 'zeta']);
    expect((await store.resolve('zeta')).digest).toBe(two.digest);
    expect((await store.resolve(one.digest)).digest).toBe(one.digest);
    expect((await store.readBlob(two.digest)).toString()).toBe('{"schemaVersion":2,"x":1}');
    expect(JSON.parse(await readFile(join(dir, 'a', 'oci-layout'), 'utf8'))).toEqual({ imageLayoutVersion: '1.0.0' });

    const other = new OciLayoutStore(join(dir, 'b'));
    await other.tag('alpha', await other.putBytes(MediaType.ociManifest, Buffer.from('{"schemaVersion":2,"x":1}')));
    await other.tag('zeta', await other.putBytes(MediaType.ociManifest, Buffer.from('{"schemaVersion":2,"x":1}')));
    expect(await readFile(join(dir, 'b', 'index.json'), 'utf8')).toBe(await readFile(join(dir, 'a', 'index.json'), 'utf8'));
  });

  it('checks streamed blobs against their digest and leaves nothing behind on a mismatch', async () => {
    const store = new OciLayoutStore(dir);
    const bytes = Buffer.from('layer bytes');
    await store.putStream(sha256Digest(bytes), bytes.length, Readable.from([bytes]));
    expect(await store.hasBlob(sha256Digest(bytes))).toBe(true);
    const wrong = sha256Digest(Buffer.from('something else'));
    await expect(store.putStream(wrong, bytes.length, Readable.from([bytes]))).rejects.toThrow(/arrived as/);
    expect(await store.hasBlob(wrong)).toBe(false);
  });

  it('explains unknown tags and refuses bad names', async () => {
    const store = new OciLayoutStore(dir);
    await store.tag('v1', await store.putJson(MediaType.ociManifest, {}));
    await expect(store.resolve('v2')).rejects.toMatchObject({ hint: 'Tags there: v1.' });
    await expect(store.resolve('v2')).rejects.toBeInstanceOf(NotFoundError);
    await expect(store.tag('../x', await store.putJson(MediaType.ociManifest, {}))).rejects.toBeInstanceOf(InputError);
    expect(() => store.blobPath('sha256:../../etc')).toThrow(InputError);
    await writeFile(join(dir, 'index.json'), '{"schemaVersion":2,"manifests":[]}');
    await expect(new OciLayoutStore(join(dir, 'missing')).resolve('v1')).rejects.toThrow(/not an OCI image layout/);
  });

  it('parses oci: references', () => {
    expect(parseOciLayoutRef('oci:/srv/images:node')).toEqual({ dir: '/srv/images', reference: 'node' });
    expect(parseOciLayoutRef('oci:/srv/images')).toEqual({ dir: '/srv/images', reference: 'latest' });
    expect(parseOciLayoutRef('oci:/srv/a:b/images')).toEqual({ dir: '/srv/a:b/images', reference: 'latest' });
    const digest = `sha256:${'b'.repeat(64)}`;
    expect(parseOciLayoutRef(`oci:/srv/images@${digest}`)).toEqual({ dir: '/srv/images', reference: digest });
    expect(parseOciLayoutRef('registry.lan/x:1')).toBeUndefined();
  });
});
