import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../adapters/store/sqlite-database.ts';
import { SqliteTokenStore } from '../../adapters/store/sqlite-token-store.ts';
import { authenticate, requireScope, scopeForMethod } from './bearer.ts';
import type { AccessEnv } from './context.ts';
import { openWhenNoTokens } from './loopback.ts';

function tokenStore(): SqliteTokenStore {
  return new SqliteTokenStore({ db: openDatabase(join(mkdtempSync(join(tmpdir(), 'slipway-bearer-')), 'state.db')) });
}

/** An API shaped like Slipway's: reads, writes by method, and one admin-only route; each answers with its caller. */
function api(tokens: SqliteTokenStore, open: () => boolean | Promise<boolean> = () => false) {
  const app = new Hono<AccessEnv>();
  app.use('/v1/*', authenticate({ tokens, open }));
  app.get('/v1/admin/thing', requireScope('admin'), (c) => c.json({ caller: c.get('caller') }));
  app.use('/v1/*', requireScope(scopeForMethod));
  app.get('/v1/apps', (c) => c.json({ caller: c.get('caller') }));
  app.post('/v1/apps', (c) => c.json({ caller: c.get('caller') }, 202));
  app.delete('/v1/apps/:app', (c) => c.json({ caller: c.get('caller') }, 202));
  return app;
}

const bearer = (token: string) => ({ headers: { Authorization: `Bearer ${token}` } });

async function problemOf(response: Response) {
  expect(response.headers.get('content-type')).toBe('application/problem+json');
  return response.json() as Promise<{ type: string; title: string; status: number; detail: string; hint?: string }>;
}

describe('authenticate', () => {
  it('answers 401 with WWW-Authenticate: Bearer to a request without a token, and says how to get one', async () => {
    const tokens = tokenStore();
    await tokens.create('n8n', 'admin');
    const response = await api(tokens).request('/v1/apps');
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('Bearer realm="slipway"');
    expect(await problemOf(response)).toEqual({
      type: 'https://slipway.dev/problems/missing-token', title: 'Missing token', status: 401, instance: '/v1/apps',
      detail: 'this request needs an API token: the Authorization header is missing',
      hint: expect.stringContaining('slipway token create --name <client> --scope read|write|admin'),
    });
  });

  it('refuses a malformed header, an unknown token and a revoked one with 401, never echoing the token', async () => {
    const tokens = tokenStore();
    const { token } = await tokens.create('n8n', 'admin');
    const app = api(tokens);
    for (const header of [`Basic ${Buffer.from('a:b').toString('base64')}`, 'Bearer', `Bearer ${token} extra`, token]) {
      const response = await app.request('/v1/apps', { headers: { Authorization: header } });
      expect(response.status, header).toBe(401);
      expect(response.headers.get('www-authenticate')).toBe('Bearer realm="slipway", error="invalid_request"');
      expect((await problemOf(response)).detail).toBe("the Authorization header must read 'Bearer <token>'");
    }
    const forged = `slw_${'A'.repeat(43)}`;
    const unknown = await app.request('/v1/apps', bearer(forged));
    expect(unknown.status).toBe(401);
    expect(unknown.headers.get('www-authenticate')).toBe('Bearer realm="slipway", error="invalid_token"');
    const text = await unknown.text();
    expect(text).toContain('Unknown token');
    expect(text).not.toContain(forged);

    expect((await app.request('/v1/apps', bearer(token))).status).toBe(200);
    await tokens.revoke('n8n');
    expect((await app.request('/v1/apps', bearer(token))).status).toBe(401);
  });

  it('sets the caller from the token and accepts any case of the scheme', async () => {
    const tokens = tokenStore();
    const { token } = await tokens.create('ci', 'write');
    const response = await api(tokens).request('/v1/apps', { headers: { Authorization: `bearer  ${token}` } });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ caller: { name: 'ci', scope: 'write' } });
    expect((await tokens.list())[0]!.lastUsedAt).toEqual(expect.any(String));
  });

  it('lets everyone in as an anonymous admin while open, and asks for tokens as soon as one exists', async () => {
    const tokens = tokenStore();
    const app = api(tokens, openWhenNoTokens({ tokens, host: '127.0.0.1' }));
    const anonymous = await app.request('/v1/admin/thing');
    expect(anonymous.status).toBe(200);
    expect(await anonymous.json()).toEqual({ caller: { name: 'anonymous', scope: 'admin', anonymous: true } });
    expect((await app.request('/v1/apps', { method: 'POST' })).status).toBe(202);
    // A token that is sent is checked even while open: a mistyped or revoked one is not silently ignored.
    expect((await app.request('/v1/apps', bearer(`slw_${'x'.repeat(43)}`))).status).toBe(401);
    expect((await app.request('/v1/apps', { headers: { Authorization: 'Basic eDp5' } })).status).toBe(401);
    const { token } = await tokens.create('n8n', 'read');
    expect((await app.request('/v1/apps')).status).toBe(401);
    expect((await app.request('/v1/apps', bearer(token))).status).toBe(200);
    // Revoking the last token opens it again, but never to the revoked token.
    await tokens.revoke('n8n');
    expect((await app.request('/v1/apps', bearer(token))).status).toBe(401);
    expect((await app.request('/v1/apps')).status).toBe(200);
  });

  it('is never open on an address other machines reach, even without tokens', async () => {
    const tokens = tokenStore();
    const response = await api(tokens, openWhenNoTokens({ tokens, host: '0.0.0.0' })).request('/v1/apps');
    expect(response.status).toBe(401);
  });
});

