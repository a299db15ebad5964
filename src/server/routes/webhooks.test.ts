import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempHome } from '../../../test/support/cli.ts';
import { problemOf } from '../../../test/support/problem.ts';
import { createApiTokens, jsonOf, startServer, type RunningServer } from '../../../test/support/serve.ts';

const SECRET = 'trigger-secret-7d41c0e9b2';
const { home, cwd } = tempHome('slipway-webhooks-');
writeFileSync(join(cwd, 'slipway.yaml'), 'local:\n  runtime: process\n');
let server: RunningServer;
let tokens: Record<'read' | 'write', string>;

beforeAll(async () => {
  tokens = await createApiTokens(home);
  server = await startServer({ home, cwd });
});

afterAll(async () => {
  if (server) expect(await server.stop()).toBe(0);
});

function call(method: string, path: string, options: { token?: keyof typeof tokens | null; body?: unknown } = {}): Promise<Response> {
  const token = options.token === undefined ? 'write' : options.token;
  return fetch(`${server.url}${path}`, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${tokens[token]}` } : {}),
      ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    ...(options.body !== undefined ? { body: typeof options.body === 'string' ? options.body : JSON.stringify(options.body) } : {}),
  });
}

describe('/v1/webhooks', () => {
  it('subscribes, lists oldest first, gets and unsubscribes; the secret is never shown', async () => {
    const created = await call('POST', '/v1/webhooks', { body: { url: 'http://127.0.0.1:5678/webhook/slipway', events: ['run.failed', 'run.succeeded', 'run.failed'], secret: SECRET, name: 'n8n trigger' } });
    const first = await jsonOf(created);
    expect(created.status, JSON.stringify(first)).toBe(201);
    expect(first).toEqual({
      id: expect.stringMatching(/^whk_[0-9a-f]{26}$/), url: 'http://127.0.0.1:5678/webhook/slipway',
      // Each event once, in Slipway's order.
      events: ['run.succeeded', 'run.failed'], name: 'n8n trigger', createdAt: expect.any(String),
    });
    expect(created.headers.get('location')).toBe(`/v1/webhooks/${first.id}`);
    expect(Date.parse(first.createdAt)).toBeGreaterThan(Date.now() - 60_000);

    const defaulted = await jsonOf(call('POST', '/v1/webhooks', { body: { url: 'https://hooks.example.org/slipway' } }));
    expect(defaulted).toEqual({ id: expect.stringMatching(/^whk_/), url: 'https://hooks.example.org/slipway', events: ['run.succeeded', 'run.failed'], createdAt: expect.any(String) });

    const listed = await call('GET', '/v1/webhooks', { token: 'read' });
    expect(listed.status).toBe(200);
    const listText = await listed.text();
    expect(JSON.parse(listText)).toEqual({ webhooks: [first, defaulted] });
    const got = await call('GET', `/v1/webhooks/${first.id}`, { token: 'read' });
    const gotText = await got.text();
    expect(got.status).toBe(200);
    expect(JSON.parse(gotText)).toEqual(first);
    for (const text of [listText, gotText]) expect(text).not.toContain(SECRET);

    const deleted = await call('DELETE', `/v1/webhooks/${first.id}`);
    expect(deleted.status).toBe(204);
    expect(await deleted.text()).toBe('');
    expect(await jsonOf(call('GET', '/v1/webhooks'))).toEqual({ webhooks: [defaulted] });
    expect(await call('DELETE', `/v1/webhooks/${defaulted.id}`).then((r) => r.status)).toBe(204);
    expect(await jsonOf(call('GET', '/v1/webhooks'))).toEqual({ webhooks: [] });

    // The server's log has the requests, not the secret.
    expect(readFileSync(join(home, 'logs', 'slipway.log'), 'utf8')).not.toContain(SECRET);
  });

  it('404 for an id it does not know, to get and to delete', async () => {
    const unknown = 'whk_0123456789abcdef0123456789';
    const got = await problemOf(await call('GET', `/v1/webhooks/${unknown}`), 404);
    expect(got.detail).toBe(`no webhook subscription ${unknown}`);
    expect(got.hint).toContain('GET /v1/webhooks');
    expect((await problemOf(await call('DELETE', `/v1/webhooks/${unknown}`), 404)).detail).toBe(`no webhook subscription ${unknown}`);
    // Something that is no id at all is not echoed.
    expect((await problemOf(await call('GET', '/v1/webhooks/%3Cscript%3E'), 404)).detail).toBe('no webhook subscription');
  });

  it('422 for a body that does not validate, saying what to fix without quoting the secret', async () => {
    const refused = async (body: unknown) => (await problemOf(await call('POST', '/v1/webhooks', { body }), 422)).detail as string;
    expect(await refused({ url: 'http://127.0.0.1:5678/hook', colour: 'red' })).toMatch(/colour/);
    expect(await refused({ url: 'ftp://files.example.org/hook' })).toMatch(/^url: must be an http:\/\/ or https:\/\/ URL/);
    expect(await refused({ url: 'not a url' })).toMatch(/^url: /);
    expect(await refused({})).toMatch(/^url: /);
    expect(await refused({ url: 'http://127.0.0.1:5678/hook', events: ['run.started'] })).toMatch(/events\.0: each event must be one of run\.succeeded, run\.failed, run\.cancelled/);
    expect(await refused({ url: 'http://127.0.0.1:5678/hook', events: [] })).toMatch(/^events: list at least one/);
    expect(await refused({ url: 'http://127.0.0.1:5678/hook', name: '' })).toMatch(/^name: must be 1 to 64 characters/);
    expect(await refused({ url: 'http://127.0.0.1:5678/hook', name: 'x'.repeat(65) })).toMatch(/^name: /);
    const short = 'tooshort-secret';
    const detail = await refused({ url: 'http://127.0.0.1:5678/hook', secret: short });
    expect(detail).toBe('secret: must be 16 to 256 printable ASCII characters');
    expect(await refused({ url: 'http://127.0.0.1:5678/hook', secret: `${SECRET}\n` })).not.toContain(SECRET);
    // Nothing was stored by any of them.
    expect(await jsonOf(call('GET', '/v1/webhooks'))).toEqual({ webhooks: [] });
    // JSON that does not parse is a 400.
    await problemOf(await call('POST', '/v1/webhooks', { body: '{"url": ' }), 400);
  });

  it('asks for a token, and for scope write to subscribe and unsubscribe', async () => {
    await problemOf(await call('GET', '/v1/webhooks', { token: null }), 401);
    await problemOf(await call('POST', '/v1/webhooks', { token: null, body: { url: 'http://127.0.0.1:5678/hook' } }), 401);
    const forbidden = await problemOf(await call('POST', '/v1/webhooks', { token: 'read', body: { url: 'http://127.0.0.1:5678/hook' } }), 403);
    expect(forbidden.detail).toMatch(/write/);
    expect(await jsonOf(call('GET', '/v1/webhooks', { token: 'read' }))).toEqual({ webhooks: [] });

    const { id } = await jsonOf(call('POST', '/v1/webhooks', { body: { url: 'http://127.0.0.1:5678/hook' } }));
    await problemOf(await call('DELETE', `/v1/webhooks/${id}`, { token: 'read' }), 403);
    expect((await jsonOf(call('GET', `/v1/webhooks/${id}`, { token: 'read' }))).id).toBe(id);
    expect((await call('DELETE', `/v1/webhooks/${id}`)).status).toBe(204);
  });

  it('is in the OpenAPI document', async () => {
    const document = await jsonOf(fetch(`${server.url}/openapi.json`));
    expect(Object.keys(document.paths['/v1/webhooks'])).toEqual(['post', 'get']);
    expect(Object.keys(document.paths['/v1/webhooks/{id}'])).toEqual(['get', 'delete']);
    expect(Object.keys(document.components.schemas)).toEqual(expect.arrayContaining(['CreateWebhook', 'Webhook', 'WebhookList']));
    expect(document.components.schemas.Webhook.properties).not.toHaveProperty('secret');
  });
});
