import { once } from 'node:events';
import { createServer as createHttpServer } from 'node:http';
import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigError, ExternalServiceError } from '../../domain/errors.ts';
import { ServerClient } from './server-client.ts';

/** A TCP server that takes connections and never answers: a hung server or a black-holed proxy. */
let silent: Server;
const sockets: Socket[] = [];
let url: URL;

beforeAll(async () => {
  silent = createServer((socket) => sockets.push(socket)).listen(0, '127.0.0.1');
  await once(silent, 'listening');
  url = new URL(`http://127.0.0.1:${(silent.address() as { port: number }).port}/`);
});

afterAll(() => {
  for (const socket of sockets) socket.destroy();
  silent.close();
});

describe('ServerClient', () => {
  it('gives up on a call the server does not answer in time, naming the server', async () => {
    const client = new ServerClient({ url }, { timeoutMs: 300 });
    const started = Date.now();
    const call = client.call('GET', 'v1/apps', z.unknown());
    await expect(call).rejects.toThrow(ExternalServiceError);
    await expect(call).rejects.toThrow(`Slipway server ${url.origin}: no answer within 0.3 s`);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('gives up on an event stream whose head does not come in time', async () => {
    const client = new ServerClient({ url }, { timeoutMs: 300 });
    await expect(client.open('v1/runs/run-20260101000000-abcdef/events', {})).rejects.toThrow('no answer within 0.3 s');
  });

  it('passes a caller abort on as it is, not as the server failing', async () => {
    const client = new ServerClient({ url }, { timeoutMs: 10_000 });
    const controller = new AbortController();
    const opening = client.open('v1/runs/run-20260101000000-abcdef/events', {}, controller.signal);
    controller.abort(new Error('Ctrl-C'));
    await expect(opening).rejects.toThrow('Ctrl-C');
    await expect(opening).rejects.not.toThrow(ExternalServiceError);
  });

  it('does not follow a redirect, which would drop or leak the token, and says where it points', async () => {
    // A reverse proxy sending plain HTTP to HTTPS, as RFC 9110 redirects look.
    const seen: Array<string | undefined> = [];
    const proxy = createHttpServer((request, response) => {
      seen.push(request.headers.authorization);
      response.writeHead(308, { location: 'https://me:pw@slipway.lab.lan/v1/apps' }).end();
    }).listen(0, '127.0.0.1');
    await once(proxy, 'listening');
    try {
      const client = new ServerClient({ url: new URL(`http://127.0.0.1:${(proxy.address() as { port: number }).port}/`), token: 'slw_secret' });
      const call = client.call('GET', 'v1/apps', z.unknown());
      await expect(call).rejects.toThrow(ConfigError);
      await expect(call).rejects.toThrow(/redirects to https:\/\/\*\*\*@slipway\.lab\.lan\/v1\/apps$/);
      await expect(client.open('v1/runs/run-20260101000000-abcdef/events', {})).rejects.toThrow(ConfigError);
      // One request each, to the address given only.
      expect(seen).toEqual(['Bearer slw_secret', 'Bearer slw_secret']);
    } finally {
      proxy.close();
    }
  });
});
