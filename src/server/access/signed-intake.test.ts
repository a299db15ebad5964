import { mkdtempSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve, type ServerType } from '@hono/node-server';
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../adapters/store/sqlite-database.ts';
import { SqliteReplayGuard } from '../../adapters/store/sqlite-replay-guard.ts';
import type { AccessEnv } from './context.ts';
import { signBody } from './signature.ts';
import { signedIntake } from './signed-intake.ts';

const SECRET = 'hook-secret-1234';

/** The intake route as the server declares it: a zod-validated JSON body, read again after the signature check. */
function intakeApp(replays = new SqliteReplayGuard({ db: openDatabase(join(mkdtempSync(join(tmpdir(), 'slipway-intake-')), 'state.db')) })) {
  const app = new OpenAPIHono<AccessEnv>({
    defaultHook: (result, c) => (result.success ? undefined : c.json({ invalid: result.error.issues.map((i) => i.path.join('.')) }, 422)),
  });
  app.use('/v1/hooks/create', signedIntake({ secret: SECRET, replays }));
  const route = createRoute({
    method: 'post', path: '/v1/hooks/create',
    request: { body: { content: { 'application/json': { schema: z.object({ description: z.string().min(1), name: z.string().optional() }) } } } },
    responses: { 202: { description: 'queued', content: { 'application/json': { schema: z.object({}).passthrough() } } } },
  });
  app.openapi(route, (c) => c.json({ validated: c.req.valid('json'), intakeBody: c.get('intakeBody'), caller: c.get('caller') }, 202));
  return app;
}

function signed(body: string | Uint8Array, timestamp = Math.floor(Date.now() / 1000), secret = SECRET): RequestInit {
  return {
    method: 'POST', body: body as RequestInit['body'],
    headers: { 'Content-Type': 'application/json', 'X-Slipway-Timestamp': String(timestamp), 'X-Slipway-Signature': signBody(secret, timestamp, body) },
  };
}

describe('signedIntake', () => {
  it('passes a signed request on with its body parsed once, for the route and its validator alike', async () => {
    const body = '{"description":"a pomodoro timer","name":"timer"}';
    const response = await intakeApp().request('/v1/hooks/create', signed(body));
    expect(response.status).toBe(202);
    expect(await response.json()).toEqual({
      validated: { description: 'a pomodoro timer', name: 'timer' },
      intakeBody: { description: 'a pomodoro timer', name: 'timer' },
      caller: { name: 'signed-intake', scope: 'write', anonymous: true },
    });
  });

  it('refuses missing, bad, stale and replayed signatures with problems that say which', async () => {
    const app = intakeApp();
    const body = '{"description":"a pomodoro timer"}';
    const now = Math.floor(Date.now() / 1000);
    const unsigned = await app.request('/v1/hooks/create', { method: 'POST', body, headers: { 'Content-Type': 'application/json' } });
    expect(unsigned.status).toBe(401);
    expect(unsigned.headers.get('content-type')).toBe('application/problem+json');
    expect(await unsigned.json()).toMatchObject({ type: 'https://slipway.dev/problems/missing-signature', status: 401, detail: 'the request lacks the X-Slipway-Timestamp and X-Slipway-Signature headers' });

    const wrongSecret = await app.request('/v1/hooks/create', signed(body, now, 'guessed'));
    expect(wrongSecret.status).toBe(403);
    const text = await wrongSecret.text();
    expect(JSON.parse(text)).toMatchObject({ type: 'https://slipway.dev/problems/bad-signature', status: 403 });
    expect(text).not.toContain(SECRET);
    expect(text).not.toContain(signBody(SECRET, now, body).slice(7));

    const stale = await app.request('/v1/hooks/create', signed(body, now - 600));
    expect(await stale.json()).toMatchObject({ type: 'https://slipway.dev/problems/stale-timestamp', status: 403 });

    const first = signed(body, now);
    expect((await app.request('/v1/hooks/create', first)).status).toBe(202);
    const again = await app.request('/v1/hooks/create', first);
    expect(again.status).toBe(403);
    expect(await again.json()).toMatchObject({ type: 'https://slipway.dev/problems/replayed-request' });
  });

  it('answers 400 to a signed body that is not JSON, or not UTF-8, and 422 to JSON the route does not accept', async () => {
    const app = intakeApp();
    const notJson = await app.request('/v1/hooks/create', signed('description=timer'));
    expect(notJson.status).toBe(400);
    expect(await notJson.json()).toMatchObject({ title: 'Bad request', detail: 'the request body is not valid JSON' });
    const latin1 = Buffer.from('{"description":"caf\xe9"}', 'latin1');
    expect((await app.request('/v1/hooks/create', signed(latin1))).status).toBe(400);
    const invalid = await app.request('/v1/hooks/create', signed('{"description":""}'));
    expect(invalid.status).toBe(422);
    expect(await invalid.json()).toEqual({ invalid: ['description'] });
  });

  describe('on a real server', () => {
    let server: ServerType;
    let base: string;
    beforeAll(async () => {
      const app = intakeApp();
      await new Promise<void>((resolve) => {
        server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, (info: AddressInfo) => {
          base = `http://127.0.0.1:${info.port}`;
          resolve();
        });
      });
    });
    afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

    it('checks the exact bytes sent over HTTP, including ones a JSON re-encoding would change', async () => {
      // Spacing, key order and escapes survive: the signature covers the raw body, not a re-serialised one.
      const body = '{ "name": "cafe",\n  "description": "caf\\u00e9 menu — ☕" }';
      const response = await fetch(`${base}/v1/hooks/create`, signed(body));
      expect(response.status).toBe(202);
      expect(((await response.json()) as { intakeBody: unknown }).intakeBody).toEqual({ name: 'cafe', description: 'café menu — ☕' });
      const reencoded = JSON.stringify(JSON.parse(body));
      const init = signed(body);
      const mismatch = await fetch(`${base}/v1/hooks/create`, { ...init, body: reencoded });
      expect(mismatch.status).toBe(403);
    });
  });
});
