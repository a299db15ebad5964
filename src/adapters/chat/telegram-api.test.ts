import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeTelegram, type FakeTelegram } from '../../../test/support/telegram-bot-api.ts';
import { ExternalServiceError } from '../../domain/errors.ts';
import { TelegramBotApi } from './telegram-api.ts';

const BOT_TOKEN = '123456:AAE-test-bot-token_x';
const FAST = { attempts: 3, baseDelayMs: 5, maxDelayMs: 20 };

describe('TelegramBotApi', () => {
  let telegram: FakeTelegram;
  beforeEach(async () => {
    telegram = await startFakeTelegram({ botToken: BOT_TOKEN });
  });
  afterEach(() => telegram.close());

  it('sends a message to a chat, as a reply, and returns what Telegram stored', async () => {
    const api = new TelegramBotApi({ botToken: BOT_TOKEN, apiUrl: `${telegram.url}/`, retry: FAST });
    const sent = await api.sendMessage({ chatId: 4242, text: 'Building pomodoro-timer…', replyTo: 7 });
    expect(sent.chat.id).toBe(4242);
    expect(sent.message_id).toBeGreaterThan(0);
    expect(telegram.calls[0]!.headers['content-type']).toBe('application/json');
    expect(telegram.sent()).toEqual([expect.objectContaining({ chat_id: 4242, text: 'Building pomodoro-timer…', reply_parameters: { message_id: 7, allow_sending_without_reply: true } })]);
  });

  it('cuts a text longer than Telegram takes', async () => {
    const api = new TelegramBotApi({ botToken: BOT_TOKEN, apiUrl: telegram.url, retry: FAST });
    await api.sendMessage({ chatId: 1, text: 'x'.repeat(5000) });
    expect(telegram.sent()[0]!.text).toHaveLength(4096);
  });

  it("reports Telegram's refusal with its description, never the token", async () => {
    const api = new TelegramBotApi({ botToken: '999:wrong-token', apiUrl: telegram.url, retry: FAST });
    const error = await api.sendMessage({ chatId: 1, text: 'hi' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ExternalServiceError);
    expect((error as Error).message).toBe('Telegram: sendMessage was refused: Unauthorized (401)');
    expect((error as ExternalServiceError).hint).toContain('chat.telegram.botToken');
    expect(JSON.stringify({ message: (error as Error).message, hint: (error as ExternalServiceError).hint })).not.toContain('wrong-token');
  });

  it('waits the retry_after Telegram asks for, then sends', async () => {
    telegram.throttleNext(1, 0);
    const api = new TelegramBotApi({ botToken: BOT_TOKEN, apiUrl: telegram.url, retry: FAST });
    await api.sendMessage({ chatId: 1, text: 'hi' });
    expect(telegram.calls.map((c) => c.method)).toEqual(['sendMessage', 'sendMessage']);
    expect(telegram.sent()).toHaveLength(2);
  });

  it('sets the webhook with the URL, the secret token and the updates wanted', async () => {
    const api = new TelegramBotApi({ botToken: BOT_TOKEN, apiUrl: telegram.url, retry: FAST });
    const answer = await api.setWebhook({ url: 'https://slipway.example.org/v1/chat/telegram', secretToken: 's3cret_Token-1', allowedUpdates: ['message'] });
    expect(answer).toEqual({ description: 'Webhook was set' });
    expect(telegram.calls[0]!.body).toEqual({ url: 'https://slipway.example.org/v1/chat/telegram', secret_token: 's3cret_Token-1', allowed_updates: ['message'] });
  });

  it('says when the API cannot be reached, without its URL', async () => {
    await telegram.close();
    const api = new TelegramBotApi({ botToken: BOT_TOKEN, apiUrl: telegram.url, retry: { ...FAST, attempts: 2 } });
    const error = await api.sendMessage({ chatId: 1, text: 'hi' }).catch((e: unknown) => e);
    expect((error as Error).message).toBe('Telegram: could not reach the API (ECONNREFUSED)');
    telegram = await startFakeTelegram({ botToken: BOT_TOKEN });
  });
});
