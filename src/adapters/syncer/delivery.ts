import { CancelledError } from '../../domain/errors.ts';
import { backoffDelay, parseRetryAfter, sleep, type RetryPolicy } from '../http/index.ts';
import { sendOnce, TransportError, type SendReply, type SendRequest } from './http-send.ts';

export type { RetryPolicy };

/**
 * A reconcile nudge is worth a few seconds, not minutes: if Flux or Argo CD cannot be told, it
 * still reconciles at its next interval, so the run should learn that quickly.
 */
export const DEFAULT_SYNC_RETRY: RetryPolicy = { attempts: 4, baseDelayMs: 500, maxDelayMs: 4_000 };

/**
 * Statuses worth another try: the controller restarting or not ready (503), a proxy or tunnel
 * in front of it failing (502/504), rate limits (429), and 500, which notification-controller
 * answers when annotating a listed resource failed (often a brief API server hiccup).
 */
const RETRYABLE_STATUS = new Set([408, 429, 500, 502, 503, 504]);

/** The last thing that happened: an HTTP answer (any status) or a transport failure. */
export type DeliveryOutcome =
  | { kind: 'reply'; reply: SendReply; attempts: number }
  | { kind: 'unreachable'; error: TransportError; attempts: number };

export interface DeliveryOptions {
  signal?: AbortSignal;
  /** Told before each wait; gets no request details that could hold a secret. */
  onRetry?: (info: { attempt: number; delayMs: number; status?: number; code?: string }) => void;
}

/**
 * Sends the same request until it gets an answer that is not worth retrying (any 2xx, and 4xx
 * other than 408/429) or attempts run out; returns the last outcome for the caller to explain.
 *
 * @example
 * const outcome = await deliver({ method: 'POST', url, headers, body, timeoutMs: 10_000 }, DEFAULT_SYNC_RETRY);
 * if (outcome.kind === 'reply' && outcome.reply.status === 200) …
 */
export async function deliver(request: Omit<SendRequest, 'signal'>, policy: RetryPolicy, options: DeliveryOptions = {}): Promise<DeliveryOutcome> {
  for (let attempt = 1; ; attempt++) {
    if (options.signal?.aborted) throw new CancelledError();
    let outcome: DeliveryOutcome;
    try {
      const reply = await sendOnce({ ...request, signal: options.signal });
      outcome = { kind: 'reply', reply, attempts: attempt };
    } catch (error) {
      if (!(error instanceof TransportError)) throw error;
      outcome = { kind: 'unreachable', error, attempts: attempt };
    }
    const retryable = outcome.kind === 'unreachable' ? isRetryableTransport(outcome.error) : RETRYABLE_STATUS.has(outcome.reply.status);
    if (!retryable || attempt >= policy.attempts) return outcome;
    const retryAfter = outcome.kind === 'reply' ? parseRetryAfter(headerText(outcome.reply.headers['retry-after'])) : undefined;
    const delayMs = backoffDelay(policy, attempt, retryAfter);
    options.onRetry?.({
      attempt,
      delayMs,
      ...(outcome.kind === 'reply' ? { status: outcome.reply.status } : { code: outcome.error.code }),
    });
    await sleep(delayMs, options.signal);
  }
}

/** A certificate the client refuses will be refused again; everything else may be passing. */
function isRetryableTransport(error: TransportError): boolean {
  return !/CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS|HOSTNAME_MISMATCH|ERR_INVALID/i.test(error.code);
}

function headerText(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/**
 * A short, safe excerpt of an answer body for an error message: one line, at most 200 characters.
 *
 * @example
 * replyExcerpt('Webhook processing failed: HMAC verification failed\n') // 'Webhook processing failed: HMAC verification failed'
 */
export function replyExcerpt(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > 200 ? `${line.slice(0, 200)}…` : line;
}
