import { Writable } from 'node:stream';
import { Hono } from 'hono';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { ConfigError, ConflictError, ExternalServiceError, InputError, NotFoundError } from '../domain/index.ts';
import { errorProblem } from './errors.ts';

/** A Hono app whose one route throws `error`, with the server's error handler and a log kept in memory. */
function throwing(error: unknown) {
  const lines: string[] = [];
  const logger = pino({ level: 'info' }, new Writable({ write: (chunk, _encoding, done) => void (lines.push(String(chunk)), done()) }));
  const app = new Hono();
  app.all('/v1/thing', () => {
    throw error;
  });
  app.onError((err, c) => errorProblem(err, c, logger));
  return { app, lines };
}

async function problemOf(response: Response) {
  expect(response.headers.get('content-type')).toBe('application/problem+json');
  return response.json() as Promise<Record<string, unknown>>;
}

describe('errorProblem', () => {
  it('gives an InputError 422 when the request carried a JSON body, 400 when it came from the URL', async () => {
    const { app } = throwing(new InputError("'Bad_Name' is not allowed", { hint: 'Pass a valid name.' }));
    const body = await app.request('/v1/thing', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(body.status).toBe(422);
    expect(await problemOf(body)).toEqual({
      type: 'https://slipway.dev/problems/invalid-input', title: 'Invalid input', status: 422,
      detail: "'Bad_Name' is not allowed", hint: 'Pass a valid name.', instance: '/v1/thing',
    });
    const url = await app.request('/v1/thing');
    expect(url.status).toBe(400);
    expect((await problemOf(url)).title).toBe('Bad request');
  });

  it('gives NotFoundError 404 and ConflictError 409, with their hints', async () => {
    expect((await throwing(new NotFoundError('no app named x', { hint: 'List apps.' })).app.request('/v1/thing')).status).toBe(404);
    const conflict = await throwing(new ConflictError('an app named x exists already', { hint: 'Choose another name.' })).app.request('/v1/thing');
    expect(conflict.status).toBe(409);
    expect(await problemOf(conflict)).toMatchObject({ detail: 'an app named x exists already', hint: 'Choose another name.' });
  });

  it("shows a ConfigError's message and hint as a 500 (the server's own slipway.yaml), and logs it", async () => {
    const { app, lines } = throwing(new ConfigError('registry.host is not set', { hint: 'Set registry.host in slipway.yaml.' }));
    const response = await app.request('/v1/thing');
    expect(response.status).toBe(500);
    expect(await problemOf(response)).toMatchObject({ title: 'Server misconfigured', detail: 'registry.host is not set', hint: 'Set registry.host in slipway.yaml.' });
    expect(lines.join('')).toContain('registry.host is not set');
  });

  it('answers any other error with a generic 500 and keeps the error itself in the log only', async () => {
    for (const error of [new Error('connect ECONNREFUSED https://user:s3cret@git.lab/x.git'), new ExternalServiceError('registry', 'token s3cret refused')]) {
      const { app, lines } = throwing(error);
      const response = await app.request('/v1/thing');
      expect(response.status).toBe(500);
      const text = await response.text();
      expect(text).not.toContain('s3cret');
      expect(text).not.toMatch(/at .+:\d+:\d+/);
      expect(JSON.parse(text)).toMatchObject({ title: 'Internal error', detail: 'the server failed to answer this request; its log says why' });
      expect(lines.join('')).toContain('unexpected error in a request');
    }
  });
});
