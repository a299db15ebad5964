import { createHash } from 'node:crypto';

/** The annotation telling whether an encrypted file still holds the values a run would write. */
export const VALUE_DIGEST_ANNOTATION = 'slipway.dev/value-digest';

/**
 * sha256 (hex) of the values as canonical JSON (keys sorted). Encryption is randomised, so without
 * it a second run could not tell an unchanged Secret from a changed one and would rewrite every file.
 * @example secretValueDigest({ b: '2', a: '1' }) === secretValueDigest({ a: '1', b: '2' }) // true
 */
export function secretValueDigest(stringData: Readonly<Record<string, string>>): string {
  const sorted = Object.fromEntries(Object.keys(stringData).sort().map((key) => [key, stringData[key]]));
  return createHash('sha256').update(JSON.stringify(sorted)).digest('hex');
}
