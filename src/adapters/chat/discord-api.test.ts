import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeDiscord, type FakeDiscord } from '../../../test/support/discord-api.ts';
import { ConfigError, ExternalServiceError } from '../../domain/errors.ts';
import { DiscordApi } from './discord-api.ts';

const APP_ID = '1100000000000000001';
const BOT_TOKEN = 'MTEw.discord-bot-token';
const FAST = { attempts: 2, baseDelayMs: 5, maxDelayMs: 20 };

describe('DiscordApi', () => {
  let discord: FakeDiscord;
  beforeEach(async () => {
    discord = await startFakeDiscord({ applicationId: APP_ID, botToken: BOT_TOKEN });
  });
  afterEach(() => discord.close());

  it("edits the deferred answer, then follows up, on the interaction's webhook without mentions", async () => {
    discord.interactions.add('aW50ZXJhY3Rpb24');
    const api = new DiscordApi({ applicationId: APP_ID, apiUrl: discord.url, retry: FAST });
    await api.editOriginal('aW50ZXJhY3Rpb24', 'Building pomodoro-timer…');
    await api.followUp('aW50ZXJhY3Rpb24', 'pomodoro-timer is live: http://127.0.0.1:4000/');
    expect(discord.calls.map((c) => [c.method, c.path])).toEqual([
      ['PATCH', `/webhooks/${APP_ID}/aW50ZXJhY3Rpb24/messages/@original`],
      ['POST', `/webhooks/${APP_ID}/aW50ZXJhY3Rpb24`],
    ]);
    expect(discord.calls[1]!.body).toEqual({ content: 'pomodoro-timer is live: http://127.0.0.1:4000/', allowed_mentions: { parse: [] } });
    // The interaction token is the credential: no bot token travels with it.
    expect(discord.calls[0]!.headers.authorization).toBeUndefined();
    expect(discord.calls[0]!.headers['user-agent']).toMatch(/^DiscordBot \(/);
  });

  it("reports Discord's refusal without the interaction token", async () => {
    const api = new DiscordApi({ applicationId: APP_ID, apiUrl: discord.url, retry: FAST });
    const error = await api.followUp('expired-interaction-token', 'hi').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ExternalServiceError);
    expect((error as Error).message).toBe('Discord: answering the interaction was refused: HTTP 404, Unknown Webhook');
    expect((error as Error).message + (error as ExternalServiceError).hint).not.toContain('expired-interaction-token');
  });

  it('registers the commands with the bot token and returns their ids', async () => {
    const api = new DiscordApi({ applicationId: APP_ID, botToken: BOT_TOKEN, apiUrl: discord.url, retry: FAST });
    const registered = await api.registerCommands([{ name: 'slipway', type: 1, description: 'Build an app' }]);
    expect(registered).toEqual([expect.objectContaining({ name: 'slipway', id: expect.stringMatching(/^\d+$/) })]);
    expect(discord.calls[0]).toMatchObject({ method: 'PUT', path: `/applications/${APP_ID}/commands`, body: [{ name: 'slipway', type: 1, description: 'Build an app' }] });
    expect(discord.calls[0]!.headers.authorization).toBe(`Bot ${BOT_TOKEN}`);
  });

  it('says a wrong bot token is refused, and asks for one when none is set', async () => {
    const wrong = new DiscordApi({ applicationId: APP_ID, botToken: 'not-the-token', apiUrl: discord.url, retry: FAST });
    const error = await wrong.registerCommands([]).catch((e: unknown) => e);
    expect((error as Error).message).toBe('Discord: registering the command was refused: HTTP 401, 401: Unauthorized');
    expect((error as ExternalServiceError).hint).toContain('chat.discord.botToken');
    const none = new DiscordApi({ applicationId: APP_ID, apiUrl: discord.url, retry: FAST });
    await expect(none.registerCommands([])).rejects.toBeInstanceOf(ConfigError);
    expect(discord.calls).toHaveLength(1);
  });
});
