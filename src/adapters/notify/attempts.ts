import { CancelledError } from '../../domain/errors.ts';
import { backoffDelay, sleep, type RetryPolicy } from '../http/index.ts';

/** A notification is worth a few tries over some seconds; the run it reports on has already ended. */
export const DEFAULT_NOTIFY_RETRY: RetryPolicy = { attempts: 3, baseDelayMs: 1_000, maxDelayMs: 10_000 };

/** What one try gave: delivered, or why not and whether trying again may help. */
export type AttemptResult =
  | { ok: true }
  | { ok: false; error: string; retryable: boolean; retryAfterMs?: number };

/** What all the tries of one target gave. */
export interface Delivery {
  ok: boolean;
  attempts: number;
  error?: string;
}

/**
 * Calls `attempt` until it delivers, says trying again will not help, or `policy.attempts` run out,
 * waiting with the shared backoff in between (the service's own wait when it named one). Never
 * throws: an abort ends the tries with the reason `cancelled`, anything unexpected with its message.
 *
 * @example
 * const delivery = await withRetries(DEFAULT_NOTIFY_RETRY, () => postJson(request));
 */
export async function withRetries(policy: RetryPolicy, attempt: () => Promise<AttemptResult>, signal?: AbortSignal): Promise<Delivery> {
  for (let tries = 1; ; tries++) {
    // Aborted before this try began: the tries so far are all there were.
    if (signal?.aborted) return { ok: false, attempts: tries - 1, error: 'cancelled' };
    let result: AttemptResult;
    try {
      result = await attempt();
    } catch (error) {
      if (error instanceof CancelledError) return { ok: false, attempts: tries, error: 'cancelled' };
      result = { ok: false, error: (error as Error).message, retryable: false };
    }
    if (result.ok) return { ok: true, attempts: tries };
    if (!result.retryable || tries >= policy.attempts) return { ok: false, attempts: tries, error: result.error };
    try {
      await sleep(backoffDelay(policy, tries, result.retryAfterMs), signal);
    } catch {
      return { ok: false, attempts: tries, error: `${result.error}; then cancelled` };
    }
  }
}
