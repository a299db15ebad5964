import { createMiddleware } from 'hono/factory';
import type { ReplayGuard } from '../../ports/replay-guard.ts';
import { verifySignedRequest, type SignatureScheme } from '../access/signature.ts';
import { problem } from '../problem.ts';

/**
 * How Slack signs its requests: `X-Slack-Signature: v0=<hex HMAC-SHA256(signing secret, "v0:<timestamp>:<raw body>")>`
 * with `X-Slack-Request-Timestamp` (https://api.slack.com/authentication/verifying-requests-from-slack).
 */
export const SLACK_SIGNATURE: SignatureScheme = {
  timestampHeader: 'X-Slack-Request-Timestamp',
  signatureHeader: 'X-Slack-Signature',
  prefix: 'v0=',
  preamble: (timestamp) => `v0:${timestamp}:`,
  secretName: "the Slack app's signing secret",
  signHint: 'Requests here must come from Slack: set chat.slack.signingSecret to the Signing Secret under Basic Information → App Credentials of the Slack app.',
  replayHint: 'Slack signs each request anew; a request sent twice is refused.',
};

/**
 * Checks that a request comes from Slack (signature, a timestamp within 5 minutes, and a signature
 * accepted once, through the replay guard the signed intake uses) before its route reads the body.
 * Every refusal is 401: to Slack, a request it did not sign is not authenticated.
 */
export function slackSignature(options: { signingSecret: string; replays: ReplayGuard; now?: () => Date }) {
  const now = options.now ?? (() => new Date());
  return createMiddleware(async (c, next) => {
    // Read once here; the route's validator reads the same bytes again from Hono's body cache.
    const rawBody = new Uint8Array(await c.req.arrayBuffer());
    const refusal = await verifySignedRequest({
      scheme: SLACK_SIGNATURE, secret: options.signingSecret, rawBody, now: now(), replays: options.replays,
      timestamp: c.req.header(SLACK_SIGNATURE.timestampHeader), signature: c.req.header(SLACK_SIGNATURE.signatureHeader),
    });
    if (refusal) {
      const { status: _status, ...fields } = refusal;
      return problem(c, 401, fields);
    }
    return next();
  });
}
