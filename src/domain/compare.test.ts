import { describe, expect, it } from 'vitest';
import { compareCodeUnits } from './compare.ts';

describe('compareCodeUnits', () => {
  it('orders by code unit, capitals first, whatever the locale', () => {
    expect(['b', 'B', 'a', 'é', 'e', 'a/b', 'a-b'].sort(compareCodeUnits)).toEqual(['B', 'a', 'a-b', 'a/b', 'b', 'e', 'é']);
    expect(compareCodeUnits('x', 'x')).toBe(0);
  });
});
