import { describe, expect, it } from 'vitest';
import { duration } from './format.ts';

describe('duration', () => {
  it('says milliseconds, seconds with a tenth, or minutes and seconds', () => {
    expect(duration(undefined)).toBe('');
    expect(duration(0)).toBe('0 ms');
    expect(duration(999)).toBe('999 ms');
    expect(duration(6_540)).toBe('6.5 s');
    expect(duration(61_400)).toBe('1 min 1 s');
  });
});
