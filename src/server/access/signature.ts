import { createHmac, timingSafeEqual } from 'node:crypto';
import type { ReplayGuard } from '../../ports/replay-guard.ts';

export const SIGNATURE_HEADER = 'X-Slipway-Signature';
export const TIMESTAMP_HEADER = 'X-Slipway-Timestamp';
/** How far a signed request's timestamp may be from the server's clock, either way. */
export const TOLERANCE_SECONDS = 300;

const SIGNATURE_SHAPE = /^sha256=[0-9a-f]{64}$/;
const SIGN_HINT = `Sign "<timestamp>.<raw body>" with HMAC-SHA256 and the secret in server.hookSecret, and send ${TIMESTAMP_HEADER}: <unix seconds> and ${SIGNATURE_HEADER}: sha256=<hex>.`;

/**
 * The signature of a request body: `sha256=` and the hex HMAC-SHA256 of `"<timestamp>.<rawBody>"`.
 * The signed intake checks it; Slipway's outgoing webhooks carry it.
 * @example signBody('s3cret', 1767225600, '{"description":"a pomodoro timer"}') // 'sha256=…'
 */
export function signBody(secret: string, timestamp: number | string, rawBody: string | Uint8Array): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.`).update(rawBody).digest('hex')}`;
}

export interface SignedRequest {
  secret: string;
  /** The X-Slipway-Timestamp header, as sent. */
  timestamp: string | undefined;
  /** The X-Slipway-Signature header, as sent. */
  signature: string | undefined;
  /** The body's exact bytes. */
  rawBody: string | Uint8Array;
  now: Date;
  replays: ReplayGuard;
}

/** Why a signed request was refused: 401 when it carries no signature, 403 when it carries a bad one. */
export interface SignatureRefusal {
  status: 401 | 403;
  title: string;
  detail: string;
  hint: string;
}

/**
 * Checks a signed request; undefined when it is good. The messages say what is wrong and never hold
 * the secret or the expected signature. A good signature is remembered, so sending it again is refused.
 */
export async function verifySignedRequest(request: SignedRequest): Promise<SignatureRefusal | undefined> {
  const missing = [[TIMESTAMP_HEADER, request.timestamp], [SIGNATURE_HEADER, request.signature]].filter(([, v]) => !v).map(([h]) => h);
  if (missing.length > 0) {
    return { status: 401, title: 'Missing signature', detail: `the request lacks the ${missing.join(' and ')} header${missing.length > 1 ? 's' : ''}`, hint: SIGN_HINT };
  }
  const timestamp = request.timestamp!.trim();
  if (!/^\d{1,12}$/.test(timestamp)) {
    return { status: 403, title: 'Bad timestamp', detail: `${TIMESTAMP_HEADER} must be whole unix seconds, e.g. ${Math.floor(request.now.getTime() / 1000)}`, hint: SIGN_HINT };
  }
  const nowSeconds = Math.floor(request.now.getTime() / 1000);
  const skew = nowSeconds - Number(timestamp);
  if (Math.abs(skew) > TOLERANCE_SECONDS) {
    return {
      status: 403, title: 'Stale timestamp',
      detail: `${TIMESTAMP_HEADER} is ${Math.abs(skew)} seconds ${skew > 0 ? 'in the past' : 'in the future'}; at most ${TOLERANCE_SECONDS} are accepted`,
      hint: "Sign each request when it is sent, with the current time; check the sender's clock (NTP).",
    };
  }
  const given = request.signature!.trim().toLowerCase();
  if (!SIGNATURE_SHAPE.test(given)) {
    return { status: 403, title: 'Bad signature', detail: `${SIGNATURE_HEADER} must be 'sha256=' followed by 64 hex digits`, hint: SIGN_HINT };
  }
  const expected = Buffer.from(signBody(request.secret, timestamp, request.rawBody));
  const actual = Buffer.from(given);
  // timingSafeEqual needs equal lengths; both are checked shapes, but a length test costs nothing and keeps it from throwing.
  if (actual.length !== expected.length || !timingSafeEqual(actual, expected)) {
    return { status: 403, title: 'Bad signature', detail: 'the signature does not match the body and timestamp signed with the intake secret', hint: `${SIGN_HINT} Sign the exact bytes sent.` };
  }
  if (!(await request.replays.firstSeen(given, nowSeconds))) {
    return {
      status: 403, title: 'Replayed request', detail: 'this signature was accepted before: every request must be signed anew',
      hint: 'Send a fresh timestamp and signature each time; to retry a create safely, repeat its Idempotency-Key.',
    };
  }
  return undefined;
}
