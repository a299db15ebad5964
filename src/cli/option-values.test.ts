import { describe, expect, it } from 'vitest';
import { InputError } from '../domain/errors.ts';
import { exitCodeFor } from './exit-codes.ts';
import { positiveInteger } from './option-values.ts';

describe('positiveInteger', () => {
  it.each([['1', 1], ['20', 20], ['007', 7], ['1000000', 1_000_000]])('reads %j', (text, value) => {
    expect(positiveInteger('--limit', text)).toBe(value);
  });
  it.each(['', 'abc', '1.5', '0', '-1', '1e3', '10x', ' 5', '0x10', '1000001', '99999999999999999999'])('refuses %j with exit 2, naming the option', (text) => {
    let error: unknown;
    try { positiveInteger('--limit', text); } catch (e) { error = e; }
    expect(error).toBeInstanceOf(InputError);
    expect(exitCodeFor(error)).toBe(2);
    expect((error as Error).message).toContain(`--limit must be a whole number from 1 to 1000000, not ${JSON.stringify(text)}`);
  });
});
