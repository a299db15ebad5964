import { describe, expect, it } from 'vitest';
import { InputError } from './errors.ts';
import { parseLogSince } from './log-since.ts';

const NOW = new Date('2026-12-06T07:10:00.000Z');

describe('parseLogSince', () => {
  it.each([
    ['30s', '2026-12-06T07:09:30.000Z'],
    ['10m', '2026-12-06T07:00:00.000Z'],
    ['2h', '2026-12-06T05:10:00.000Z'],
    ['1d', '2026-12-05T07:10:00.000Z'],
  ])('reads the duration %s as that long before now', (value, expected) => {
    expect(parseLogSince(value, NOW).toISOString()).toBe(expected);
  });

  it.each([
    ['2026-12-06T07:00:00Z', '2026-12-06T07:00:00.000Z'],
    ['2026-12-06T08:00:00.250+01:00', '2026-12-06T07:00:00.250Z'],
    ['2026-12-06 07:00:00z', '2026-12-06T07:00:00.000Z'],
  ])('reads the RFC 3339 time %s', (value, expected) => {
    expect(parseLogSince(value, NOW).toISOString()).toBe(expected);
  });

  it.each(['10', '10 minutes', '-5m', '0s', '400d', '1w', '2026-12-06', '2026-12-06T07:00:00', '2026-13-45T99:00:00Z', ''])('refuses %j with an example of each form', (value) => {
    let error: unknown;
    try {
      parseLogSince(value, NOW);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).message).toContain(`--since ${JSON.stringify(value)}`);
    expect((error as InputError).hint).toContain('--since 10m');
    expect((error as InputError).hint).toContain('--since 2026-12-06T07:00:00Z');
  });

  it('writes its examples as query parameters when it reads one', () => {
    expect(() => parseLogSince('soon', NOW, 'since')).toThrow(expect.objectContaining({ message: expect.stringContaining('since="soon" is not a time'), hint: expect.stringContaining('e.g. since=10m or since=2026-12-06T07:00:00Z') }));
  });
});
