import { generateKeyPairSync } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { problemOf } from '../../../test/support/problem.ts';
import { createServerApp, type ServerDeps } from '../app.ts';
import { ServerMetrics } from '../metrics.ts';

// The chat endpoints in front of everything else: nothing reaches the service unless the platform is set up and the request is its own.
const untouched = new Proxy({}, {
  get: (_target, method) => () => {
    throw new Error(`service.${String(method)} was called`);
  },
}) as ServerDeps['service'];
const policy = { allowUsers: ['1'], allowChannels: [], allowDelete: [] };
const neverSent = { sendMessage: () => Promise.reject(new Error('sent')), editOriginal: () => Promise.reject(new Error('sent')), followUp: () => Promise.reject(new Error('sent')) };

/** Access control that asks every request for a token it does not have, as a server with API tokens does. */
const tokensOnly: MiddlewareHandler = async (c) => c.json({ refused: 'no token' }, 401);

function serverApp(chat: Pick<ServerDeps, 'telegram' | 'discord' | 'slack' | 'replays'> = {}) {
  return createServerApp({ service: untouched, metrics: new ServerMetrics({ queueDepth: async () => 0 }), logger: pino({ level: 'silent' }), bodyLimit: 1024, version: '0.0.0-test', ...chat, access: tokensOnly });
}

const post = (app: ReturnType<typeof serverApp>, path: string, headers: Record<string, string> = {}) =>
  app.request(path, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: '{"update_id":1,"type":1,"id":"1","application_id":"2"}' });

describe('chat endpoints', () => {
  it('answer 404, naming the slipway.yaml key, for a platform that is not set up', async () => {
    const app = serverApp();
    for (const platform of ['telegram', 'discord']) {
      const refused = await problemOf(await post(app, `/v1/chat/${platform}`), 404);
      expect(refused).toMatchObject({ detail: `chat.${platform} is not set in slipway.yaml`, hint: expect.stringContaining(`chat.${platform}`) });
    }
  });

  it('refuse with 401 before reading anything else, and ask for no API token', async () => {
    const app = serverApp({
      telegram: { secretToken: 'right-secret', policy, api: neverSent },
      discord: { publicKey: generateKeyPairSync('ed25519').publicKey, policy, api: neverSent },
    });
    const telegram = await post(app, '/v1/chat/telegram', { 'x-telegram-bot-api-secret-token': 'wrong-secret' });
    expect(telegram.status).toBe(401);
    expect(JSON.stringify(await telegram.json())).not.toContain('right-secret');
    const discord = await post(app, '/v1/chat/discord', { 'x-signature-ed25519': 'ab'.repeat(64), 'x-signature-timestamp': String(Math.floor(Date.now() / 1000)) });
    expect(discord.status).toBe(401);
    expect((await discord.json()).detail).toBe("the signature does not match the body and the application's public key");
    // An update with the right secret but not a text message is taken and left alone; no API token is asked for.
    const taken = await post(app, '/v1/chat/telegram', { 'x-telegram-bot-api-secret-token': 'right-secret' });
    expect(taken.status).toBe(200);
    expect(await taken.json()).toEqual({ ok: true });
    // The rest of the API still asks for one.
    expect((await app.request('/v1/apps')).status).toBe(401);
  });
});

describe('the Slack endpoints', () => {
  it.each(['/v1/chat/slack/commands', '/v1/chat/slack/events'])('%s answers 404 naming the setting when chat.slack is not set', async (path) => {
    const response = await post(serverApp(), path);
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(await response.json()).toMatchObject({ detail: 'chat.slack is not set in slipway.yaml', hint: expect.stringContaining('chat.slack') });
  });

  it('refuses an unsigned request with 401 before the replay guard is asked, naming the headers Slack sends', async () => {
    const replies = { respond: () => Promise.reject(new Error('sent')), postMessage: () => Promise.reject(new Error('sent')) };
    let asked = 0;
    const app = serverApp({ slack: { signingSecret: 'secret', policy, replies }, replays: { firstSeen: async () => (asked += 1) > 0 } });
    const response = await post(app, '/v1/chat/slack/commands');
    expect(response.status).toBe(401);
    expect((await response.json()).detail).toBe('the request lacks the X-Slack-Request-Timestamp and X-Slack-Signature headers');
    expect(asked).toBe(0);
  });
});
