export type RateDecision = { allowed: true; remaining: number } | { allowed: false; retryAfterSeconds: number };

interface Bucket {
  /** Requests the key may still make now; refills continuously at perMinute a minute. */
  left: number;
  at: number;
}

/**
 * A token bucket per key: a client may burst up to `perMinute` requests, then one more each
 * 60/perMinute seconds. Kept in memory and bounded: past `maxKeys`, the key unused longest is
 * forgotten (it comes back with a full bucket, which is all a forgotten key could have earned soon anyway).
 * @example const limiter = new RateLimiter({ perMinute: 120 }); limiter.take('token:n8n', Date.now());
 */
export class RateLimiter {
  readonly perMinute: number;
  private readonly maxKeys: number;
  /** In order of last use (a Map keeps insertion order; each take moves its key to the end). */
  private readonly buckets = new Map<string, Bucket>();

  constructor(options: { perMinute: number; maxKeys?: number }) {
    if (!Number.isInteger(options.perMinute) || options.perMinute < 1) throw new RangeError('perMinute must be a whole number from 1');
    this.perMinute = options.perMinute;
    this.maxKeys = options.maxKeys ?? 10_000;
  }

  take(key: string, nowMs: number): RateDecision {
    const bucket = this.buckets.get(key) ?? { left: this.perMinute, at: nowMs };
    this.buckets.delete(key);
    const earned = (Math.max(0, nowMs - bucket.at) * this.perMinute) / 60_000;
    const left = Math.min(this.perMinute, bucket.left + earned);
    const allowed = left >= 1;
    this.buckets.set(key, { left: allowed ? left - 1 : left, at: nowMs });
    if (this.buckets.size > this.maxKeys) this.buckets.delete(this.buckets.keys().next().value!);
    if (allowed) return { allowed, remaining: Math.floor(left - 1) };
    // Whole seconds (Retry-After has no fractions), rounded up so a client that waits that long gets in.
    return { allowed, retryAfterSeconds: Math.max(1, Math.ceil(((1 - left) * 60) / this.perMinute)) };
  }

  /** How many keys are remembered (bounded by maxKeys). */
  get size(): number {
    return this.buckets.size;
  }
}
