import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../adapters/store/sqlite-database.ts';
import { SqliteSessionStore } from '../../adapters/store/sqlite-session-store.ts';
import { SqliteTokenStore } from '../../adapters/store/sqlite-token-store.ts';
import { accessControl, type AccessEnv } from './index.ts';

function server() {
  const db = openDatabase(':memory:');
  const tokens = new SqliteTokenStore({ db });
  const sessions = new SqliteSessionStore({ db });
  const app = new Hono<AccessEnv>();
  app.use('/v1/*', accessControl({ tokens, sessions, host: '127.0.0.1', perMinute: 1000 }));
  app.get('/v1/apps', (c) => c.json({ caller: c.get('caller') }));
  app.post('/v1/apps', (c) => c.json({ caller: c.get('caller') }, 202));
  return { app, tokens, sessions };
}

describe('access by session cookie', () => {
  it('lets a stale cookie through as nobody while the server is open, and refuses it once a token exists', async () => {
    const { app, tokens } = server();
    const stale = { cookie: `slipway_session=${'a'.repeat(43)}` };
    expect(await (await app.request('/v1/apps', { headers: stale })).json()).toEqual({ caller: { name: 'anonymous', scope: 'admin', anonymous: true } });
    await tokens.create('laptop', 'read');
    const refused = await app.request('/v1/apps', { headers: stale });
    expect(refused.status).toBe(401);
    expect(((await refused.json()) as { type: string }).type).toBe('https://slipway.dev/problems/session-expired');
  });

  it('takes a bearer token over the cookie, without asking for the CSRF value', async () => {
    const { app, tokens, sessions } = server();
    await tokens.create('phone', 'read');
    const writer = await tokens.create('n8n', 'write');
    const session = await sessions.open({ name: 'phone', scope: 'read' });
    const cookie = `slipway_session=${session.id}`;
    const bearer = await app.request('/v1/apps', { method: 'POST', headers: { cookie, authorization: `Bearer ${writer.token}` } });
    expect(bearer.status).toBe(202);
    expect(await bearer.json()).toEqual({ caller: { name: 'n8n', scope: 'write' } });
    // By the cookie alone: the CSRF value is checked before the scope, and the session has its token's scope.
    expect((await app.request('/v1/apps', { method: 'POST', headers: { cookie } })).status).toBe(403);
    const scoped = await app.request('/v1/apps', { method: 'POST', headers: { cookie, 'x-csrf-token': session.csrf } });
    expect(scoped.status).toBe(403);
    expect(((await scoped.json()) as { title: string }).title).toBe('Insufficient scope');
    expect(await (await app.request('/v1/apps', { headers: { cookie } })).json()).toEqual({ caller: { name: 'phone', scope: 'read' } });
  });

  it('leaves /v1/session open: signing in is how a caller gets credentials', async () => {
    const { app, tokens } = server();
    app.get('/v1/session', (c) => c.json({ caller: c.get('caller') ?? null }));
    await tokens.create('laptop', 'read');
    expect(await (await app.request('/v1/session')).json()).toEqual({ caller: null });
    expect((await app.request('/v1/apps')).status).toBe(401);
  });
});
