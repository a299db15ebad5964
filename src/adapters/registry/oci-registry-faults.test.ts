import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { CancelledError, ExternalServiceError } from '../../domain/errors.ts';
import type { BlobSource } from '../../ports/image-registry.ts';
import { OciRegistry, type RegistryLogger } from './oci-registry.ts';
import { RegistryError } from './registry-error.ts';

const sha256 = (bytes: Buffer) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
const blobOf = (bytes: Buffer): BlobSource => ({ digest: sha256(bytes), size: bytes.length, open: () => Readable.from([bytes]) });
const fast = { attempts: 4, baseDelayMs: 10, maxDelayMs: 50 };

interface Fake {
  host: string;
  url: string;
  seen: Array<{ method: string; path: string; authorization?: string }>;
  close(): Promise<void>;
}

/** A scripted server speaking the registry's wire format, for faults the real one will not produce on demand. */
async function fake(handler: (req: IncomingMessage, res: ServerResponse, body: Buffer) => void, address = '127.0.0.1'): Promise<Fake> {
  const seen: Fake['seen'] = [];
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    seen.push({ method: req.method!, path: req.url!, ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}) });
    handler(req, res, Buffer.concat(chunks));
  });
  await new Promise<void>((resolve) => server.listen(0, address, resolve));
  const host = `${address}:${(server.address() as AddressInfo).port}`;
  return { host, url: `http://${host}`, seen, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

function warnings(): RegistryLogger & { warned: object[] } {
  const warned: object[] = [];
  return { warned, debug: () => {}, warn: (object) => warned.push(object) };
}

describe('retries', () => {
  it('waits as long as Retry-After says after a 429, then succeeds', async () => {
    const digest = sha256(Buffer.from('x'));
    let calls = 0;
    const server = await fake((_req, res) => {
      if (calls++ === 0) res.writeHead(429, { 'retry-after': '1', 'content-type': 'application/json' }).end('{"errors":[{"code":"TOOMANYREQUESTS","message":"slow down"}]}');
      else res.writeHead(200, { 'docker-content-digest': digest }).end();
    });
    try {
      const log = warnings();
      const started = Date.now();
      expect(await new OciRegistry({ insecureRegistries: [server.host], retry: fast, logger: log }).hasBlob(server.host, 'a/b', digest)).toBe(true);
      expect(Date.now() - started).toBeGreaterThanOrEqual(950);
      expect(server.seen).toHaveLength(2);
      expect(log.warned).toEqual([expect.objectContaining({ status: 429, delayMs: 1000, attempt: 1 })]);
    } finally {
      await server.close();
    }
  });

  it('retries 503s on a manifest PUT, then gives up after the set attempts with the status and a hint', async () => {
    let failures = 2;
    const server = await fake((_req, res, body) => {
      if (failures-- > 0) res.writeHead(503).end('upstream unavailable');
      else res.writeHead(201, { 'docker-content-digest': sha256(body) }).end();
    });
    try {
      const oci = new OciRegistry({ insecureRegistries: [server.host], retry: fast });
      const bytes = Buffer.from('{"schemaVersion":2}');
      expect(await oci.putManifest(server.host, 'a/b', 'v1', { mediaType: 'application/vnd.oci.image.manifest.v1+json', bytes })).toBe(sha256(bytes));
      expect(server.seen.map((r) => r.method)).toEqual(['PUT', 'PUT', 'PUT']);

      failures = 100;
      server.seen.length = 0;
      const error = (await oci.getManifest(server.host, 'a/b', 'v1').catch((e: unknown) => e)) as RegistryError;
      expect(error).toMatchObject({ status: 503, retryable: true, hint: expect.stringMatching(/check its logs/) });
      expect(error.message).toMatch(/answered 503 \(gave up after 4 attempts\)$/);
      expect(server.seen).toHaveLength(fast.attempts);
    } finally {
      await server.close();
    }
  });

  it('restarts a failed upload from a fresh session, keeping the _state query and adding the digest', async () => {
    const bytes = Buffer.from('layer bytes');
    let sessions = 0;
    let puts = 0;
    const server = await fake((req, res, body) => {
      const url = new URL(req.url!, 'http://x');
      if (req.method === 'HEAD') res.writeHead(404).end();
      else if (req.method === 'POST') {
        sessions++;
        // One relative Location, one absolute: both are valid.
        const location = `/v2/a/b/blobs/uploads/s${sessions}?_state=st${sessions}`;
        res.writeHead(202, { location: sessions === 1 ? location : `http://${req.headers.host}${location}` }).end();
      } else if (req.method === 'PUT' && puts++ === 0) res.writeHead(500).end();
      else {
        const ok = url.searchParams.get('_state') === `st${sessions}` && url.searchParams.get('digest') === sha256(body);
        res.writeHead(ok ? 201 : 400, { 'docker-content-digest': sha256(body) }).end();
      }
    });
    try {
      let opened = 0;
      const blob: BlobSource = { ...blobOf(bytes), open: () => (opened++, Readable.from([bytes])) };
      const result = await new OciRegistry({ insecureRegistries: [server.host], retry: fast }).pushBlob(server.host, 'a/b', blob);
      expect(result).toEqual({ uploaded: true, mounted: false, bytes: bytes.length });
      expect(server.seen.map((r) => `${r.method} ${r.path.split('?')[0]}`)).toEqual([
        'HEAD /v2/a/b/blobs/' + blob.digest, 'POST /v2/a/b/blobs/uploads/', 'PUT /v2/a/b/blobs/uploads/s1', 'POST /v2/a/b/blobs/uploads/', 'PUT /v2/a/b/blobs/uploads/s2',
      ]);
      expect(opened).toBe(2);
    } finally {
      await server.close();
    }
  });

  it('gives up cleanly on a refused connection and stops waiting when the signal aborts', async () => {
    const server = await fake(() => {});
    const host = server.host;
    await server.close();
    const log = warnings();
    const error = (await new OciRegistry({ insecureRegistries: [host], retry: fast, logger: log }).hasBlob(host, 'a/b', sha256(Buffer.from('x'))).catch((e: unknown) => e)) as RegistryError;
    expect(error).toBeInstanceOf(ExternalServiceError);
    expect(error).toMatchObject({ service: 'registry', errorCode: 'ECONNREFUSED', hint: `Is the registry running at ${host}?` });
    expect(log.warned).toHaveLength(fast.attempts - 1);

    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const started = Date.now();
    const slow = new OciRegistry({ insecureRegistries: [host], retry: { attempts: 5, baseDelayMs: 10_000, maxDelayMs: 10_000 } });
    await expect(slow.hasBlob(host, 'a/b', sha256(Buffer.from('x')), controller.signal)).rejects.toThrow(CancelledError);
    expect(Date.now() - started).toBeLessThan(2000);
  });
});

describe('token service trouble', () => {
  it('turns an unreachable token realm into a registry error naming the realm', async () => {
    const gone = await fake(() => {});
    await gone.close();
    const server = await fake((_req, res) => res.writeHead(401, { 'www-authenticate': `Bearer realm="${gone.url}/token",service="reg"` }).end());
    try {
      const oci = new OciRegistry({ insecureRegistries: [server.host], retry: fast, credentials: { get: async () => ({ username: 'u', password: 'p' }) } });
      const error = (await oci.hasBlob(server.host, 'a/b', sha256(Buffer.from('x'))).catch((e: unknown) => e)) as RegistryError;
      expect(error).toBeInstanceOf(RegistryError);
      expect(error).toMatchObject({ errorCode: 'ECONNREFUSED', hint: `Is the registry running at ${gone.host}?` });
      expect(error.message).toContain(`GET ${gone.url}/token failed`);
    } finally {
      await server.close();
    }
  });
});

describe('redirects and transport', () => {
  it('follows a blob redirect to another host without forwarding Authorization, and keeps it on the same host', async () => {
    const bytes = randomBytes(1000);
    const digest = sha256(bytes);
    const storage = await fake((_req, res) => res.writeHead(200, { 'content-length': String(bytes.length) }).end(bytes), '127.0.0.2');
    const front = await fake((req, res) => {
      if (!req.headers.authorization) res.writeHead(401, { 'www-authenticate': 'Basic realm="front"' }).end();
      else if (req.url!.includes('/blobs/sha256')) res.writeHead(307, { location: `/v2/a/b/moved/${digest}` }).end();
      else res.writeHead(302, { location: `${storage.url}/bucket/${digest}?X-Signature=abc` }).end();
    });
    try {
      const oci = new OciRegistry({ insecureRegistries: [front.host], retry: fast, credentials: { get: async () => ({ username: 'u', password: 'p' }) } });
      const body = Buffer.concat(await (await oci.getBlob(front.host, 'a/b', digest)).toArray());
      expect(body.equals(bytes)).toBe(true);
      expect(front.seen.map((r) => [r.path.split('/')[4], r.authorization !== undefined])).toEqual([['blobs', false], ['blobs', true], ['moved', true]]);
      expect(storage.seen).toEqual([{ method: 'GET', path: `/bucket/${digest}?X-Signature=abc` }]);
    } finally {
      await front.close();
      await storage.close();
    }
  });

  it('says a registry speaks plain HTTP when HTTPS was tried', async () => {
    const server = await fake((_req, res) => res.writeHead(200).end());
    try {
      const error = (await new OciRegistry({ retry: fast }).hasBlob(server.host, 'a/b', sha256(Buffer.from('x'))).catch((e: unknown) => e)) as RegistryError;
      expect(error).toBeInstanceOf(RegistryError);
      expect(error.hint).toBe(`${server.host} seems to speak plain HTTP: list it as an insecure registry.`);
    } finally {
      await server.close();
    }
  });
});
