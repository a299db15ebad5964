import { CancelledError } from '../../domain/errors.ts';
import { RegistryError } from './registry-error.ts';

export { backoffDelay, DEFAULT_RETRY, parseRetryAfter, sleep, type RetryPolicy } from '../http/index.ts';
import { backoffDelay, sleep, type RetryPolicy } from '../http/index.ts';

/**
 * Runs `operation` until it succeeds, fails with an error that is not retryable, or runs out of
 * attempts. Only RegistryErrors marked retryable (429, 5xx, dropped connections) are retried; the
 * operation is started over from the beginning each time.
 *
 * @example
 * const ok = await withRetry(policy, () => head(url), { signal, onRetry: (e, n, ms) => log.warn(…) });
 */
export async function withRetry<T>(
  policy: RetryPolicy,
  operation: (attempt: number) => Promise<T>,
  options: { signal?: AbortSignal; onRetry?: (error: RegistryError, attempt: number, delayMs: number) => void } = {},
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    if (options.signal?.aborted) throw new CancelledError();
    try {
      return await operation(attempt);
    } catch (error) {
      if (!(error instanceof RegistryError) || !error.retryable || options.signal?.aborted) throw error;
      if (attempt >= policy.attempts) throw attempt > 1 ? error.afterAttempts(attempt) : error;
      const delayMs = backoffDelay(policy, attempt, error.retryAfterMs);
      options.onRetry?.(error, attempt, delayMs);
      await sleep(delayMs, options.signal);
    }
  }
}
