import { InputError } from './errors.ts';

const UNIT_SECONDS = { s: 1, m: 60, h: 3600, d: 86_400 } as const;

/** The longest look back a duration may ask for: a year of logs is more than any runtime keeps. */
const MAX_SECONDS = 366 * 86_400;

// RFC 3339: a date, `T` (or `t`, or a space), a time with optional fraction, and a zone (Z or ±hh:mm).
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/**
 * Where an app's log should start: a duration back from `now` (`30s`, `10m`, `2h`, `1d`) or an
 * RFC 3339 time (`2026-12-06T07:00:00Z`). Anything else is bad input naming both forms, with
 * examples written as `name` is given: an option (`--since 10m`) or a query parameter (`since=10m`).
 * @example parseLogSince('10m', new Date('2026-12-06T07:10:00Z')) // 2026-12-06T07:00:00.000Z
 */
export function parseLogSince(value: string, now: Date, name = '--since'): Date {
  const text = value.trim();
  const duration = /^(\d{1,9})([smhd])$/.exec(text);
  if (duration) {
    const seconds = Number(duration[1]) * UNIT_SECONDS[duration[2] as keyof typeof UNIT_SECONDS];
    if (seconds === 0 || seconds > MAX_SECONDS) throw sinceError(value, name, 'a duration must be more than 0 and at most 366d');
    return new Date(now.getTime() - seconds * 1000);
  }
  if (RFC3339.test(text)) {
    const at = new Date(text.replace(' ', 'T'));
    if (!Number.isNaN(at.getTime())) return at;
  }
  throw sinceError(value, name, 'it is neither a duration nor an RFC 3339 time');
}

function sinceError(value: string, name: string, why: string): InputError {
  const given = (text: string) => (name.startsWith('--') ? `${name} ${text}` : `${name}=${text}`);
  return new InputError(`${given(JSON.stringify(value))} is not a time to start the log from: ${why}`, {
    hint: `Give a duration back from now (30s, 10m, 2h, 1d) or an RFC 3339 time, e.g. ${given('10m')} or ${given('2026-12-06T07:00:00Z')}.`,
  });
}
