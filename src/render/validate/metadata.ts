import { labelValueProblem, qualifiedNameProblem } from '../labels.ts';
import type { FieldProblem } from './problem.ts';
import { joinPath } from './problem.ts';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
/** The API server's limit on all annotations of one object together. */
const ANNOTATIONS_MAX_BYTES = 256 * 1024;

/** Kinds whose names are DNS-1035 labels (they become DNS names or environment variables). */
const LABEL_NAMED_KINDS = new Set(['v1/Service']);

/**
 * What the API server checks in `metadata` before any schema: names, namespace, label and annotation
 * keys and values. CRD schemas leave `metadata` as a bare object, so without this an HTTPRoute named
 * `My_Route` would pass every schema and still be refused.
 * @example metadataProblems({ apiVersion: 'v1', kind: 'Service', metadata: { name: '9lives' } })[0]?.path // 'metadata.name'
 */
export function metadataProblems(object: Record<string, unknown>): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const add = (segments: string[], message: string) => problems.push({ path: joinPath(['metadata', ...segments]), message });
  const metadata = object['metadata'];
  if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) {
    return [{ path: 'metadata', message: 'is required and must be an object' }];
  }
  const meta = metadata as Record<string, unknown>;
  const name = meta['name'];
  const typeKey = `${String(object['apiVersion'])}/${String(object['kind'])}`;
  if (typeof name !== 'string' || name === '') add(['name'], 'is required');
  else if (LABEL_NAMED_KINDS.has(typeKey)) {
    if (name.length > 63 || !DNS_1035_LABEL.test(name)) add(['name'], 'must be a DNS-1035 label: at most 63 lowercase letters, digits and -, starting with a letter');
  } else if (name.length > 253 || !DNS_SUBDOMAIN.test(name)) {
    add(['name'], 'must be a DNS-1123 subdomain: lowercase letters, digits, - and ., starting and ending with a letter or digit');
  }
  const namespace = meta['namespace'];
  if (namespace !== undefined && (typeof namespace !== 'string' || namespace.length > 63 || !DNS_LABEL.test(namespace))) {
    add(['namespace'], 'must be a DNS-1123 label: at most 63 lowercase letters, digits and -');
  }
  for (const [field, isLabels] of [['labels', true], ['annotations', false]] as const) {
    const map = meta[field];
    if (map === undefined) continue;
    if (typeof map !== 'object' || map === null || Array.isArray(map)) {
      add([field], 'must be a map of strings');
      continue;
    }
    let bytes = 0;
    for (const [key, value] of Object.entries(map)) {
      const keyProblem = qualifiedNameProblem(key, isLabels ? 'label key' : 'annotation key');
      if (keyProblem) add([field, key], keyProblem);
      if (typeof value !== 'string') add([field, key], 'must be a string');
      else if (isLabels) {
        const valueProblem = labelValueProblem(key, value);
        if (valueProblem) add([field, key], valueProblem);
      }
      bytes += Buffer.byteLength(key) + Buffer.byteLength(String(value));
    }
    if (!isLabels && bytes > ANNOTATIONS_MAX_BYTES) add([field], `hold ${bytes} bytes; the API server allows ${ANNOTATIONS_MAX_BYTES}`);
  }
  return problems;
}
