import { describe, expect, it } from 'vitest';
import { RateLimiter } from './rate-limiter.ts';

const T0 = 1_800_000_000_000;

describe('RateLimiter', () => {
  it('lets a key burst perMinute requests, then refuses with the whole seconds until the next one', () => {
    const limiter = new RateLimiter({ perMinute: 3 });
    expect([limiter.take('a', T0), limiter.take('a', T0), limiter.take('a', T0)]).toEqual([
      { allowed: true, remaining: 2 }, { allowed: true, remaining: 1 }, { allowed: true, remaining: 0 },
    ]);
    // One request comes back every 20 s at 3 a minute.
    expect(limiter.take('a', T0)).toEqual({ allowed: false, retryAfterSeconds: 20 });
    expect(limiter.take('a', T0 + 5_500)).toEqual({ allowed: false, retryAfterSeconds: 15 });
    expect(limiter.take('a', T0 + 19_999)).toEqual({ allowed: false, retryAfterSeconds: 1 });
    expect(limiter.take('a', T0 + 20_000)).toEqual({ allowed: true, remaining: 0 });
    expect(limiter.take('a', T0 + 20_000).allowed).toBe(false);
  });

  it('holds about perMinute requests a minute for a client that keeps asking', () => {
    const limiter = new RateLimiter({ perMinute: 120 });
    let allowed = 0;
    // One request every 100 ms for ten minutes: the burst, then two a second.
    for (let t = 0; t < 600_000; t += 100) if (limiter.take('busy', T0 + t).allowed) allowed++;
    expect(allowed).toBeGreaterThanOrEqual(120 + 1190);
    expect(allowed).toBeLessThanOrEqual(120 + 1200);
  });

  it('counts each key on its own and refills no further than perMinute', () => {
    const limiter = new RateLimiter({ perMinute: 2 });
    limiter.take('a', T0);
    limiter.take('a', T0);
    expect(limiter.take('a', T0).allowed).toBe(false);
    expect(limiter.take('b', T0)).toEqual({ allowed: true, remaining: 1 });
    // An hour idle earns a full bucket, not thirty minutes' worth.
    expect(limiter.take('a', T0 + 3_600_000)).toEqual({ allowed: true, remaining: 1 });
    expect(limiter.take('a', T0 + 3_600_000)).toEqual({ allowed: true, remaining: 0 });
    expect(limiter.take('a', T0 + 3_600_000).allowed).toBe(false);
    // A clock that steps back earns nothing.
    expect(limiter.take('a', T0).allowed).toBe(false);
  });

  it('remembers at most maxKeys keys, forgetting the one unused longest', () => {
    const limiter = new RateLimiter({ perMinute: 1, maxKeys: 3 });
    for (const key of ['a', 'b', 'c']) expect(limiter.take(key, T0).allowed).toBe(true);
    expect(limiter.take('a', T0).allowed).toBe(false); // a is now the most recently used
    expect(limiter.take('d', T0).allowed).toBe(true); // b is forgotten
    expect(limiter.size).toBe(3);
    expect(limiter.take('a', T0).allowed).toBe(false);
    expect(limiter.take('c', T0).allowed).toBe(false);
    expect(limiter.take('b', T0).allowed).toBe(true);
    for (let i = 0; i < 10_000; i++) limiter.take(`flood-${i}`, T0);
    expect(limiter.size).toBe(3);
  });

  it('refuses a limit that is not a whole number from 1', () => {
    for (const perMinute of [0, -1, 1.5, Number.NaN]) expect(() => new RateLimiter({ perMinute })).toThrow(RangeError);
  });
});
