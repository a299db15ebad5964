import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRegistry, type RegistryServer } from '../../../test/support/registry-server.ts';
import { CancelledError, InputError } from '../../domain/errors.ts';
import type { BlobSource } from '../../ports/image-registry.ts';
import { OciRegistry, type RegistryLogger } from './oci-registry.ts';
import { RegistryError } from './registry-error.ts';

const run = promisify(execFile);
const sha256 = (bytes: Buffer) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
const blobOf = (bytes: Buffer): BlobSource => ({ digest: sha256(bytes), size: bytes.length, open: () => Readable.from([bytes]) });

/** Records the client's request log, to count what went over the wire. */
function requestLog(): RegistryLogger & { requests: Array<{ method: string; url: string; status: number }> } {
  const requests: Array<{ method: string; url: string; status: number }> = [];
  return {
    requests,
    debug: (object, message) => {
      if (message === 'registry request') requests.push(object as { method: string; url: string; status: number });
    },
    warn: () => {},
  };
}

let registry: RegistryServer;
let host: string;

beforeAll(async () => {
  registry = await startRegistry({ mode: 'plain' });
  host = registry.host;
});
afterAll(async () => {
  await registry?.stop();
});

const client = (options: ConstructorParameters<typeof OciRegistry>[0] = {}) => new OciRegistry({ insecureRegistries: [host], ...options });

