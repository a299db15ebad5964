import { createHmac, timingSafeEqual } from 'node:crypto';
import type { ReplayGuard } from '../../ports/replay-guard.ts';

export const SIGNATURE_HEADER = 'X-Slipway-Signature';
export const TIMESTAMP_HEADER = 'X-Slipway-Timestamp';
/** How far a signed request's timestamp may be from the server's clock, either way. */
export const TOLERANCE_SECONDS = 300;

/**
 * How a sender signs: the headers it sends, and the hex HMAC-SHA256 of a preamble naming the
 * timestamp followed by the raw body, written after a prefix. Slipway's own scheme and Slack's
 * differ only in these.
 */
export interface SignatureScheme {
  timestampHeader: string;
  signatureHeader: string;
  /** What comes before the hex digits in the signature header, e.g. `sha256=`. */
  prefix: string;
  /** The text signed before the body, e.g. `"<timestamp>."`. */
  preamble(timestamp: string): string;
  /** The secret, as the messages name it (never its value). */
  secretName: string;
  /** How to sign, for a missing or bad signature. */
  signHint: string;
  /** What to do instead of sending a request again. */
  replayHint: string;
}

/** Slipway's scheme: the signed intake checks it; Slipway's outgoing webhooks carry it. */
export const SLIPWAY_SIGNATURE: SignatureScheme = {
  timestampHeader: TIMESTAMP_HEADER,
  signatureHeader: SIGNATURE_HEADER,
  prefix: 'sha256=',
  preamble: (timestamp) => `${timestamp}.`,
  secretName: 'the intake secret',
  signHint: `Sign "<timestamp>.<raw body>" with HMAC-SHA256 and the secret in server.hookSecret, and send ${TIMESTAMP_HEADER}: <unix seconds> and ${SIGNATURE_HEADER}: sha256=<hex>.`,
  replayHint: 'Send a fresh timestamp and signature each time; to retry a create safely, repeat its Idempotency-Key.',
};

/** The signature of a body under `scheme`: its prefix and the hex HMAC-SHA256 of the preamble and the body. */
export function signWith(scheme: SignatureScheme, secret: string, timestamp: number | string, rawBody: string | Uint8Array): string {
  return `${scheme.prefix}${createHmac('sha256', secret).update(scheme.preamble(String(timestamp))).update(rawBody).digest('hex')}`;
}

/**
 * The signature of a request body: `sha256=` and the hex HMAC-SHA256 of `"<timestamp>.<rawBody>"`.
 * @example signBody('s3cret', 1767225600, '{"description":"a pomodoro timer"}') // 'sha256=…'
 */
export function signBody(secret: string, timestamp: number | string, rawBody: string | Uint8Array): string {
  return signWith(SLIPWAY_SIGNATURE, secret, timestamp, rawBody);
}

export interface SignedRequest {
  secret: string;
  /** The timestamp header, as sent. */
  timestamp: string | undefined;
  /** The signature header, as sent. */
  signature: string | undefined;
  /** The body's exact bytes. */
  rawBody: string | Uint8Array;
  now: Date;
  replays: ReplayGuard;
  /** Default: Slipway's own (X-Slipway-Timestamp, X-Slipway-Signature). */
  scheme?: SignatureScheme;
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
  const scheme = request.scheme ?? SLIPWAY_SIGNATURE;
  const hint = scheme.signHint;
  const missing = [[scheme.timestampHeader, request.timestamp], [scheme.signatureHeader, request.signature]].filter(([, v]) => !v).map(([h]) => h);
  if (missing.length > 0) {
    return { status: 401, title: 'Missing signature', detail: `the request lacks the ${missing.join(' and ')} header${missing.length > 1 ? 's' : ''}`, hint };
  }
  const timestamp = request.timestamp!.trim();
  if (!/^\d{1,12}$/.test(timestamp)) {
    return { status: 403, title: 'Bad timestamp', detail: `${scheme.timestampHeader} must be whole unix seconds, e.g. ${Math.floor(request.now.getTime() / 1000)}`, hint };
  }
  const nowSeconds = Math.floor(request.now.getTime() / 1000);
  const skew = nowSeconds - Number(timestamp);
  if (Math.abs(skew) > TOLERANCE_SECONDS) {
    return {
      status: 403, title: 'Stale timestamp',
      detail: `${scheme.timestampHeader} is ${Math.abs(skew)} seconds ${skew > 0 ? 'in the past' : 'in the future'}; at most ${TOLERANCE_SECONDS} are accepted`,
      hint: "Sign each request when it is sent, with the current time; check the sender's clock (NTP).",
    };
  }
  const given = request.signature!.trim().toLowerCase();
  if (!given.startsWith(scheme.prefix) || !/^[0-9a-f]{64}$/.test(given.slice(scheme.prefix.length))) {
    return { status: 403, title: 'Bad signature', detail: `${scheme.signatureHeader} must be '${scheme.prefix}' followed by 64 hex digits`, hint };
  }
  const expected = Buffer.from(signWith(scheme, request.secret, timestamp, request.rawBody));
  const actual = Buffer.from(given);
  // timingSafeEqual needs equal lengths; both are checked shapes, but a length test costs nothing and keeps it from throwing.
  if (actual.length !== expected.length || !timingSafeEqual(actual, expected)) {
    return { status: 403, title: 'Bad signature', detail: `the signature does not match the body and timestamp signed with ${scheme.secretName}`, hint: `${hint} Sign the exact bytes sent.` };
  }
  if (!(await request.replays.firstSeen(given, nowSeconds))) {
    return { status: 403, title: 'Replayed request', detail: 'this signature was accepted before: every request must be signed anew', hint: scheme.replayHint };
  }
  return undefined;
}
