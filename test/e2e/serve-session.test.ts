import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempHome } from '../support/cli.ts';
import { jsonOf, startServer, type RunningServer } from '../support/serve.ts';

const { home, cwd } = tempHome('slipway-serve-session-');
writeFileSync(join(cwd, 'slipway.yaml'), 'local:\n  runtime: process\n');
const opts = { home, cwd };
let server: RunningServer;

beforeAll(async () => {
  server = await startServer(opts);
}, 90_000);
afterAll(async () => {
  await server?.stop();
});

async function token(name: string, scope: string): Promise<string> {
  const made = await runCli(['token', 'create', '--name', name, '--scope', scope], opts);
  expect(made.code, made.stderr).toBe(0);
  return made.stdout.trim();
}

/** Signs in and returns the cookie pair (`slipway_session=…`), the Set-Cookie header and the CSRF value. */
async function signIn(secret: string, headers: Record<string, string> = {}) {
  const response = await fetch(`${server.url}/v1/session`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ token: secret }) });
  const body = await jsonOf(response);
  expect(response.status, JSON.stringify(body)).toBe(200);
  const setCookie = response.headers.get('set-cookie')!;
  return { cookie: setCookie.split(';')[0]!, setCookie, csrf: body.csrf as string, body };
}

function stateBytes(): string {
  const file = join(home, 'state.db');
  return [file, `${file}-wal`].map((f) => { try { return readFileSync(f, 'latin1'); } catch { return ''; } }).join('');
}

describe('signing in to slipway serve with a session cookie', () => {
  it('says the server is open while no token exists, and that nobody is signed in', async () => {
    expect(await jsonOf(fetch(`${server.url}/v1/session`))).toEqual({ open: true, signedIn: false });
  });

  it('exchanges a token for an HttpOnly, SameSite=Strict cookie that then signs requests in', async () => {
    const secret = await token('laptop', 'write');
    expect(await jsonOf(fetch(`${server.url}/v1/session`))).toEqual({ open: false, signedIn: false });
    expect((await fetch(`${server.url}/v1/apps`)).status).toBe(401);

    const wrong = await fetch(`${server.url}/v1/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token: `${secret.slice(0, -2)}xx` }) });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('content-type')).toBe('application/problem+json');
    expect(wrong.headers.get('set-cookie')).toBeNull();

    const { cookie, setCookie, csrf, body } = await signIn(secret);
    expect(body).toEqual({ name: 'laptop', scope: 'write', csrf });
    expect(setCookie).toMatch(/^slipway_session=[A-Za-z0-9_-]{43}; /);
    const flags = setCookie.split(';').slice(1).map((f) => f.trim()).sort();
    expect(flags).toEqual(['HttpOnly', 'Path=/', 'SameSite=Strict']);
    // Over HTTPS (a proxy in front says so), the cookie is also Secure.
    expect((await signIn(secret, { 'x-forwarded-proto': 'https' })).setCookie.split(';').map((f) => f.trim())).toContain('Secure');

    const apps = await fetch(`${server.url}/v1/apps`, { headers: { cookie } });
    expect(apps.status).toBe(200);
    expect(await jsonOf(fetch(`${server.url}/v1/session`, { headers: { cookie } }))).toEqual({ open: false, signedIn: true, name: 'laptop', scope: 'write', csrf });

    // A change without the CSRF value is refused; with it (header or form field), it gets past access control.
    const bare = await fetch(`${server.url}/v1/apps/nobody-here`, { method: 'DELETE', headers: { cookie } });
    expect(bare.status).toBe(403);
    expect((await jsonOf(bare)).type).toBe('https://slipway.dev/problems/csrf');
    const forged = await fetch(`${server.url}/v1/apps/nobody-here`, { method: 'DELETE', headers: { cookie, 'x-csrf-token': `${csrf.slice(0, -1)}A` } });
    expect(forged.status).toBe(403);
    const withHeader = await fetch(`${server.url}/v1/apps/nobody-here`, { method: 'DELETE', headers: { cookie, 'x-csrf-token': csrf } });
    expect(withHeader.status).toBe(404);
    const form = await fetch(`${server.url}/v1/runs/run-20261201000000-abcdef/cancel`, { method: 'POST', headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' }, body: `_csrf=${encodeURIComponent(csrf)}` });
    expect(form.status).toBe(404);
    const formWithout = await fetch(`${server.url}/v1/runs/run-20261201000000-abcdef/cancel`, { method: 'POST', headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' }, body: 'x=1' });
    expect(formWithout.status).toBe(403);

    // The session id is nowhere in the state file: only its hash.
    expect(stateBytes()).not.toContain(cookie.split('=')[1]);
  });

  it('ends the session on sign-out (which needs the CSRF value), when it expires, and when its token is revoked', async () => {
    const secret = await token('tablet', 'read');
    const out = await signIn(secret);
    expect((await fetch(`${server.url}/v1/session`, { method: 'DELETE', headers: { cookie: out.cookie } })).status).toBe(403);
    const signedOut = await fetch(`${server.url}/v1/session`, { method: 'DELETE', headers: { cookie: out.cookie, 'x-csrf-token': out.csrf } });
    expect(signedOut.status).toBe(204);
    expect(signedOut.headers.get('set-cookie')).toMatch(/^slipway_session=; Max-Age=0; /);
    const after = await fetch(`${server.url}/v1/apps`, { headers: { cookie: out.cookie } });
    expect(after.status).toBe(401);
    expect((await jsonOf(after)).type).toBe('https://slipway.dev/problems/session-expired');

    const aging = await signIn(secret);
    expect((await fetch(`${server.url}/v1/apps`, { headers: { cookie: aging.cookie } })).status).toBe(200);
    const db = new DatabaseSync(join(home, 'state.db'));
    db.prepare("UPDATE web_sessions SET expires_at = '2000-01-01T00:00:00.000Z' WHERE token_name = 'tablet'").run();
    db.close();
    const expired = await fetch(`${server.url}/v1/apps`, { headers: { cookie: aging.cookie } });
    expect(expired.status).toBe(401);
    expect((await jsonOf(expired)).type).toBe('https://slipway.dev/problems/session-expired');

    const doomed = await signIn(secret);
    expect((await fetch(`${server.url}/v1/apps`, { headers: { cookie: doomed.cookie } })).status).toBe(200);
    expect((await runCli(['token', 'revoke', 'tablet'], opts)).code).toBe(0);
    const revoked = await fetch(`${server.url}/v1/apps`, { headers: { cookie: doomed.cookie } });
    expect(revoked.status).toBe(401);
    expect((await jsonOf(revoked)).type).toBe('https://slipway.dev/problems/session-expired');
  });

  it('gives a read session the scope of its token', async () => {
    const { cookie, csrf } = await signIn(await token('viewer', 'read'));
    const refused = await fetch(`${server.url}/v1/apps/nobody-here`, { method: 'DELETE', headers: { cookie, 'x-csrf-token': csrf } });
    expect(refused.status).toBe(403);
    expect((await jsonOf(refused)).title).toBe('Insufficient scope');
  });
});
