import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { serve, type ServerType } from '@hono/node-server';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/adapters/store/sqlite-database.ts';
import { SqliteReplayGuard } from '../../src/adapters/store/sqlite-replay-guard.ts';
import { SqliteTokenStore } from '../../src/adapters/store/sqlite-token-store.ts';
import { accessControl, signedIntake, type AccessEnv } from '../../src/server/access/index.ts';
import { REPO_ROOT, runCli, tempHome } from '../support/cli.ts';

const run = promisify(execFile);
const SECRET = 'the-intake-secret-of-this-test';
const opts = tempHome('slipway-token-server-');

/** The README's signed-intake example, as a user copies it. */
function readmeIntakeScript(): string {
  const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
  const blocks = [...readme.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]!);
  const script = blocks.find((b) => b.includes('X-Slipway-Signature'));
  if (!script) throw new Error('README.md has no signed-intake example');
  return script;
}

let server: ServerType;
let base: string;

beforeAll(async () => {
  // The server reads the state file the CLI writes to, as `slipway serve` does.
  const db = openDatabase(join(opts.home, 'state.db'));
  const app = new Hono<AccessEnv>();
  app.use('/v1/hooks/create', signedIntake({ secret: SECRET, replays: new SqliteReplayGuard({ db }) }));
  app.use('/v1/*', accessControl({ tokens: new SqliteTokenStore({ db }), host: '127.0.0.1', perMinute: 100 }));
  app.get('/v1/apps', (c) => c.json({ apps: [], caller: c.get('caller') }));
  app.post('/v1/hooks/create', (c) => c.json({ caller: c.get('caller').name, body: c.get('intakeBody'), key: c.req.header('idempotency-key') }, 202));
  base = await new Promise<string>((resolve) => {
    server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, (info: AddressInfo) => resolve(`http://127.0.0.1:${info.port}`));
  });
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

/** curl as a user runs it: the status code on the last line, the response headers and body before it. */
async function curl(args: string[]): Promise<{ status: number; text: string }> {
  const { stdout } = await run('curl', ['-sS', '-i', '-w', '\n%{http_code}', ...args]);
  const lines = stdout.trimEnd().split('\n');
  return { status: Number(lines.pop()), text: lines.join('\n') };
}

describe('tokens made by the command line, checked by the server', () => {
  it('is open on loopback until the first token, then takes the CLI token, and refuses it once revoked', async () => {
    expect((await curl([`${base}/v1/apps`])).status).toBe(200);
    const created = await runCli(['token', 'create', '--name', 'n8n', '--scope', 'read'], opts);
    expect(created.code, created.stderr).toBe(0);
    const token = created.stdout.trim();

    const unauthenticated = await curl([`${base}/v1/apps`]);
    expect(unauthenticated.status).toBe(401);
    expect(unauthenticated.text).toMatch(/^www-authenticate: Bearer realm="slipway"\r?$/im);
    expect(unauthenticated.text).toMatch(/^content-type: application\/problem\+json/im);

    const ok = await curl(['-H', `Authorization: Bearer ${token}`, `${base}/v1/apps`]);
    expect(ok.status).toBe(200);
    expect(ok.text).toContain('{"apps":[],"caller":{"name":"n8n","scope":"read"}}');
    const used = JSON.parse((await runCli(['token', 'list', '--json'], opts)).stdout);
    expect(used).toEqual([expect.objectContaining({ name: 'n8n', lastUsedAt: expect.any(String) })]);

    const denied = await curl(['-X', 'POST', '-H', `Authorization: Bearer ${token}`, `${base}/v1/apps`]);
    expect(denied.status).toBe(403);
    expect(denied.text).toContain("the token 'n8n' has scope read; POST /v1/apps needs write");

    expect((await runCli(['token', 'revoke', 'n8n'], opts)).code).toBe(0);
    const revoked = await curl(['-H', `Authorization: Bearer ${token}`, `${base}/v1/apps`]);
    expect(revoked.status).toBe(401);
    expect(revoked.text).toContain('"title":"Unknown token"');
    expect(revoked.text).not.toContain(token);
    // With no token left, a loopback server asks for none again; one sent is still checked, as above.
    expect((await curl([`${base}/v1/apps`])).status).toBe(200);
  });

  it("accepts the README's signed-intake example once, and refuses the same request sent again", async () => {
    const script = readmeIntakeScript();
    // The same second for both runs, so the second is an exact replay of the first.
    const now = Math.floor(Date.now() / 1000);
    const withClock = `date() { echo ${now}; }\n${script}`;
    const env = { PATH: process.env.PATH!, SLIPWAY_SERVER: base, SLIPWAY_HOOK_SECRET: SECRET };
    const first = await run('bash', ['-euc', withClock], { env });
    expect(JSON.parse(first.stdout)).toEqual({
      caller: 'signed-intake', body: { description: 'a pomodoro timer with a dark theme', name: 'pomodoro' }, key: 'pomodoro-1',
    });
    const again = await run('bash', ['-euc', withClock], { env });
    expect(JSON.parse(again.stdout)).toMatchObject({ status: 403, title: 'Replayed request' });
    const wrongSecret = await run('bash', ['-euc', script], { env: { ...env, SLIPWAY_HOOK_SECRET: 'not-it' } });
    expect(JSON.parse(wrongSecret.stdout)).toMatchObject({ status: 403, title: 'Bad signature' });
    expect(wrongSecret.stdout).not.toContain(SECRET);
  });
});
