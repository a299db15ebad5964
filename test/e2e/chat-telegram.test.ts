import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempHome } from '../support/cli.ts';
import { problemOf } from '../support/problem.ts';
import { deleteAllApps, jsonOf, startServer, type RunningServer } from '../support/serve.ts';
import { startFakeTelegram, type FakeTelegram } from '../support/telegram-bot-api.ts';

// A real `slipway serve` with chat.telegram set, whose replies go to a local server speaking the Bot API.
const BOT_TOKEN = '7000001:AAF-the-bot-token-of-this-test';
const SECRET = 'the_webhook_secret-of-this-test';
const ALICE = 1001; // in allowUsers and allowDelete
const BOB = 3003; // in no list, but writes in the allowed group
const GROUP = -100200;
const EVE = 4004; // in no list

const { home, cwd } = tempHome('slipway-chat-telegram-');
const env = { TELEGRAM_WEBHOOK_SECRET: SECRET, TELEGRAM_BOT_TOKEN: BOT_TOKEN };
let telegram: FakeTelegram;
let server: RunningServer;
let nextUpdate = 500;

function writeConfig(apiUrl: string): void {
  writeFileSync(join(cwd, 'slipway.yaml'), [
    'local:', '  runtime: process',
    'chat:', '  telegram:',
    '    secretToken: { env: TELEGRAM_WEBHOOK_SECRET }', '    botToken: { env: TELEGRAM_BOT_TOKEN }',
    `    apiUrl: ${apiUrl}`,
    `    allowUsers: ["${ALICE}"]`, `    allowChannels: ["${GROUP}"]`, `    allowDelete: ["${ALICE}"]`, '',
  ].join('\n'));
}

/** A Telegram Update carrying a text message, as the Bot API sends it. */
function update(text: string, from: number, chat = from, updateId = nextUpdate++) {
  return {
    update_id: updateId,
    message: {
      message_id: updateId * 10, date: Math.floor(Date.now() / 1000), text,
      from: { id: from, is_bot: false, first_name: 'Test', username: `user${from}` },
      chat: chat < 0 ? { id: chat, type: 'supergroup', title: 'Builders' } : { id: chat, type: 'private', first_name: 'Test' },
    },
  };
}

