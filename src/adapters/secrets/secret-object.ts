import type { PlainSecret } from '../../render/bootstrap/types.ts';
import { secretValueDigest, VALUE_DIGEST_ANNOTATION } from './value-digest.ts';

/**
 * The metadata both encrypted forms keep readable: name, namespace, labels, and the annotations
 * plus the digest of the values. Keys are sorted so the same Secret always reads the same way.
 */
export function readableMetadata(secret: PlainSecret): { name: string; namespace: string; labels?: Record<string, string>; annotations: Record<string, string> } {
  return {
    name: secret.name,
    namespace: secret.namespace,
    ...(secret.labels && Object.keys(secret.labels).length > 0 ? { labels: sortedRecord(secret.labels) } : {}),
    annotations: sortedRecord({ ...secret.annotations, [VALUE_DIGEST_ANNOTATION]: secretValueDigest(secret.stringData) }),
  };
}

export function sortedRecord(record: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.keys(record).sort().map((key) => [key, record[key]!]));
}
