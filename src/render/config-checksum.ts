import { createHash } from 'node:crypto';

/**
 * sha256 (hex) over an app's settings and its secrets' value digests, as canonical JSON: the pod
 * template carries it, so any change of a value (and nothing else) rolls the pods. Secrets enter
 * only as digests, never as values.
 * @example configChecksum({ A: '1' }, { TOKEN: 'ab12…' }) !== configChecksum({ A: '2' }, { TOKEN: 'ab12…' }) // true
 */
export function configChecksum(settings: Readonly<Record<string, string>>, secretDigests: Readonly<Record<string, string>>): string {
  const sorted = (values: Readonly<Record<string, string>>) => Object.keys(values).sort().map((key) => [key, values[key]]);
  return createHash('sha256').update(JSON.stringify({ settings: sorted(settings), secrets: sorted(secretDigests) })).digest('hex');
}

/** sha256 (hex) of one secret value, for configChecksum. */
export function secretDigest(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}
