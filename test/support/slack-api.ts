import type { ServerResponse } from 'node:http';
import { startReceiver, type Received, type Receiver } from '../../src/adapters/notify/receiver.test-support.ts';

/** What the stand-in for Slack got: Web API calls and posts to response_url, in order. */
export interface SlackStandIn extends Receiver {
  /** The Web API root to set as chat.slack.apiUrl. */
  apiUrl: string;
  /** A response_url Slack would send with a slash command (a path of this server); one whose id starts with `expired` has expired. */
  responseUrl(id: string): string;
  /** The messages Slack accepted from chat.postMessage, as JSON. */
  posted(): Array<{ channel: string; text: string; thread_ts?: string }>;
  /** The JSON bodies posted to `responseUrl(id)`. */
  responses(id: string): Array<{ response_type?: string; text: string; replace_original?: boolean }>;
  /** The next `count` Web API calls are answered 429 with Retry-After: 0 (Slack's rate limit). */
  throttle(count: number): void;
}

/**
 * A local server answering as Slack's Web API does (https://api.slack.com/methods/chat.postMessage):
 * 200 `{"ok":true,"channel":"C…","ts":"…"}`, or 200 `{"ok":false,"error":"invalid_auth"}` without the
 * right bot token, `no_text` and `channel_not_found` for a message without text or channel; and
 * taking posts to response URLs (`/response/<id>`) with 200 `{"ok":true}`, or 404 `expired_url` for an expired one.
 */
export async function startSlackStandIn(botToken: string): Promise<SlackStandIn> {
  let throttled = 0;
  const accepted: Array<{ channel: string; text: string; thread_ts?: string }> = [];
  const answer = (request: Received, res: ServerResponse) => {
    const json = (status: number, body: unknown, headers: Record<string, string> = {}) => res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers }).end(JSON.stringify(body));
    if (request.method !== 'POST') return json(405, { ok: false, error: 'method_not_allowed' });
    // A response_url is good for 30 minutes; after that Slack answers 404 expired_url.
    if (request.path.startsWith('/response/expired')) return json(404, { ok: false, error: 'expired_url' });
    if (request.path.startsWith('/response/')) {
      return request.headers['content-type']?.startsWith('application/json') ? json(200, { ok: true }) : json(400, { ok: false, error: 'invalid_payload' });
    }
    if (request.path !== '/api/chat.postMessage') return json(404, { ok: false, error: 'unknown_method' });
    if (throttled > 0) {
      throttled -= 1;
      return json(429, { ok: false, error: 'ratelimited' }, { 'retry-after': '0' });
    }
    if (request.headers.authorization !== `Bearer ${botToken}`) return json(200, { ok: false, error: 'invalid_auth' });
    let message: { channel?: string; text?: string; thread_ts?: string };
    try {
      message = JSON.parse(request.body) as typeof message;
    } catch {
      return json(200, { ok: false, error: 'invalid_json' });
    }
    if (!message.channel) return json(200, { ok: false, error: 'channel_not_found' });
    if (!message.text) return json(200, { ok: false, error: 'no_text' });
    accepted.push(message as { channel: string; text: string; thread_ts?: string });
    return json(200, { ok: true, channel: message.channel, ts: `1765000000.${String(accepted.length).padStart(6, '0')}`, message: { type: 'message', text: message.text } });
  };
  const receiver = await startReceiver(answer);
  const base = receiver.url.href.replace(/\/$/, '');
  const bodies = (path: string) => receiver.received.filter((r) => r.path === path).map((r) => JSON.parse(r.body));
  return {
    ...receiver,
    apiUrl: `${base}/api`,
    responseUrl: (id) => `${base}/response/${id}`,
    posted: () => [...accepted],
    responses: (id) => bodies(`/response/${id}`),
    throttle: (count) => (throttled = count),
  };
}
