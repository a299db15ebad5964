import { createHmac } from 'node:crypto';
import type { RunOutcome } from '../../ports/index.ts';
import { withRetries } from './attempts.ts';
import { postOnce } from './http-post.ts';
import { eventType } from './message.ts';
import { urlSecrets, type NotifySender, type SenderContext, type SenderFactory } from './target.ts';

/*
 * The generic webhook posts the outcome itself as JSON, for scripts and workflow tools (n8n, …).
 * With a secret it is signed exactly as Slipway's signed intake expects its requests to be, so
 * one verifier serves both directions: `X-Slipway-Timestamp: <unix seconds>` and
 * `X-Slipway-Signature: sha256=<hex HMAC-SHA256(secret, "<timestamp>.<raw body>")>`.
 */

/**
 * The webhook body: `type` first, then the outcome's fields in a fixed order.
 *
 * @example
 * webhookBody(outcome) // '{"type":"run.succeeded","runId":"run-…","app":"notes","kind":"create","status":"succeeded","url":"…","durationMs":4200}'
 */
export function webhookBody(outcome: RunOutcome): string {
  const { runId, app, kind, status, url, durationMs, error } = outcome;
  return JSON.stringify({ type: eventType(outcome), runId, app, kind, status, url, durationMs, error });
}

/**
 * The signature headers for `body` sent at `timestampSeconds`.
 *
 * @example
 * signatureHeaders('s3cret', '{"a":1}', 1700000000) // { 'X-Slipway-Timestamp': '1700000000', 'X-Slipway-Signature': 'sha256=…' }
 */
export function signatureHeaders(secret: string, body: string, timestampSeconds: number): Record<string, string> {
  const timestamp = String(timestampSeconds);
  const digest = createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
  return { 'X-Slipway-Timestamp': timestamp, 'X-Slipway-Signature': `sha256=${digest}` };
}

/** A URL that gets the outcome as JSON, signed when a secret is configured; shown by its host. */
export const webhookSender: SenderFactory<'webhook'> = (config, field, context) =>
  signedWebhook(config.url, config.secret ? context.secret(config.secret, `${field}.secret`) : undefined, context);

/**
 * The sender behind every webhook, configured in slipway.yaml or subscribed through the API: the
 * outcome as JSON to `url`, signed with `secret` when there is one, named `webhook:<host>`.
 *
 * @example
 * const sender = signedWebhook('http://127.0.0.1:5678/webhook/slipway', 'a-secret-of-16-chars', context);
 */
export function signedWebhook(href: string, secret: string | undefined, context: SenderContext): NotifySender {
  const url = new URL(href);
  return {
    name: `webhook:${url.host}`,
    // A query string or user info may hold a token too; only the host is ever shown.
    secrets: [...(secret ? [secret] : []), href, ...urlSecrets(url)],
    send: (outcome, signal) => {
      const body = webhookBody(outcome);
      return withRetries(context.retry, () => {
        // Signed at each try, so a retry after a long wait is not refused as stale.
        const signature = secret ? signatureHeaders(secret, body, Math.floor(context.now() / 1000)) : {};
        const headers = { 'Content-Type': 'application/json', 'X-Slipway-Event': eventType(outcome), ...signature };
        return postOnce({ url, headers, body, timeoutMs: context.timeoutMs, signal });
      }, signal);
    },
  };
}