describe('OciRegistry against docker-registry (plain HTTP)', () => {
  it('pushes a small blob in one PUT, finds it with HEAD, streams it back verified, and skips it the second time', async () => {
    const log = requestLog();
    const oci = client({ logger: log });
    const bytes = Buffer.from('hello from slipway\n');
    const blob = blobOf(bytes);

    expect(await oci.hasBlob(host, 'tests/mono', blob.digest)).toBe(false);
    expect(await oci.pushBlob(host, 'tests/mono', blob)).toEqual({ uploaded: true, mounted: false, bytes: bytes.length });
    expect(log.requests.map((r) => `${r.method} ${r.status}`)).toEqual(['HEAD 404', 'HEAD 404', 'POST 202', 'PUT 201']);
    expect(await oci.hasBlob(host, 'tests/mono', blob.digest)).toBe(true);
    expect(await text(await oci.getBlob(host, 'tests/mono', blob.digest))).toBe(bytes.toString());

    log.requests.length = 0;
    expect(await oci.pushBlob(host, 'tests/mono', blob)).toEqual({ uploaded: false, mounted: false, bytes: 0 });
    expect(log.requests.map((r) => r.method)).toEqual(['HEAD']);
  });

  it('uploads a blob above chunkSize in Content-Range PATCHes and the registry stores it whole', async () => {
    const log = requestLog();
    const oci = client({ chunkSize: 64 * 1024, logger: log });
    const bytes = randomBytes(300 * 1024);
    // Feed it in odd-sized pieces so chunk boundaries do not line up with the source's.
    const blob: BlobSource = { digest: sha256(bytes), size: bytes.length, open: () => Readable.from(splitInto(bytes, 10_007)) };
    expect(await oci.pushBlob(host, 'tests/chunked', blob)).toEqual({ uploaded: true, mounted: false, bytes: bytes.length });
    expect(log.requests.filter((r) => r.method === 'PATCH')).toHaveLength(5);
    expect(log.requests.at(-1)).toMatchObject({ method: 'PUT', status: 201 });
    const back = Buffer.concat(await (await oci.getBlob(host, 'tests/chunked', blob.digest)).toArray());
    expect(back.equals(bytes)).toBe(true);
  });

  it('round-trips manifests with OCI and Docker media types, by tag and by digest', async () => {
    const oci = client();
    const config = Buffer.from('{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}');
    await oci.pushBlob(host, 'tests/manifests', blobOf(config));
    const variants = [
      { mediaType: 'application/vnd.oci.image.manifest.v1+json', configType: 'application/vnd.oci.image.config.v1+json', tag: 'oci' },
      { mediaType: 'application/vnd.docker.distribution.manifest.v2+json', configType: 'application/vnd.docker.container.image.v1+json', tag: 'docker' },
    ];
    const digests: string[] = [];
    for (const { mediaType, configType, tag } of variants) {
      const bytes = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType, config: { mediaType: configType, digest: sha256(config), size: config.length }, layers: [] }));
      const digest = await oci.putManifest(host, 'tests/manifests', tag, { mediaType, bytes });
      expect(digest).toBe(sha256(bytes));
      digests.push(digest);
      for (const reference of [tag, digest]) {
        const got = await oci.getManifest(host, 'tests/manifests', reference);
        expect(got).toEqual({ mediaType, digest, bytes });
      }
      expect(await oci.headManifest(host, 'tests/manifests', tag)).toEqual({ digest, mediaType, size: bytes.length });
    }
    const index = Buffer.from(JSON.stringify({
      schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: [{ mediaType: variants[0]!.mediaType, digest: digests[0], size: 0, platform: { os: 'linux', architecture: 'amd64' } }],
    }));
    const indexDigest = await oci.putManifest(host, 'tests/manifests', 'multi', { mediaType: 'application/vnd.oci.image.index.v1+json', bytes: index });
    expect(await oci.getManifest(host, 'tests/manifests', indexDigest)).toEqual({ mediaType: 'application/vnd.oci.image.index.v1+json', digest: indexDigest, bytes: index });
  });

  it('reports a missing manifest with the registry error code, status, URL and a hint', async () => {
    const error = await client().getManifest(host, 'tests/manifests', 'nope').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RegistryError);
    expect(error).toMatchObject({ service: 'registry', status: 404, codes: ['MANIFEST_UNKNOWN'], url: `http://${host}/v2/tests/manifests/manifests/nope` });
    expect((error as RegistryError).message).toMatch(/^registry: GET http:\/\/.* answered 404 MANIFEST_UNKNOWN/);
    expect((error as RegistryError).hint).toMatch(/repository name and tag/);
    expect(await client().headManifest(host, 'tests/manifests', 'nope')).toBeUndefined();
  });

  it('refuses a manifest whose blobs are missing, naming BLOB_UNKNOWN / MANIFEST_BLOB_UNKNOWN', async () => {
    const missing = sha256(Buffer.from('never pushed'));
    const mediaType = 'application/vnd.oci.image.manifest.v1+json';
    const bytes = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType, config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: missing, size: 12 }, layers: [] }));
    const error = (await client().putManifest(host, 'tests/manifests', 'broken', { mediaType, bytes }).catch((e: unknown) => e)) as RegistryError;
    expect(error).toBeInstanceOf(RegistryError);
    expect(error.status).toBe(400);
    expect(error.codes.join()).toMatch(/BLOB_UNKNOWN/);
  });

  it('mounts a blob from another repository (201) and falls back to an upload when the source lacks it (202)', async () => {
    const log = requestLog();
    const oci = client({ logger: log });
    const blob = blobOf(randomBytes(2048));
    await oci.pushBlob(host, 'tests/base', blob);
    log.requests.length = 0;
    expect(await oci.pushBlob(host, 'tests/app', blob, { mountFrom: 'tests/base' })).toEqual({ uploaded: false, mounted: true, bytes: 0 });
    expect(log.requests.map((r) => `${r.method} ${r.status}`)).toEqual(['HEAD 404', 'POST 201']);
    expect(await oci.hasBlob(host, 'tests/app', blob.digest)).toBe(true);

    const other = blobOf(randomBytes(1024));
    expect(await oci.pushBlob(host, 'tests/app', other, { mountFrom: 'tests/empty-source' })).toEqual({ uploaded: true, mounted: false, bytes: 1024 });
    expect(await oci.hasBlob(host, 'tests/app', other.digest)).toBe(true);
  });

  it('fails an upload whose local bytes do not match the digest, and leaves nothing behind', async () => {
    const oci = client();
    const claimed = Buffer.from('what the layout says');
    const blob: BlobSource = { digest: sha256(claimed), size: claimed.length, open: () => Readable.from([Buffer.from('what the disk holds!')]) };
    await expect(oci.pushBlob(host, 'tests/damaged', blob)).rejects.toThrow(InputError);
    expect(await oci.hasBlob(host, 'tests/damaged', blob.digest)).toBe(false);
    const chunked = client({ chunkSize: 8 });
    await expect(chunked.pushBlob(host, 'tests/damaged', blob)).rejects.toThrow(/hashing to sha256:/);
    expect(await chunked.hasBlob(host, 'tests/damaged', blob.digest)).toBe(false);
  });

  it('stops at once when the signal aborts', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(client().hasBlob(host, 'tests/mono', sha256(Buffer.from('x')), controller.signal)).rejects.toThrow(CancelledError);
  });

  it('pushes an image skopeo reads back: same digest, layers and platform', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'slipway-image-'));
    try {
      await writeFile(join(dir, 'hello.txt'), 'hello\n');
      const { stdout: tar } = await run('tar', ['--sort=name', '--mtime=@0', '--owner=0', '--group=0', '--numeric-owner', '-cf', '-', '-C', dir, 'hello.txt'], { encoding: 'buffer' });
      const layer = gzipSync(tar);
      const config = Buffer.from(JSON.stringify({
        architecture: 'amd64', os: 'linux', config: { Cmd: ['/hello'] },
        rootfs: { type: 'layers', diff_ids: [sha256(tar)] },
        history: [{ created_by: 'slipway test' }],
      }));
      const oci = client();
      await oci.pushBlob(host, 'tests/skopeo', blobOf(layer));
      await oci.pushBlob(host, 'tests/skopeo', blobOf(config));
      const mediaType = 'application/vnd.oci.image.manifest.v1+json';
      const manifest = Buffer.from(JSON.stringify({
        schemaVersion: 2, mediaType,
        config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha256(config), size: config.length },
        layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: sha256(layer), size: layer.length }],
      }));
      const digest = await oci.putManifest(host, 'tests/skopeo', 'v1', { mediaType, bytes: manifest });
      const { stdout } = await run('skopeo', ['inspect', '--tls-verify=false', `docker://${host}/tests/skopeo:v1`]);
      const inspected = JSON.parse(stdout) as { Digest: string; Layers: string[]; Architecture: string; Os: string };
      expect(inspected).toMatchObject({ Digest: digest, Layers: [sha256(layer)], Architecture: 'amd64', Os: 'linux' });
      const { stdout: raw } = await run('skopeo', ['inspect', '--raw', '--tls-verify=false', `docker://${host}/tests/skopeo:v1`], { encoding: 'buffer' });
      expect(raw.equals(manifest)).toBe(true);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

function splitInto(bytes: Buffer, size: number): Buffer[] {
  const pieces: Buffer[] = [];
  for (let offset = 0; offset < bytes.length; offset += size) pieces.push(bytes.subarray(offset, offset + size));
  return pieces;
}
