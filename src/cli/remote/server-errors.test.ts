import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, ConflictError, ExternalServiceError, InputError, NotFoundError } from '../../domain/errors.ts';
import { exitCodeFor } from '../exit-codes.ts';
import { errorFromResponse, unreachable } from './server-errors.ts';

const problem = (status: number, body: object, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/problem+json', ...headers } });

describe('errorFromResponse', () => {
  it.each([
    [400, InputError], [413, InputError], [422, InputError], [429, InputError],
    [401, ConfigError], [403, ConfigError], [404, NotFoundError], [409, ConflictError],
  ] as const)('turns %i into a %o with exit 2 and keeps the detail', async (status, type) => {
    const error = await errorFromResponse(problem(status, { title: 't', status, detail: 'what went wrong', hint: 'what to do' }), 'http://127.0.0.1:1');
    expect(error).toBeInstanceOf(type);
    expect(error.message).toBe('what went wrong');
    // A 401's hint is the command line's own: set SLIPWAY_TOKEN.
    expect(error.hint).toEqual(status === 401 ? expect.stringContaining('SLIPWAY_TOKEN') : 'what to do');
    expect(exitCodeFor(error)).toBe(2);
  });

  it('turns a server failure into exit 1 naming the server', async () => {
    const error = await errorFromResponse(problem(500, { title: 'Internal Server Error', status: 500, detail: 'store is locked' }), 'http://127.0.0.1:8420');
    expect(error).toBeInstanceOf(ExternalServiceError);
    expect(error.message).toBe('Slipway server http://127.0.0.1:8420: answered 500: store is locked');
    expect(exitCodeFor(error)).toBe(1);
  });

  it('reads a body that is not problem details from its status alone', async () => {
    const error = await errorFromResponse(new Response('<html>Bad Gateway</html>', { status: 502, statusText: 'Bad Gateway' }), 'https://lab.lan');
    expect(error.message).toBe('Slipway server https://lab.lan: answered 502: HTTP 502 Bad Gateway');
  });

  it('says when to try again after 429, and how to fix a token after 401', async () => {
    expect((await errorFromResponse(problem(429, { detail: 'too many requests' }, { 'retry-after': '17' }), 's')).hint).toBe('Try again in 17 s.');
    expect((await errorFromResponse(problem(401, { detail: 'unknown token' }), 's')).hint).toContain('SLIPWAY_TOKEN');
  });

  it('cuts the token out of anything the server echoes', async () => {
    const token = 'slw_AAAAbbbbCCCCddddEEEEffffGGGGhhhhIIIIjjjjKKK';
    const error = await errorFromResponse(problem(401, { detail: `unknown token ${token}`, hint: `not ${token}` }), 's', token);
    expect(`${error.message} ${error.hint}`).not.toContain(token);
    expect(error.message).toBe('unknown token [redacted]');
  });
});

describe('unreachable', () => {
  let server: Server;
  let closedPort: number;
  beforeAll(async () => {
    // A port that was just free: nothing listens there, so connecting is refused.
    server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    closedPort = (server.address() as AddressInfo).port;
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  afterAll(() => server.close());

  it('names the server and the reason fetch gave, exit 1', async () => {
    const cause = await fetch(`http://127.0.0.1:${closedPort}/`).catch((error: unknown) => error);
    const error = unreachable(`http://127.0.0.1:${closedPort}`, cause);
    expect(error.message).toBe(`Slipway server http://127.0.0.1:${closedPort}: cannot be reached (connection refused)`);
    expect(error.hint).toContain('slipway serve');
    expect(exitCodeFor(error)).toBe(1);
  });

  it('says how long it waited when the server did not answer in time', () => {
    const error = unreachable('http://lab.lan', new DOMException('timed out', 'TimeoutError'), 30_000);
    expect(error.message).toBe('Slipway server http://lab.lan: no answer within 30 s');
  });
});
