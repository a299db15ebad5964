import { createHash, randomBytes } from 'node:crypto';
import { createServer, request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRegistry, type RegistryServer } from '../../../test/support/registry-server.ts';
import { ExternalServiceError } from '../../domain/errors.ts';
import type { BlobSource } from '../../ports/image-registry.ts';
import { OciRegistry, type RegistryLogger } from './oci-registry.ts';
import { RegistryError } from './registry-error.ts';

const sha256 = (bytes: Buffer) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
const blobOf = (bytes: Buffer): BlobSource => ({ digest: sha256(bytes), size: bytes.length, open: () => Readable.from([bytes]) });
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';

type Tamper = (method: string, path: string, response: { status: number; headers: IncomingHttpHeaders; body: Buffer }) => void;

/** A proxy in front of the real registry that lets a test alter answers on their way back. */
async function tamperingProxy(target: string, tamper: Tamper): Promise<{ host: string; server: Server }> {
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const upstream = httpRequest(`${target}${req.url}`, { method: req.method, headers: { ...req.headers, host: new URL(target).host } }, async (answer) => {
      const parts: Buffer[] = [];
      for await (const chunk of answer) parts.push(chunk as Buffer);
      const response = { status: answer.statusCode!, headers: { ...answer.headers }, body: Buffer.concat(parts) };
      tamper(req.method!, req.url!, response);
      res.writeHead(response.status, response.headers).end(req.method === 'HEAD' ? undefined : response.body);
    });
    upstream.end(Buffer.concat(chunks));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { host: `127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

/** Flips the last byte, keeping the length (so only a hash can tell). */
const flipLast = (body: Buffer) => {
  body[body.length - 1] = body[body.length - 1]! ^ 0xff;
};

let registry: RegistryServer;
beforeAll(async () => {
  registry = await startRegistry({ mode: 'plain' });
});
afterAll(async () => {
  await registry?.stop();
});

describe('digest verification against a proxy that alters content', () => {
  it('rejects an altered manifest, an altered blob, and a wrong digest header', async () => {
    const direct = new OciRegistry({ insecureRegistries: [registry.host] });
    const config = Buffer.from('{"architecture":"amd64","os":"linux"}');
    await direct.pushBlob(registry.host, 'tests/tamper', blobOf(config));
    const manifest = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST, config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha256(config), size: config.length }, layers: [] }));
    const digest = await direct.putManifest(registry.host, 'tests/tamper', 'v1', { mediaType: OCI_MANIFEST, bytes: manifest });

    const proxy = await tamperingProxy(registry.url, (method, path, response) => {
      if (method === 'GET' && response.status === 200) flipLast(response.body);
      if (method === 'HEAD' && path.includes('/blobs/')) response.headers['docker-content-digest'] = sha256(Buffer.from('something else'));
      if (method === 'PUT' && response.status === 201) response.headers['docker-content-digest'] = sha256(Buffer.from('not it'));
    });
    try {
      const oci = new OciRegistry({ insecureRegistries: [proxy.host], retry: { attempts: 1 } });
      await expect(oci.getManifest(proxy.host, 'tests/tamper', 'v1')).rejects.toThrow(/answered with Docker-Content-Digest sha256:[0-9a-f]{64}, but the content is sha256:/);
      await expect(oci.getManifest(proxy.host, 'tests/tamper', digest)).rejects.toThrow(`the manifest ${digest} from http://${proxy.host}/v2/tests/tamper/manifests/${digest} hashes to`);
      const stream = await oci.getBlob(proxy.host, 'tests/tamper', sha256(config));
      await expect(stream.toArray()).rejects.toThrow(RegistryError);
      await expect(oci.hasBlob(proxy.host, 'tests/tamper', sha256(config))).rejects.toThrow(/Docker-Content-Digest/);
      await expect(oci.putManifest(proxy.host, 'tests/tamper', 'v2', { mediaType: OCI_MANIFEST, bytes: manifest })).rejects.toThrow(/Docker-Content-Digest/);
    } finally {
      await new Promise((resolve) => proxy.server.close(resolve));
    }
  });
});

describe('the registry going away in the middle of a chunked push', () => {
  const chunkSize = 64 * 1024;

  /** A 300 KiB blob whose first read stops the registry after 100 KiB, and runs `then` afterwards. */
  function blobThatStopsTheRegistry(then: () => void): BlobSource & { opened: number } {
    const bytes = randomBytes(300 * 1024);
    const blob = {
      digest: sha256(bytes), size: bytes.length, opened: 0,
      open: () => {
        const first = blob.opened++ === 0;
        return Readable.from((async function* () {
          for (let offset = 0; offset < bytes.length; offset += 10 * 1024) {
            if (first && offset === 100 * 1024) {
              await registry.stopProcess();
              then();
            }
            yield bytes.subarray(offset, offset + 10 * 1024);
          }
        })());
      },
    };
    return blob;
  }

  it('retries with a fresh session and succeeds once the registry is back', async () => {
    const warned: Array<{ code?: string; attempt: number }> = [];
    const logger: RegistryLogger = { debug: () => {}, warn: (object) => warned.push(object as { code?: string; attempt: number }) };
    const oci = new OciRegistry({ insecureRegistries: [registry.host], chunkSize, retry: { attempts: 8, baseDelayMs: 100, maxDelayMs: 400 }, logger });
    let restarted: Promise<void> | undefined;
    const blob = blobThatStopsTheRegistry(() => {
      restarted = new Promise((resolve) => setTimeout(resolve, 400)).then(() => registry.startProcess());
    });
    expect(await oci.pushBlob(registry.host, 'tests/outage', blob)).toEqual({ uploaded: true, mounted: false, bytes: blob.size });
    await restarted;
    expect(blob.opened).toBe(2);
    // The request in flight finds its kept-alive socket reset; the fresh sessions after it are refused until the restart.
    expect(warned[0]).toMatchObject({ code: expect.stringMatching(/^(ECONNRESET|ECONNREFUSED)$/), attempt: 1 });
    expect(warned.map((w) => w.code)).toContain('ECONNREFUSED');
    const back = Buffer.concat(await (await oci.getBlob(registry.host, 'tests/outage', blob.digest)).toArray());
    expect(sha256(back)).toBe(blob.digest);
  });

  it('fails cleanly naming the registry when it stays down, and a later push of the same blob succeeds', async () => {
    const oci = new OciRegistry({ insecureRegistries: [registry.host], chunkSize, retry: { attempts: 3, baseDelayMs: 20, maxDelayMs: 50 } });
    const blob = blobThatStopsTheRegistry(() => {});
    const error = (await oci.pushBlob(registry.host, 'tests/outage-down', blob).catch((e: unknown) => e)) as RegistryError;
    expect(error).toBeInstanceOf(ExternalServiceError);
    expect(error).toMatchObject({ service: 'registry', errorCode: 'ECONNREFUSED', hint: `Is the registry running at ${registry.host}?` });
    expect(error.message).toMatch(new RegExp(`^registry: (PATCH|POST) http://${registry.host.replace(/\./g, '\\.')}/v2/tests/outage-down/blobs/uploads/`));

    await registry.startProcess();
    expect(await oci.hasBlob(registry.host, 'tests/outage-down', blob.digest)).toBe(false);
    expect(await oci.pushBlob(registry.host, 'tests/outage-down', blob)).toEqual({ uploaded: true, mounted: false, bytes: blob.size });
    expect(await oci.hasBlob(registry.host, 'tests/outage-down', blob.digest)).toBe(true);
  });
});
