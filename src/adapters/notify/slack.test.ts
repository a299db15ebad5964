import type { ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { FAILED, notifierFor, startReceiver, SUCCEEDED, type Receiver, type Received } from './receiver.test-support.ts';
import { slackMessage } from './slack.ts';

const receivers: Receiver[] = [];
afterEach(async () => {
  await Promise.all(receivers.splice(0).map((r) => r.close()));
});

const WEBHOOK_PATH = '/services/T0000/B0000/XXXXXXXXXXXXXXXXXXXXXXXX';
const TEXT_TYPES = new Set(['plain_text', 'mrkdwn']);

/** Why a text object breaks Slack's documented rules, or undefined. */
function textProblem(text: any, max: number): string | undefined {
  if (!text || !TEXT_TYPES.has(text.type) || typeof text.text !== 'string' || text.text.length === 0) return 'a text object needs type plain_text or mrkdwn and non-empty text';
  return text.text.length > max ? `text longer than ${max}` : undefined;
}

/** Why a block breaks Slack's documented Block Kit rules for the blocks Slipway sends, or undefined. */
function blockProblem(block: any): string | undefined {
  switch (block?.type) {
    case 'header':
      return block.text?.type === 'plain_text' ? textProblem(block.text, 150) : 'a header takes plain_text';
    case 'section':
      if (!block.text && !block.fields) return 'a section needs text or fields';
      if (block.fields && (!Array.isArray(block.fields) || block.fields.length > 10)) return 'at most 10 fields';
      return (block.text ? textProblem(block.text, 3000) : undefined) ?? (block.fields ?? []).map((f: unknown) => textProblem(f, 2000)).find(Boolean);
    case 'context':
      return Array.isArray(block.elements) && block.elements.length > 0 && block.elements.length <= 10 ? block.elements.map((e: unknown) => textProblem(e, 3000)).find(Boolean) : 'a context needs 1 to 10 elements';
    case 'divider':
      return undefined;
    default:
      return `unknown block type ${String(block?.type)}`;
  }
}

/** An incoming webhook as Slack answers it: 200 `ok`, 400 `invalid_payload` / `no_text`, 404 `no_service`. */
function slack(request: Received, res: ServerResponse) {
  const reply = (status: number, text: string) => res.writeHead(status, { 'content-type': 'text/html' }).end(text);
  if (request.method !== 'POST' || request.path !== WEBHOOK_PATH) return reply(404, 'no_service');
  if (!String(request.headers['content-type']).startsWith('application/json')) return reply(400, 'invalid_payload');
  let payload: any;
  try { payload = JSON.parse(request.body); } catch { return reply(400, 'invalid_payload'); }
  if (typeof payload.text !== 'string' || payload.text.length === 0) return reply(400, 'no_text');
  if (!Array.isArray(payload.blocks) || payload.blocks.length === 0 || payload.blocks.length > 50) return reply(400, 'invalid_blocks');
  if (payload.blocks.some(blockProblem)) return reply(400, 'invalid_blocks');
  reply(200, 'ok');
}

/** Every mrkdwn and plain text of a message, joined: what a person sees in the channel. */
function shownText(message: { blocks: any[] }): string {
  return message.blocks.flatMap((b) => [b.text?.text, ...(b.fields ?? []).map((f: any) => f.text), ...(b.elements ?? []).map((e: any) => e.text)]).filter(Boolean).join('\n');
}

describe('Slack incoming webhook', () => {
  it('posts blocks with the app, its URL and the duration on success, and Slack answers ok', async () => {
    const receiver = await startReceiver(slack);
    receivers.push(receiver);
    const notifier = notifierFor([{ type: 'slack', url: { env: 'SLACK_URL' }, on: ['succeeded', 'failed'] }], { SLACK_URL: new URL(WEBHOOK_PATH, receiver.url).href });
    expect(await notifier.notify(SUCCEEDED)).toEqual([{ target: 'slack', ok: true, attempts: 1 }]);
    const message = JSON.parse(receiver.received[0]!.body);
    expect(message.blocks[0]).toEqual({ type: 'header', text: { type: 'plain_text', text: 'pomodoro-timer is live' } });
    const shown = shownText(message);
    expect(shown).toContain('*App*\npomodoro-timer');
    expect(shown).toContain('<http://127.0.0.1:40123/>');
    expect(shown).toContain('1 min 23 s');
    expect(message.text).toContain('pomodoro-timer is live');
  });

  it('names the failing stage, the reason and the hint, escaping what Slack would read as markup', async () => {
    const receiver = await startReceiver(slack);
    receivers.push(receiver);
    const notifier = notifierFor([{ type: 'slack', url: { env: 'SLACK_URL' }, on: ['failed'] }], { SLACK_URL: new URL(WEBHOOK_PATH, receiver.url).href });
    expect(await notifier.notify(FAILED)).toEqual([{ target: 'slack', ok: true, attempts: 1 }]);
    const shown = shownText(JSON.parse(receiver.received[0]!.body));
    expect(shown).toContain('*Failed at* `image:build`');
    expect(shown).toContain('*Reason:* the base image &lt;node:24&gt; could not be pulled &amp; cached');
    expect(shown).toContain('*Hint:* Check registry.host');
  });

  it('cuts text to the lengths Slack accepts', () => {
    const long = slackMessage({ ...FAILED, error: { message: 'x'.repeat(5000), stepId: 'source:verify' } });
    expect(long.blocks.map(blockProblem).filter(Boolean)).toEqual([]);
    expect(long.text.length).toBeLessThanOrEqual(3000);
  });

  it('does not retry a removed webhook (404 no_service) and says what Slack answered', async () => {
    const receiver = await startReceiver(slack);
    receivers.push(receiver);
    const notifier = notifierFor([{ type: 'slack', url: { env: 'SLACK_URL' }, on: ['succeeded'] }], { SLACK_URL: new URL('/services/T0000/B0000/gone', receiver.url).href });
    expect(await notifier.notify(SUCCEEDED)).toEqual([{ target: 'slack', ok: false, attempts: 1, error: 'HTTP 404: no_service' }]);
    expect(receiver.received).toHaveLength(1);
  });
});
