import { setTimeout as delay } from 'node:timers/promises';
import { CancelledError } from '../../domain/errors.ts';

/*
 * Backoff shared by every adapter that talks HTTP to a service that may say "later" (registries,
 * Flux and Argo CD endpoints, model APIs): Retry-After parsing, jittered exponential delays, and an
 * abortable sleep.
 */

/** How often and how patiently to try again. `attempts` counts the first try. */
export interface RetryPolicy {
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 4, baseDelayMs: 500, maxDelayMs: 8_000 };

/** A service's Retry-After is honoured up to this; a longer wait is not worth holding a run for. */
const MAX_RETRY_AFTER_MS = 60_000;

/**
 * Parses `Retry-After`: delay-seconds or an HTTP date; undefined when absent or unreadable.
 *
 * @example
 * parseRetryAfter('2') // 2000
 * parseRetryAfter('Wed, 21 Oct 2015 07:28:00 GMT', Date.parse('Wed, 21 Oct 2015 07:27:58 GMT')) // 2000
 */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/**
 * The wait before attempt `attempt + 1`: the service's Retry-After when it gave one (bounded),
 * else exponential backoff from `baseDelayMs`, capped at `maxDelayMs`, with jitter so that
 * clients failing together do not retry together.
 *
 * @example
 * backoffDelay(DEFAULT_RETRY, 1) // between 250 and 500
 */
export function backoffDelay(policy: RetryPolicy, attempt: number, retryAfterMs?: number, random = Math.random): number {
  if (retryAfterMs !== undefined) return Math.min(retryAfterMs, Math.max(policy.maxDelayMs, MAX_RETRY_AFTER_MS));
  const exponential = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return Math.round(exponential / 2 + (random() * exponential) / 2);
}

/** Waits `ms`, or throws CancelledError as soon as `signal` aborts. */
export async function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  try {
    await delay(ms, undefined, { signal });
  } catch (error) {
    if (signal?.aborted) throw new CancelledError();
    throw error;
  }
}