/** Posts an update as Telegram does; `secret: null` sends no secret token header. */
function post(body: unknown, secret: string | null = SECRET): Promise<Response> {
  return fetch(`${server.url}/v1/chat/telegram`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(secret === null ? {} : { 'x-telegram-bot-api-secret-token': secret }) },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

/** The messages sent to `chatId` once there are `count` of them (waits up to 60 s). */
async function messagesTo(chatId: number, count: number): Promise<Array<{ text: string; reply_parameters?: { message_id: number } }>> {
  for (let i = 0; i < 600; i++) {
    const sent = telegram.sent().filter((m) => m.chat_id === chatId);
    if (sent.length >= count) return sent;
    await delay(100);
  }
  throw new Error(`fewer than ${count} messages reached chat ${chatId}: ${JSON.stringify(telegram.sent())}`);
}

async function runs(): Promise<Array<{ runId: string; app: string; kind: string; status: string }>> {
  return (await jsonOf(fetch(`${server.url}/v1/runs`))).runs;
}

beforeAll(async () => {
  telegram = await startFakeTelegram({ botToken: BOT_TOKEN });
  writeConfig(telegram.url);
  server = await startServer({ home, cwd, env });
});

afterAll(async () => {
  // Apps run as processes of their own: whatever a test left is deleted before the server stops.
  if (server) await deleteAllApps(server);
  await server?.stop();
  await telegram?.close();
});

describe('Telegram chat commands', () => {
  it('refuses an update without the secret token, or with another, and starts nothing', async () => {
    for (const secret of [null, 'not-the-secret', `${SECRET}x`, '']) {
      const refused = await problemOf(await post(update('a pomodoro timer', ALICE), secret), 401);
      expect(refused.detail).toContain('X-Telegram-Bot-Api-Secret-Token');
    }
    await delay(300);
    expect(await runs()).toEqual([]);
    expect(telegram.calls).toEqual([]);
  });

  it('acknowledges at once, says Building in the chat, then posts the URL, which answers; a repeated update_id starts no second run', async () => {
    const request = update('a pomodoro timer with a dark theme', ALICE);
    const started = Date.now();
    const response = await post(request);
    const ackMs = Date.now() - started;
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ ok: true });
    expect(ackMs).toBeLessThan(3000);

    const [building] = await messagesTo(ALICE, 1);
    expect(building!.text).toMatch(/^Building pomodoro-timer-dark-theme… \(run run-\d{14}-[a-z0-9]{6}\)$/);
    expect(building!.reply_parameters).toEqual(expect.objectContaining({ message_id: request.message.message_id }));
    const [run] = await runs();
    expect(run).toMatchObject({ app: 'pomodoro-timer-dark-theme', kind: 'create' });
    // The run is still under way after the answer: the result comes later.
    expect(['queued', 'running']).toContain(run!.status);

    // Telegram sends the same update again (it does when an answer is late): the same run.
    expect((await post(request)).status).toBe(200);
    const [, again] = await messagesTo(ALICE, 2);
    expect(again!.text).toBe(building!.text);

    const result = (await messagesTo(ALICE, 3))[2]!;
    const url = /is live: (http:\/\/\S+) \(run /.exec(result.text)?.[1];
    expect(result.text, result.text).toBe(`pomodoro-timer-dark-theme is live: ${url} (run ${run!.runId})`);
    expect((await fetch(url!)).status).toBe(200);
    await delay(500);
    expect(telegram.sent().filter((m) => m.chat_id === ALICE)).toHaveLength(3);
    expect(await runs()).toHaveLength(1);
  }, 120_000);

  it('answers /list, /status, /help and /start, with or without @BotName, to anyone in the allowed group, and reads past a leading @BotName', async () => {
    await post(update('/list@SlipwayBot', BOB, GROUP));
    expect((await messagesTo(GROUP, 1))[0]!.text).toMatch(/^1 app:\n• pomodoro-timer-dark-theme \(running\) http:\/\/127\.0\.0\.1:\d+/);
    await post(update('/status pomodoro-timer-dark-theme', BOB, GROUP));
    const status = (await messagesTo(GROUP, 2))[1]!.text;
    expect(status).toMatch(/^pomodoro-timer-dark-theme: running/);
    expect(status).toContain('Description: a pomodoro timer with a dark theme');
    await post(update('/help@SlipwayBot', BOB, GROUP));
    expect((await messagesTo(GROUP, 3))[2]!.text).toContain('status <app>');
    await post(update('/start', BOB, GROUP));
    expect((await messagesTo(GROUP, 4))[3]!.text).toContain('status <app>');
    await post(update('/status no-such-app', BOB, GROUP));
    expect((await messagesTo(GROUP, 5))[4]!.text).toBe("No app named 'no-such-app'.\nList apps with `slipway list`.");    // Written to the bot by its name in a group: the mention is not part of the command.
    await post(update('@SlipwayBot status pomodoro-timer-dark-theme', BOB, GROUP));
    expect((await messagesTo(GROUP, 6))[5]!.text).toMatch(/^pomodoro-timer-dark-theme: running/);
  });

  it('refuses politely whoever is in neither list, and deletes only for users in allowDelete', async () => {
    await post(update('a contact form', EVE));
    const refusal = (await messagesTo(EVE, 1))[0]!.text;
    expect(refusal).toMatch(/^Sorry/);
    expect(refusal).toContain(`${EVE} to chat.telegram.allowUsers`);
    expect(refusal).toContain('chat.telegram.allowChannels');

    await post(update('/delete pomodoro-timer-dark-theme', BOB, GROUP));
    expect((await messagesTo(GROUP, 7))[6]!.text).toContain(`${BOB} to chat.telegram.allowDelete`);
    expect(await runs()).toHaveLength(1);

    await post(update('/delete@SlipwayBot pomodoro-timer-dark-theme', ALICE));
    const [deleting, deleted] = (await messagesTo(ALICE, 5)).slice(3);
    expect(deleting!.text).toMatch(/^Deleting pomodoro-timer-dark-theme… \(run run-/);
    expect(deleted!.text).toMatch(/^pomodoro-timer-dark-theme was deleted\. \(run run-/);
    expect((await runs()).map((r) => r.kind).sort()).toEqual(['create', 'delete']);
  }, 60_000);

  it('acknowledges updates without text and answers nothing; bad JSON is a 400', async () => {
    const before = telegram.calls.length;
    const sticker = { update_id: nextUpdate++, message: { message_id: 1, date: 0, from: { id: ALICE }, chat: { id: ALICE, type: 'private' }, sticker: { file_id: 'x' } } };
    expect((await post(sticker)).status).toBe(200);
    expect((await post({ update_id: nextUpdate++, edited_message: { message_id: 2, text: 'list' } })).status).toBe(200);
    expect((await post('{"update_id": ')).status).toBe(400);
    await delay(300);
    expect(telegram.calls.length).toBe(before);
  });

  it("keeps the bot token and the secret token out of the server's log and output", () => {
    const log = readFileSync(join(home, 'logs', 'slipway.log'), 'utf8');
    expect(log).toContain('chat request started a run');
    const { stdout, stderr } = server.output();
    for (const text of [log, stdout, stderr]) {
      expect(text).not.toContain(BOT_TOKEN.split(':')[1]);
      expect(text).not.toContain(SECRET);
    }
  });
});

describe('slipway chat telegram set-webhook', () => {
  it("registers <base>/v1/chat/telegram with the secret token and message updates, printing Telegram's answer and no token", async () => {
    const result = await runCli(['chat', 'telegram', 'set-webhook', '--url', 'https://slipway.example.org/'], { home, cwd, env });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe('Telegram: Webhook was set. The bot\'s messages now go to https://slipway.example.org/v1/chat/telegram\n');
    const call = telegram.calls.at(-1)!;
    expect(call.method).toBe('setWebhook');
    expect(call.body).toEqual({ url: 'https://slipway.example.org/v1/chat/telegram', secret_token: SECRET, allowed_updates: ['message'] });
    const json = await runCli(['chat', 'telegram', 'set-webhook', '--url', 'https://home.example.org/slipway', '--json'], { home, cwd, env });
    expect(JSON.parse(json.stdout)).toEqual({ url: 'https://home.example.org/slipway/v1/chat/telegram', allowedUpdates: ['message'], description: 'Webhook was set' });
    for (const output of [result, json]) expect(output.stdout + output.stderr).not.toMatch(/the-bot-token|webhook_secret/);
  });

  it("exits 1 with Telegram's description when it refuses, and never shows the bot token", async () => {
    const refused = await runCli(['chat', 'telegram', 'set-webhook', '--url', 'http://slipway.example.org'], { home, cwd, env });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('Telegram: setWebhook was refused: Bad Request: bad webhook: An HTTPS URL must be provided for webhook (400)');
    const wrongToken = await runCli(['chat', 'telegram', 'set-webhook', '--url', 'https://slipway.example.org'], { home, cwd, env: { ...env, TELEGRAM_BOT_TOKEN: '7000001:AAF-a-revoked-token' } });
    expect(wrongToken.code).toBe(1);
    expect(wrongToken.stderr).toContain('Telegram: setWebhook was refused: Unauthorized (401)');
    expect(wrongToken.stderr).toContain('chat.telegram.botToken');
    expect(wrongToken.stdout + wrongToken.stderr).not.toContain('revoked-token');
  });

  it('exits 2 on a bad --url, a missing secret, or no chat.telegram in slipway.yaml, and calls nothing', async () => {
    const before = telegram.calls.length;
    const badUrl = await runCli(['chat', 'telegram', 'set-webhook', '--url', 'slipway.example.org'], { home, cwd, env });
    expect(badUrl.code).toBe(2);
    expect(badUrl.stderr).toContain('--url must be an http(s) URL');
    const query = await runCli(['chat', 'telegram', 'set-webhook', '--url', 'https://slipway.example.org/?x=1'], { home, cwd, env });
    expect(query.code).toBe(2);
    const noUrl = await runCli(['chat', 'telegram', 'set-webhook'], { home, cwd, env });
    expect(noUrl.code).toBe(2);
    const noSecret = await runCli(['chat', 'telegram', 'set-webhook', '--url', 'https://slipway.example.org'], { home, cwd, env: { TELEGRAM_BOT_TOKEN: BOT_TOKEN } });
    expect(noSecret.code).toBe(2);
    expect(noSecret.stderr).toContain('chat.telegram.secretToken: the environment variable TELEGRAM_WEBHOOK_SECRET is not set');
    const badSecret = await runCli(['chat', 'telegram', 'set-webhook', '--url', 'https://slipway.example.org'], { home, cwd, env: { ...env, TELEGRAM_WEBHOOK_SECRET: 'has spaces!' } });
    expect(badSecret.code).toBe(2);
    expect(badSecret.stderr).toContain('chat.telegram.secretToken must be 1-256 characters');
    expect(badSecret.stderr).not.toContain('has spaces');
    const other = tempHome('slipway-chat-telegram-none-');
    const notSet = await runCli(['chat', 'telegram', 'set-webhook', '--url', 'https://slipway.example.org'], { ...other, env });
    expect(notSet.code).toBe(2);
    expect(notSet.stderr).toContain('chat.telegram is not set in slipway.yaml');
    expect(telegram.calls.length).toBe(before);
  });
});
