import type { AnySchemaObject, Format, FuncKeywordDefinition, KeywordDefinition, SchemaValidateFunction } from 'ajv';

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

const intOrStringCheck: SchemaValidateFunction = function (schema: boolean, data: unknown) {
  if (!schema || typeof data === 'string' || Number.isInteger(data)) return true;
  intOrStringCheck.errors = [{ keyword: 'x-kubernetes-int-or-string', message: 'must be an integer or a string', params: {} }];
  return false;
};

/** `x-kubernetes-int-or-string: true`: a port may be `8080` or `http`, nothing else. */
const intOrString: FuncKeywordDefinition = { keyword: 'x-kubernetes-int-or-string', schemaType: 'boolean', errors: true, validate: intOrStringCheck };

const listTypeCheck: SchemaValidateFunction = function (schema: string, data: unknown, parentSchema?: AnySchemaObject) {
  if (!Array.isArray(data) || (schema !== 'set' && schema !== 'map')) return true;
  const keys = schema === 'map' ? ((parentSchema?.['x-kubernetes-list-map-keys'] as string[] | undefined) ?? []) : [];
  const seen = new Map<string, number>();
  for (const [index, item] of data.entries()) {
    const identity = schema === 'set' ? canonicalJson(item) : canonicalJson(keys.map((key) => (item as Record<string, unknown> | null)?.[key] ?? null));
    const first = seen.get(identity);
    if (first !== undefined) {
      const what = schema === 'set' ? 'the same value' : `the same ${keys.join('/')}`;
      listTypeCheck.errors = [{ keyword: 'x-kubernetes-list-type', message: `items ${first} and ${index} have ${what}; each must be unique`, params: { first, index } }];
      return false;
    }
    seen.set(identity, index);
  }
  return true;
};

/** `x-kubernetes-list-type: set | map`: a set holds each value once; a map list holds each key (list-map-keys) once. */
const listType: FuncKeywordDefinition = { keyword: 'x-kubernetes-list-type', schemaType: 'string', errors: true, validate: listTypeCheck };

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
