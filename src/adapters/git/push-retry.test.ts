import { describe, expect, it } from 'vitest';
import { PushRetry } from './push-retry.ts';

describe('PushRetry', () => {
  it('pauses between the lost attempt\'s duration and three times the previous pause, capped, until the count or deadline', () => {
    let now = 0;
    const high = new PushRetry({ maxAttempts: 7, deadlineMs: 10_000, baseDelayMs: 10, maxDelayMs: 500 }, { random: () => 1, now: () => now });
    // Fast attempts (under the base): 10 ms floor, growing ×3 up to ten floors (100 ms).
    expect([1, 2, 3].map((a) => high.nextDelay(a, 2))).toEqual([30, 90, 100]);
    // Slow attempts raise the floor (and so the cap), never past maxDelayMs.
    expect([4, 5, 6].map((a) => high.nextDelay(a, 200))).toEqual([500, 500, 500]);
    expect(high.nextDelay(7, 200)).toBeUndefined();
    const low = new PushRetry({ maxAttempts: 30, deadlineMs: 1_000, baseDelayMs: 10, maxDelayMs: 500 }, { random: () => 0, now: () => now });
    expect(low.nextDelay(1, 40)).toBe(40);
    now = 990;
    expect(low.nextDelay(2, 5)).toBe(10);
    expect(low.nextDelay(3, 40)).toBeUndefined(); // the pause would end past the deadline
  });
});
