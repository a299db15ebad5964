import { Document, isScalar, type ToStringOptions } from 'yaml';
import { InputError } from '../domain/errors.ts';

/** The comment on top of every file Slipway renders in full. */
export const RENDERED_HEADER = "Rendered by Slipway. Edit the app's source or slipway.yaml, not this file.";

/**
 * One set of emitter options for everything Slipway writes, pinned explicitly so an upgrade of the
 * `yaml` package cannot silently change committed bytes.
 */
const STRINGIFY: ToStringOptions = {
  indent: 2,
  indentSeq: true,
  lineWidth: 0,
  minContentWidth: 0,
  defaultStringType: 'PLAIN',
  defaultKeyType: null,
  doubleQuotedAsJSON: false,
  singleQuote: null,
  nullStr: 'null',
  trueStr: 'true',
  falseStr: 'false',
  directives: false,
};

/**
 * YAML 1.1 is what Kubernetes' own parser (go-yaml) follows, so strings such as `yes`, `on`, `0755`,
 * `1:20` or `2024-01-01` must be quoted to stay strings there. Emitting with the 1.1 schema quotes
 * them; the output is still plain YAML 1.2 that every parser reads the same way.
 */
const YAML_VERSION = '1.1' as const;

const TOP_KEYS = ['apiVersion', 'kind', 'metadata', 'spec', 'data', 'stringData'];
const METADATA_KEYS = ['name', 'namespace', 'labels', 'annotations'];

export interface ToYamlOptions {
  /** A comment put above the first document, one `# ` line per line of text. */
  header?: string;
  /**
   * Comments at the end of the line of a scalar in the first document, e.g. Flux's image setter
   * marker: `image: repo:tag@sha256:… # {"$imagepolicy": "apps:notes"}`.
   */
  lineComments?: ReadonlyArray<{ path: ReadonlyArray<string | number>; text: string }>;
}

/**
 * Serialises one object, or several as `---`-separated documents, deterministically: the same
 * input gives the same bytes. `apiVersion, kind, metadata` come first, then `spec`/`data`, then the
 * other keys in insertion order (renderers build objects in a fixed order; keys inside a spec are
 * never sorted). No anchors or aliases, no line folding, ambiguous strings quoted, `${VAR}` left as
 * is, a trailing newline. Undefined object fields are dropped.
 * @example toYaml({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'apps' } })
 * // 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: apps\n'
 */
export function toYaml(input: object | readonly object[], options: ToYamlOptions = {}): string {
  const documents = Array.isArray(input) ? (input as readonly object[]) : [input];
  const body = documents.map((value, i) => emit(orderObject(normalise(value, `[${i}]`)), i === 0 ? (options.lineComments ?? []) : [])).join('---\n');
  return headerComment(options.header) + body;
}

/**
 * Serialises a parsed `yaml` Document (one edited in place, comments kept) with the same options.
 * @example documentToYaml(parseDocument('a: 1')) // 'a: 1\n'
 */
export function documentToYaml(doc: Document): string {
  return doc.toString(STRINGIFY);
}

/** Parse options matching what the writer emits. */
export const YAML_PARSE_OPTIONS = { version: YAML_VERSION } as const;

function emit(value: unknown, lineComments: NonNullable<ToYamlOptions['lineComments']>): string {
  const doc = new Document(value, { version: YAML_VERSION, aliasDuplicateObjects: false });
  for (const { path, text } of lineComments) {
    const node = doc.getIn(path, true);
    // A comment that silently went missing (a marker Flux then never finds) would be worse than failing.
    if (!isScalar(node)) throw new InputError(`cannot put a comment at ${path.join('.')}: there is no single value there`);
    if (/[\r\n]/.test(text)) throw new InputError(`a line comment must be one line, not ${JSON.stringify(text)}`);
    node.comment = ` ${text}`;
  }
  return doc.toString(STRINGIFY);
}

function headerComment(header: string | undefined): string {
  if (header === undefined || header === '') return '';
  return header
    .split('\n')
    .map((line) => (line.trim() === '' ? '#' : `# ${line.trimEnd()}`))
    .join('\n')
    .concat('\n');
}

/** Puts the well-known keys of a Kubernetes object (and of its metadata) first. */
function orderObject(value: unknown): unknown {
  if (!isPlainObject(value)) return value;
  const ordered = reorder(value, TOP_KEYS);
  if (isPlainObject(ordered['metadata'])) ordered['metadata'] = reorder(ordered['metadata'], METADATA_KEYS);
  return ordered;
}

function reorder(value: Record<string, unknown>, first: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of first) if (key in value) out[key] = value[key];
  for (const key of Object.keys(value)) if (!(key in out)) out[key] = value[key];
  return out;
}

/**
 * A deep copy holding only what YAML can say the same way everywhere: plain objects, arrays,
 * strings, finite numbers, booleans and null. Anything else is a renderer bug, reported with its path.
 */
function normalise(value: unknown, path: string): unknown {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw notSerialisable(path, String(value));
    return value;
  }
  if (Array.isArray(value)) {
    return value.map((item, i) => {
      if (item === undefined) throw notSerialisable(`${path}[${i}]`, 'undefined');
      return normalise(item, `${path}[${i}]`);
    });
  }
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      if (item !== undefined) out[key] = normalise(item, `${path}.${key}`);
    }
    return out;
  }
  throw notSerialisable(path, typeof value === 'object' ? (value.constructor?.name ?? 'object') : typeof value);
}

function notSerialisable(path: string, what: string): InputError {
  return new InputError(`cannot write ${what} at ${path} as YAML; manifests hold only objects, arrays, strings, numbers, booleans and null`);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}
