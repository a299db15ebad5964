import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { closeObjects, kubernetesFormats, kubernetesKeywords } from './kubernetes-keywords.ts';
import { schemaErrorsToProblems } from './schema-errors.ts';

function check(schema: object, data: unknown) {
  const ajv = new Ajv({ allErrors: true, verbose: true, strict: true, strictTypes: false, formats: kubernetesFormats(), keywords: kubernetesKeywords() });
  const validate = ajv.compile(schema);
  return validate(data) ? [] : schemaErrorsToProblems(validate.errors ?? [], 'Thing');
}

describe('Kubernetes schema extensions', () => {
  it('x-kubernetes-int-or-string takes integers and strings only', () => {
    const schema = { type: 'object', properties: { port: { 'x-kubernetes-int-or-string': true } } };
    expect(check(schema, { port: 8080 })).toEqual([]);
    expect(check(schema, { port: 'http' })).toEqual([]);
    expect(check(schema, { port: 1.5 })).toEqual([{ path: 'port', message: 'must be an integer or a string' }]);
    expect(check(schema, { port: true })).toEqual([{ path: 'port', message: 'must be an integer or a string' }]);
  });

  it('x-kubernetes-list-type set refuses a value twice, map a key twice', () => {
    const set = { type: 'array', items: { type: 'string' }, 'x-kubernetes-list-type': 'set' };
    expect(check(set, ['a', 'b'])).toEqual([]);
    expect(check(set, ['a', 'b', 'a'])).toEqual([{ path: '(object)', message: 'items 0 and 2 have the same value; each must be unique' }]);
    const map = {
      type: 'array',
      items: { type: 'object', properties: { name: { type: 'string' }, port: { type: 'integer' }, x: { type: 'string' } } },
      'x-kubernetes-list-type': 'map',
      'x-kubernetes-list-map-keys': ['name', 'port'],
    };
    expect(check(map, [{ name: 'a', port: 1 }, { name: 'a', port: 2 }])).toEqual([]);
    expect(check(map, [{ name: 'a', port: 1, x: 'p' }, { port: 1, name: 'a', x: 'q' }])).toEqual([
      { path: '(object)', message: 'items 0 and 1 have the same name/port; each must be unique' },
    ]);
  });

  it('checks int32 and int64 ranges and RFC 3339 times, and accepts the other OpenAPI formats', () => {
    const schema = {
      type: 'object',
      properties: { a: { type: 'integer', format: 'int32' }, b: { type: 'integer', format: 'int64' }, t: { type: 'string', format: 'date-time' }, q: { type: 'string', format: 'quantity' } },
    };
    expect(check(schema, { a: 2 ** 31 - 1, b: 2 ** 40, t: '2024-01-01T00:00:00Z', q: 'anything' })).toEqual([]);
    expect(check(schema, { a: 2 ** 31, b: 2 ** 60, t: 'yesterday' }).map((p) => p.message)).toEqual([
      'must be a valid int32',
      'must be a valid int64',
      'must be a valid date-time',
    ]);
  });

  it('accepts the annotation-only extensions', () => {
    const schema = {
      type: 'object',
      'x-kubernetes-validations': [{ rule: 'self.a > 0' }],
      'x-kubernetes-map-type': 'atomic',
      properties: { e: { type: 'object', 'x-kubernetes-embedded-resource': true, 'x-kubernetes-preserve-unknown-fields': true } },
    };
    expect(check(schema, { e: { anything: 1 } })).toEqual([]);
  });
});

describe('closeObjects', () => {
  it('closes objects that list their properties, except those keeping unknown fields', () => {
    const schema: Record<string, any> = {
      type: 'object',
      properties: {
        spec: { type: 'object', properties: { a: { type: 'string' } } },
        kept: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true, properties: { a: { type: 'string' } } },
        map: { type: 'object', additionalProperties: { type: 'object', properties: { b: { type: 'string' } } } },
        list: { type: 'array', items: { type: 'object', properties: { c: { type: 'string' } } } },
        free: { type: 'object' },
      },
    };
    closeObjects(schema);
    expect(schema.additionalProperties).toBe(false);
    expect(schema.properties.spec.additionalProperties).toBe(false);
    expect(schema.properties.kept.additionalProperties).toBeUndefined();
    expect(schema.properties.map.additionalProperties.additionalProperties).toBe(false);
    expect(schema.properties.list.items.additionalProperties).toBe(false);
    expect(schema.properties.free.additionalProperties).toBeUndefined();
    expect(check(schema, { spec: { a: 'x', typo: 1 }, kept: { extra: 1 }, free: { extra: 1 } })).toEqual([
      { path: 'spec.typo', message: 'is not a field of Thing (the API server would drop it)' },
    ]);
  });
});
