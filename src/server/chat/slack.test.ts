import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { createServerApp, type ServerDeps } from '../app.ts';
import { ServerMetrics } from '../metrics.ts';

/** No request here reaches the service: a call to it fails the test. */
const unused = new Proxy({}, {
  get: (_target, method) => () => {
    throw new Error(`service.${String(method)} was called`);
  },
}) as ServerDeps['service'];

function serverApp(chat?: ServerDeps['chat']) {
  return createServerApp({
    service: unused, metrics: new ServerMetrics({ queueDepth: async () => 0 }), logger: pino({ level: 'silent' }), bodyLimit: 64 * 1024, version: '0.0.0-test',
    ...(chat ? { chat } : {}),
  });
}

describe('the Slack endpoints', () => {
  it.each(['/v1/chat/slack/commands', '/v1/chat/slack/events'])('%s answers 404 naming the setting when chat.slack is not set', async (path) => {
    const response = await serverApp().request(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"type":"url_verification","challenge":"x"}' });
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(await response.json()).toMatchObject({ detail: 'chat.slack is not set in slipway.yaml', hint: expect.stringContaining('chat.slack') });
  });

  it('refuses an unsigned request with 401 before reading it, and names the headers Slack sends', async () => {
    const replies = { respond: async () => undefined, postMessage: async () => ({ ts: '' }) };
    let seen = 0;
    const app = serverApp({ slack: { signingSecret: 'secret', policy: { allowUsers: ['U1'], allowChannels: [], allowDelete: [] }, replies, replays: { firstSeen: async () => (seen += 1) > 0 } } });
    const response = await app.request('/v1/chat/slack/commands', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'text=list&user_id=U1' });
    expect(response.status).toBe(401);
    expect((await response.json()).detail).toBe('the request lacks the X-Slack-Request-Timestamp and X-Slack-Signature headers');
    expect(seen).toBe(0);
  });
});
