/**
 * Keys whose values are secrets wherever they appear (matched case-insensitively, by substring).
 * `stringData` holds a Secret's values before encryption, whatever their own keys are called;
 * `DATABASE_URL` carries the database password in its userinfo.
 */
const SECRET_KEY = /(token|secret|password|passwd|authorization|api[-_]?key|private[-_]?key|credential|cookie|hmac|stringdata|database[-_]?url)/i;

export const REDACTED = '[redacted]';

export function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key);
}

/** A deep copy of `value` with every secret-named key's value replaced by `[redacted]`. */
export function redactSecrets<T>(value: T): T {
  return walk(value, new WeakSet()) as T;
}

function walk(value: unknown, seen: WeakSet<object>): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (seen.has(value)) return '[circular]';
  seen.add(value);
  if (Array.isArray(value)) return value.map((v) => walk(v, seen));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = isSecretKey(k) && v !== undefined && v !== null && v !== '' ? REDACTED : walk(v, seen);
  return out;
}

/** Removes userinfo (user:password@) from URLs inside free text, e.g. git remotes in error messages. */
export function redactUrlCredentials(text: string): string {
  return text.replace(/([a-z][a-z0-9+.-]*:\/\/)[^/\s@]+@/gi, '$1***@');
}
