import type { ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { discordRetryAfter } from './discord.ts';
import { FAILED, notifierFor, startReceiver, SUCCEEDED, type Receiver, type Received } from './receiver.test-support.ts';

const receivers: Receiver[] = [];
afterEach(async () => {
  await Promise.all(receivers.splice(0).map((r) => r.close()));
});

const WEBHOOK_PATH = '/api/webhooks/1234567890/tokenTOKENtoken';

/** Why an Execute Webhook body breaks Discord's documented limits, or undefined. */
function payloadProblem(payload: any): string | undefined {
  if (typeof payload.content !== 'string' && !Array.isArray(payload.embeds)) return 'content or embeds is required';
  if (typeof payload.content === 'string' && payload.content.length > 2000) return 'content over 2000';
  const embeds: any[] = payload.embeds ?? [];
  if (embeds.length > 10) return 'more than 10 embeds';
  let total = 0;
  for (const embed of embeds) {
    if (embed.title !== undefined && (typeof embed.title !== 'string' || embed.title.length > 256)) return 'embed title';
    if (embed.description !== undefined && (typeof embed.description !== 'string' || embed.description.length > 4096)) return 'embed description';
    if (embed.color !== undefined && (!Number.isInteger(embed.color) || embed.color < 0 || embed.color > 0xffffff)) return 'embed color';
    if (embed.url !== undefined && !URL.canParse(embed.url)) return 'embed url';
    const fields: any[] = embed.fields ?? [];
    if (fields.length > 25) return 'more than 25 fields';
    for (const field of fields) {
      if (typeof field.name !== 'string' || !field.name || field.name.length > 256) return 'field name';
      if (typeof field.value !== 'string' || !field.value || field.value.length > 1024) return 'field value';
      total += field.name.length + field.value.length;
    }
    total += (embed.title ?? '').length + (embed.description ?? '').length;
  }
  return total > 6000 ? 'embeds over 6000 characters' : undefined;
}

/** Execute Webhook as Discord answers it without ?wait=true: 204, or 400 with code 50035 for an invalid body. */
function discord(request: Received, res: ServerResponse) {
  const json = (status: number, body: object, headers: Record<string, string> = {}) => res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
  if (request.method !== 'POST' || request.path !== WEBHOOK_PATH) return json(404, { message: 'Unknown Webhook', code: 10015 });
  let payload: any;
  try { payload = JSON.parse(request.body); } catch { return json(400, { message: 'Cannot send an empty message', code: 50006 }); }
  if (payloadProblem(payload)) return json(400, { message: 'Invalid Form Body', code: 50035 });
  res.writeHead(204).end();
}

describe('Discord webhook', () => {
  it('executes the webhook with content and an embed holding the app, URL and duration; Discord answers 204', async () => {
    const receiver = await startReceiver(discord);
    receivers.push(receiver);
    const notifier = notifierFor([{ type: 'discord', url: { env: 'DISCORD_URL' }, on: ['succeeded', 'failed'] }], { DISCORD_URL: new URL(WEBHOOK_PATH, receiver.url).href });
    expect(await notifier.notify(SUCCEEDED)).toEqual([{ target: 'discord', ok: true, attempts: 1 }]);
    const payload = JSON.parse(receiver.received[0]!.body);
    expect(payload.content).toBe('pomodoro-timer is live');
    expect(payload.allowed_mentions).toEqual({ parse: [] });
    expect(payload.embeds[0].url).toBe('http://127.0.0.1:40123/');
    expect(payload.embeds[0].fields).toEqual(expect.arrayContaining([{ name: 'App', value: 'pomodoro-timer', inline: true }, { name: 'Duration', value: '1 min 23 s', inline: true }]));
  });

  it('puts the failing stage, reason and hint in the embed', async () => {
    const receiver = await startReceiver(discord);
    receivers.push(receiver);
    const notifier = notifierFor([{ type: 'discord', url: { env: 'DISCORD_URL' }, on: ['failed'] }], { DISCORD_URL: new URL(WEBHOOK_PATH, receiver.url).href });
    expect(await notifier.notify(FAILED)).toEqual([{ target: 'discord', ok: true, attempts: 1 }]);
    const embed = JSON.parse(receiver.received[0]!.body).embeds[0];
    expect(embed.fields).toContainEqual({ name: 'Stage', value: 'image:build', inline: true });
    expect(embed.description).toContain('**Reason:** the base image <node:24> could not be pulled & cached');
    expect(embed.description).toContain('**Hint:** Check registry.host');
  });

  it('waits the retry_after of a 429 and then delivers', async () => {
    const times: number[] = [];
    const receiver = await startReceiver((request, res) => {
      times.push(Date.now());
      // Retry-After is whole seconds; the body's retry_after is the precise wait, and the one to honour.
      if (times.length === 1) return res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '1' }).end(JSON.stringify({ message: 'You are being rate limited.', retry_after: 0.3, global: false }));
      discord(request, res);
    });
    receivers.push(receiver);
    const notifier = notifierFor([{ type: 'discord', url: { env: 'DISCORD_URL' }, on: ['succeeded'] }], { DISCORD_URL: new URL(WEBHOOK_PATH, receiver.url).href });
    expect(await notifier.notify(SUCCEEDED)).toEqual([{ target: 'discord', ok: true, attempts: 2 }]);
    expect(times[1]! - times[0]!).toBeGreaterThanOrEqual(290);
    expect(times[1]! - times[0]!).toBeLessThan(900);
  });

  it('reads retry_after in seconds from a 429 body and ignores anything else', () => {
    expect(discordRetryAfter('{"message":"You are being rate limited.","retry_after":64.57,"global":false}')).toBe(64_570);
    expect(discordRetryAfter('<html>')).toBeUndefined();
    expect(discordRetryAfter('{"retry_after":"soon"}')).toBeUndefined();
  });
});
