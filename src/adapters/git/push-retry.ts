/** How long and how often a writer keeps retrying a push that lost a race with other writers. */
export interface PushRetryPolicy {
  /** Pushes at most this many times (default 30). */
  maxAttempts: number;
  /** Stops retrying once the next pause would end this long after the first attempt began (default 60 s). */
  deadlineMs: number;
  /** Shortest pause between attempts (default 25 ms). */
  baseDelayMs: number;
  /** Longest pause between attempts (default 10 s). */
  maxDelayMs: number;
}

export const DEFAULT_PUSH_RETRY: PushRetryPolicy = { maxAttempts: 30, deadlineMs: 60_000, baseDelayMs: 25, maxDelayMs: 10_000 };

/** A pause never exceeds this many attempt durations: fast remotes retry soon, slow ones are not hammered. */
const CAP_IN_ATTEMPTS = 10;

/**
 * The pauses between push attempts of one commit: "decorrelated jitter" (each pause random between
 * a floor and three times the previous pause) in units of how long an attempt takes. The floor is
 * the duration of the attempt just lost, roughly what the winner needs to land its push; the cap is
 * ten of them (and `maxDelayMs`). Writers that collided spread apart within a few rounds instead of
 * retrying in lockstep. Bounded by an attempt count and a deadline.
 * @example
 * const retry = new PushRetry(DEFAULT_PUSH_RETRY);
 * const pause = retry.nextDelay(attempt, Date.now() - attemptStarted); // undefined: give up
 */
export class PushRetry {
  readonly #policy: PushRetryPolicy;
  readonly #random: () => number;
  readonly #now: () => number;
  readonly #started: number;
  #previous = 0;

  constructor(policy: PushRetryPolicy, clock: { random?: () => number; now?: () => number } = {}) {
    this.#policy = policy;
    this.#random = clock.random ?? Math.random;
    this.#now = clock.now ?? Date.now;
    this.#started = this.#now();
  }

  /**
   * The pause before the attempt after `attempt` (1-based), given how long that attempt took, or
   * undefined when the attempt count or the deadline is spent.
   */
  nextDelay(attempt: number, attemptMs = 0): number | undefined {
    if (attempt >= this.#policy.maxAttempts) return undefined;
    const { baseDelayMs, maxDelayMs } = this.#policy;
    const floor = Math.min(maxDelayMs, Math.max(baseDelayMs, attemptMs));
    const cap = Math.min(maxDelayMs, CAP_IN_ATTEMPTS * floor);
    const previous = Math.min(cap, Math.max(this.#previous, floor));
    const pause = Math.round(Math.min(cap, floor + this.#random() * (3 * previous - floor)));
    this.#previous = pause;
    return this.elapsedMs() + pause > this.#policy.deadlineMs ? undefined : pause;
  }

  /** Time since the first attempt began. */
  elapsedMs(): number {
    return this.#now() - this.#started;
  }
}
