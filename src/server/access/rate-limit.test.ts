import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { Hono, type Context } from 'hono';
import { afterEach, describe, expect, it } from 'vitest';
import type { Caller } from '../../domain/api-token.ts';
import type { AccessEnv } from './context.ts';
import { rateLimit, type RateLimitOptions } from './rate-limit.ts';

/** An app whose caller comes from a test header, as authenticate would set it, behind the limiter. */
function limitedApp(options: RateLimitOptions) {
  const app = new Hono<AccessEnv>();
  app.use('*', async (c, next) => {
    const caller = c.req.header('x-test-caller');
    if (caller) c.set('caller', JSON.parse(caller) as Caller);
    await next();
  });
  app.use('*', rateLimit(options));
  app.get('/v1/apps', (c) => c.json({ ok: true }));
  return app;
}

const as = (caller: Caller, address?: string) => ({ headers: { 'x-test-caller': JSON.stringify(caller), ...(address ? { 'x-test-address': address } : {}) } });
const byHeader = (c: Context) => c.req.header('x-test-address');

describe('rateLimit', () => {
  it('answers 429 with Retry-After in whole seconds and a problem once a token spends its minute', async () => {
    let now = 1_800_000_000_000;
    const app = limitedApp({ perMinute: 2, now: () => now });
    const n8n = as({ name: 'n8n', scope: 'write' });
    expect((await app.request('/v1/apps', n8n)).status).toBe(200);
    expect((await app.request('/v1/apps', n8n)).status).toBe(200);
    const refused = await app.request('/v1/apps', n8n);
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('30');
    expect(refused.headers.get('content-type')).toBe('application/problem+json');
    expect(await refused.json()).toMatchObject({
      type: 'https://slipway.dev/problems/too-many-requests', status: 429,
      detail: "the token 'n8n' made more than 2 requests in a minute",
      hint: 'Wait 30 s (Retry-After) and try again; server.rateLimit.perMinute in slipway.yaml sets the limit.',
    });
    now += 30_000;
    expect((await app.request('/v1/apps', n8n)).status).toBe(200);
    expect((await app.request('/v1/apps', n8n)).status).toBe(429);
  });

  it('counts by token name whatever address it comes from, and without a token by address', async () => {
    const app = limitedApp({ perMinute: 1, clientAddress: byHeader });
    expect((await app.request('/v1/apps', as({ name: 'ci', scope: 'read' }, '10.0.0.1'))).status).toBe(200);
    expect((await app.request('/v1/apps', as({ name: 'ci', scope: 'read' }, '10.0.0.2'))).status).toBe(429);
    expect((await app.request('/v1/apps', as({ name: 'n8n', scope: 'read' }, '10.0.0.1'))).status).toBe(200);
    const anonymous = { name: 'anonymous', scope: 'admin' as const, anonymous: true };
    expect((await app.request('/v1/apps', as(anonymous, '10.0.0.1'))).status).toBe(200);
    expect((await app.request('/v1/apps', as(anonymous, '10.0.0.2'))).status).toBe(200);
    const again = await app.request('/v1/apps', as(anonymous, '10.0.0.1'));
    expect(again.status).toBe(429);
    expect(await again.json()).toMatchObject({ detail: 'this client address made more than 1 request in a minute' });
    // A token named like the anonymous caller has a budget of its own.
    expect((await app.request('/v1/apps', as({ name: 'anonymous', scope: 'read' }, '10.0.0.1'))).status).toBe(200);
  });

  describe('on a real server', () => {
    let server: ServerType | undefined;
    afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

    it('counts requests without a token by the socket address', async () => {
      const app = limitedApp({ perMinute: 3 });
      const base = await new Promise<string>((resolve) => {
        server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, (info: AddressInfo) => resolve(`http://127.0.0.1:${info.port}`));
      });
      const statuses = [];
      for (let i = 0; i < 5; i++) statuses.push((await fetch(`${base}/v1/apps`)).status);
      expect(statuses).toEqual([200, 200, 200, 429, 429]);
      // A spoofed forwarding header does not buy another budget.
      expect((await fetch(`${base}/v1/apps`, { headers: { 'X-Forwarded-For': '203.0.113.9' } })).status).toBe(429);
    });
  });
});