describe('requireScope', () => {
  it('orders scopes read < write < admin: reads need read, writes need write, admin routes admin', async () => {
    const tokens = tokenStore();
    const read = (await tokens.create('reader', 'read')).token;
    const write = (await tokens.create('writer', 'write')).token;
    const admin = (await tokens.create('root', 'admin')).token;
    const app = api(tokens);
    const status = async (method: string, path: string, token: string) => (await app.request(path, { method, ...bearer(token) })).status;
    expect([await status('GET', '/v1/apps', read), await status('POST', '/v1/apps', read), await status('DELETE', '/v1/apps/x', read), await status('GET', '/v1/admin/thing', read)]).toEqual([200, 403, 403, 403]);
    expect([await status('GET', '/v1/apps', write), await status('POST', '/v1/apps', write), await status('DELETE', '/v1/apps/x', write), await status('GET', '/v1/admin/thing', write)]).toEqual([200, 202, 202, 403]);
    expect([await status('GET', '/v1/apps', admin), await status('POST', '/v1/apps', admin), await status('DELETE', '/v1/apps/x', admin), await status('GET', '/v1/admin/thing', admin)]).toEqual([200, 202, 202, 200]);
  });

  it('answers 403 naming the scope held and the scope needed', async () => {
    const tokens = tokenStore();
    const { token } = await tokens.create('reader', 'read');
    const response = await api(tokens).request('/v1/apps/notes', { method: 'DELETE', ...bearer(token) });
    expect(response.status).toBe(403);
    expect(response.headers.get('www-authenticate')).toBe('Bearer realm="slipway", error="insufficient_scope", scope="write"');
    expect(await problemOf(response)).toMatchObject({
      type: 'https://slipway.dev/problems/insufficient-scope', status: 403,
      detail: "the token 'reader' has scope read; DELETE /v1/apps/notes needs write",
      hint: 'Use a token with scope write or more: `slipway token create --name <client> --scope write`.',
    });
  });

  it('refuses with 401 when no caller was set (mounted without authenticate)', async () => {
    const app = new Hono<AccessEnv>();
    app.get('/x', requireScope('read'), (c) => c.text('in'));
    expect((await app.request('/x')).status).toBe(401);
  });
});
