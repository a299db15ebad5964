import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../adapters/store/sqlite-database.ts';
import { SqliteReplayGuard } from '../../adapters/store/sqlite-replay-guard.ts';
import { SqliteTokenStore } from '../../adapters/store/sqlite-token-store.ts';
import { accessControl, signBody, signedIntake, type AccessControlOptions, type AccessEnv } from './index.ts';

const SECRET = 'hook-secret-for-index';

function state() {
  const db = openDatabase(join(mkdtempSync(join(tmpdir(), 'slipway-access-')), 'state.db'));
  return { tokens: new SqliteTokenStore({ db }), replays: new SqliteReplayGuard({ db }) };
}

/**
 * The shape of Slipway's server: open routes outside /v1, the signed intake's check on its path (when
 * a secret is set), then access control in front of every /v1 route.
 */
function server(options: AccessControlOptions, intake?: { secret: string; replays: SqliteReplayGuard }) {
  const app = new Hono<AccessEnv>();
  app.get('/healthz', (c) => c.text('ok'));
  if (intake) app.use('/v1/hooks/create', signedIntake(intake));
  app.use('/v1/*', accessControl(options));
  app.get('/v1/apps', (c) => c.json({ caller: c.get('caller') }));
  app.post('/v1/apps', (c) => c.json({ caller: c.get('caller') }, 202));
  app.post('/v1/hooks/create', (c) => c.json({ caller: c.get('caller'), body: c.get('intakeBody') ?? null }, 202));
  app.post('/v1/session', (c) => c.json({ signedIn: false }, 401));
  return app;
}

function signedPost(body: string, secret = SECRET): RequestInit {
  const ts = Math.floor(Date.now() / 1000);
  return { method: 'POST', body, headers: { 'X-Slipway-Timestamp': String(ts), 'X-Slipway-Signature': signBody(secret, ts, body) } };
}

describe('accessControl', () => {
  it('asks for nothing on loopback until the first token exists, then for a token with the scope the method needs', async () => {
    const { tokens } = state();
    const app = server({ tokens, host: '127.0.0.1', perMinute: 100 });
    expect((await app.request('/v1/apps', { method: 'POST' })).status).toBe(202);
    const reader = (await tokens.create('dash', 'read')).token;
    const writer = (await tokens.create('n8n', 'write')).token;
    expect((await app.request('/v1/apps')).status).toBe(401);
    expect((await app.request('/healthz')).status).toBe(200);
    const auth = (token: string) => ({ Authorization: `Bearer ${token}` });
    expect((await app.request('/v1/apps', { headers: auth(reader) })).status).toBe(200);
    expect((await app.request('/v1/apps', { method: 'POST', headers: auth(reader) })).status).toBe(403);
    const created = await app.request('/v1/apps', { method: 'POST', headers: auth(writer) });
    expect(created.status).toBe(202);
    expect(await created.json()).toEqual({ caller: { name: 'n8n', scope: 'write' } });
  });

  it('lets a signed intake in by its signature alone, even when tokens exist, and refuses it unsigned', async () => {
    const { tokens, replays } = state();
    await tokens.create('n8n', 'write');
    const app = server({ tokens, host: '0.0.0.0', perMinute: 100 }, { secret: SECRET, replays });
    const response = await app.request('/v1/hooks/create', signedPost('{"description":"a timer"}'));
    expect(response.status).toBe(202);
    expect(await response.json()).toEqual({ caller: { name: 'signed-intake', scope: 'write', anonymous: true }, body: { description: 'a timer' } });
    expect((await app.request('/v1/hooks/create', { method: 'POST', body: '{}' })).status).toBe(401);
    expect((await app.request('/v1/hooks/create', signedPost('{}', 'wrong'))).status).toBe(403);
    // The signature opens only the intake: other routes still need a token.
    expect((await app.request('/v1/apps', signedPost('{}'))).status).toBe(401);
  });

  it('treats the intake path as any other route when no hook secret is configured', async () => {
    const { tokens } = state();
    const { token } = await tokens.create('n8n', 'write');
    const app = server({ tokens, host: '127.0.0.1', perMinute: 100 });
    expect((await app.request('/v1/hooks/create', signedPost('{}'))).status).toBe(401);
    const withToken = await app.request('/v1/hooks/create', { method: 'POST', body: '{}', headers: { Authorization: `Bearer ${token}` } });
    expect(await withToken.json()).toEqual({ caller: { name: 'n8n', scope: 'write' }, body: null });
  });

  it('rate limits tokens by name and signed requests by address', async () => {
    const { tokens, replays } = state();
    const { token } = await tokens.create('n8n', 'read');
    const app = server({ tokens, host: '127.0.0.1', perMinute: 2, clientAddress: () => '192.0.2.7' }, { secret: SECRET, replays });
    const get = () => app.request('/v1/apps', { headers: { Authorization: `Bearer ${token}` } });
    expect([(await get()).status, (await get()).status, (await get()).status]).toEqual([200, 200, 429]);
    const hook = (n: number) => app.request('/v1/hooks/create', signedPost(`{"description":"timer ${n}"}`));
    expect([(await hook(1)).status, (await hook(2)).status]).toEqual([202, 202]);
    const limited = await hook(3);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBe(30);
    expect(await limited.json()).toMatchObject({ detail: 'this client address made more than 2 requests in a minute' });
  });

  it('limits sign-in attempts by client address, though signing in needs no credentials', async () => {
    const { tokens } = state();
    await tokens.create('web', 'read');
    const app = server({ tokens, host: '127.0.0.1', perMinute: 2, clientAddress: () => '192.0.2.9' });
    const signIn = () => app.request('/v1/session', { method: 'POST', body: '{"token":"slw_guess"}', headers: { 'content-type': 'application/json' } });
    expect([(await signIn()).status, (await signIn()).status, (await signIn()).status]).toEqual([401, 401, 429]);
  });
});
