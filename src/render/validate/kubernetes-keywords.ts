import { createRequire } from 'node:module';
import type { Code, CodeKeywordDefinition, Format, JSONType, KeywordCxt, KeywordDefinition } from 'ajv';

const require = createRequire(import.meta.url);
/** Ajv's code builder, loaded when a schema is compiled, so importing the renderers never loads Ajv. */
const codegen = () => require('ajv') as typeof import('ajv');

/**
 * Ajv definitions for the OpenAPI extensions Kubernetes puts in CRD schemas. Those that change what
 * is valid are checked the way the API server checks them; the rest only annotate the schema.
 * `x-kubernetes-validations` holds CEL rules, which need a CEL interpreter: they are left to the
 * API server (Slipway's renderers do not rely on them to be correct).
 */
export function kubernetesKeywords(): KeywordDefinition[] {
  return [
    intOrString,
    listType,
    { keyword: 'x-kubernetes-list-map-keys', schemaType: 'array' },
    // Unknown fields are kept rather than pruned; `closeObjects` reads it, validation has nothing to do.
    { keyword: 'x-kubernetes-preserve-unknown-fields', schemaType: 'boolean' },
    { keyword: 'x-kubernetes-embedded-resource', schemaType: 'boolean' },
    { keyword: 'x-kubernetes-map-type', schemaType: 'string' },
    { keyword: 'x-kubernetes-validations', schemaType: 'array' },
    // OpenAPI's `example` (one sample value; JSON Schema's own is `examples`), as External Secrets' store CRDs carry.
    { keyword: 'example' },
  ];
}

/** The formats Kubernetes' OpenAPI uses: the numeric and time ones checked, the others accepted as the API server does. */
export function kubernetesFormats(): Record<string, Format> {
  const accepted = ['double', 'float', 'byte', 'binary', 'date', 'duration', 'uri', 'hostname', 'email', 'ipv4', 'ipv6', 'cidr', 'mac', 'uuid', 'password', 'quantity', 'int-or-string'];
  return {
    ...Object.fromEntries(accepted.map((name) => [name, true as const])),
    int32: { type: 'number', validate: (n: number) => Number.isInteger(n) && n >= -(2 ** 31) && n < 2 ** 31 },
    int64: { type: 'number', validate: (n: number) => Number.isSafeInteger(n) },
    'date-time': /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/,
  };
}

/** What a check found wrong, as Ajv reports it. */
export interface KeywordProblem {
  message: string;
  params: Record<string, unknown>;
}

/**
 * The checks behind the keywords that change what is valid. Validator code generated from a schema
 * calls them by name from here, so the code can be kept in a cache and loaded into a later process
 * (see compiled-validator.ts, which supplies this object as `require(KEYWORD_CHECKS_MODULE)`).
 */
export const keywordChecks = {
  /** `x-kubernetes-int-or-string: true`: a port may be `8080` or `http`, nothing else. */
  intOrString(data: unknown): KeywordProblem | undefined {
    if (typeof data === 'string' || Number.isInteger(data)) return undefined;
    return { message: 'must be an integer or a string', params: {} };
  },

  /** `x-kubernetes-list-type: set | map`: a set holds each value once; a map list holds each key (list-map-keys) once. */
  listType(data: unknown, { type, keys }: { type: 'set' | 'map'; keys: readonly string[] }): KeywordProblem | undefined {
    if (!Array.isArray(data)) return undefined;
    const seen = new Map<string, number>();
    for (const [index, item] of data.entries()) {
      const identity = type === 'set' ? canonicalJson(item) : canonicalJson(keys.map((key) => (item as Record<string, unknown> | null)?.[key] ?? null));
      const first = seen.get(identity);
      if (first !== undefined) {
        const what = type === 'set' ? 'the same value' : `the same ${keys.join('/')}`;
        return { message: `items ${first} and ${index} have ${what}; each must be unique`, params: { first, index } };
      }
      seen.set(identity, index);
    }
    return undefined;
  },
};

/** The name generated validator code requires `keywordChecks` by. */
export const KEYWORD_CHECKS_MODULE = 'slipway:kubernetes-keyword-checks';

/**
 * A keyword whose generated code calls `keywordChecks[check]` with the data and the `options` made
 * from the schema when it is compiled (none: nothing to check), and reports what the check returns.
 * Written as a code keyword rather than a `validate` function because Ajv can write only code
 * keywords out as standalone code.
 */
function checkKeyword(keyword: string, schemaType: JSONType, check: keyof typeof keywordChecks, options: (cxt: KeywordCxt) => object | undefined): CodeKeywordDefinition {
  return {
    keyword,
    schemaType,
    code(cxt) {
      const option = options(cxt);
      if (option === undefined) return;
      const { gen, data } = cxt;
      const { _, stringify } = codegen();
      const fn = gen.scopeValue('keyword', { ref: keywordChecks[check], code: _`require(${KEYWORD_CHECKS_MODULE})[${check}]` });
      const problem = gen.const('problem', _`${fn}(${data}, ${stringify(option)})`);
      cxt.setParams({ problem });
      cxt.fail(_`${problem} !== undefined`);
    },
    error: {
      message: ({ params }) => codegen()._`${params['problem'] as Code}.message`,
      params: ({ params }) => codegen()._`${params['problem'] as Code}.params`,
    },
  };
}

const intOrString = checkKeyword('x-kubernetes-int-or-string', 'boolean', 'intOrString', (cxt) => (cxt.schema === true ? {} : undefined));

const listType = checkKeyword('x-kubernetes-list-type', 'string', 'listType', (cxt) => {
  if (cxt.schema !== 'set' && cxt.schema !== 'map') return undefined;
  return { type: cxt.schema, keys: cxt.schema === 'map' ? (cxt.parentSchema['x-kubernetes-list-map-keys'] ?? []) : [] };
});

/** JSON with object keys sorted, so two equal values give the same text whatever their key order. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/**
 * Marks every object schema that lists its properties, and does not ask to keep unknown fields, as
 * closed (`additionalProperties: false`), in place. The API server silently prunes fields a CRD does
 * not know; for a renderer that is a bug (a misspelt `sourceRefs` would vanish), so it is an error here.
 * @example const s = { type: 'object', properties: { a: {} } }; closeObjects(s); s.additionalProperties // false
 */
export function closeObjects(schema: unknown): void {
  if (Array.isArray(schema)) {
    for (const item of schema) closeObjects(item);
    return;
  }
  if (typeof schema !== 'object' || schema === null) return;
  const node = schema as Record<string, unknown>;
  if (node['properties'] !== undefined && node['additionalProperties'] === undefined && node['x-kubernetes-preserve-unknown-fields'] !== true) {
    node['additionalProperties'] = false;
  }
  if (typeof node['properties'] === 'object' && node['properties'] !== null) {
    for (const child of Object.values(node['properties'] as Record<string, unknown>)) closeObjects(child);
  }
  for (const key of ['items', 'additionalProperties', 'anyOf', 'allOf', 'oneOf', 'not']) closeObjects(node[key]);
}
