import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { CancelledError } from '../../domain/errors.ts';
import { readBody, readTextPrefix, sendRequest } from './request.ts';

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

async function serve(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<URL> {
  const server = createServer(handler);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
}

describe('sendRequest', () => {
  it('follows a redirect to another origin without the Authorization header, and keeps it on the same origin', async () => {
    const seen: Array<string | undefined> = [];
    const other = await serve((req, res) => {
      seen.push(req.headers.authorization);
      res.end('blob');
    });
    const origin = await serve((req, res) => {
      seen.push(req.headers.authorization);
      if (req.url === '/start') res.writeHead(307, { location: '/same' }).end();
      else res.writeHead(302, { location: new URL('/elsewhere', other).href }).end();
    });
    const res = await sendRequest({ url: new URL('/start', origin), headers: { Authorization: 'Bearer s3cret' }, maxRedirects: 5 });
    expect(await readTextPrefix(res, 100)).toBe('blob');
    expect(res.url.origin).toBe(other.origin);
    expect(seen).toEqual(['Bearer s3cret', 'Bearer s3cret', undefined]);
  });

  it('returns the redirect itself when no redirects are allowed', async () => {
    const origin = await serve((_req, res) => res.writeHead(302, { location: 'http://127.0.0.1:9/' }).end());
    const res = await sendRequest({ url: origin });
    expect(res.status).toBe(302);
  });

  it('fails with ETIMEDOUT when the server does not answer in time', async () => {
    const origin = await serve(() => {});
    await expect(sendRequest({ url: origin, timeoutMs: 100 })).rejects.toMatchObject({ code: 'ETIMEDOUT' });
  });

  it('rejects with CancelledError when aborted while waiting, and before sending', async () => {
    const origin = await serve(() => {});
    const controller = new AbortController();
    const pending = sendRequest({ url: origin, signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    await expect(pending).rejects.toBeInstanceOf(CancelledError);
    await expect(sendRequest({ url: origin, signal: AbortSignal.abort() })).rejects.toBeInstanceOf(CancelledError);
  });

  it('sends a body with its length and refuses an answer larger than the limit', async () => {
    const origin = await serve((req, res) => {
      res.end(`${req.method} ${req.headers['content-length']} ${'x'.repeat(100)}`);
    });
    const res = await sendRequest({ method: 'POST', url: origin, body: 'héllo' });
    await expect(readBody(res, 10, () => new Error('too large'))).rejects.toThrow('too large');
    const small = await sendRequest({ method: 'PUT', url: origin, body: Buffer.from('abc') });
    expect((await readBody(small, 1000, () => new Error('too large'))).toString()).toMatch(/^PUT 3 x+$/);
  });
});
