import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments, parseDocument } from 'yaml';
import { InputError } from '../domain/errors.ts';
import { documentToYaml, RENDERED_HEADER, toYaml, YAML_PARSE_OPTIONS } from './yaml-writer.ts';

describe('toYaml', () => {
  it('puts apiVersion, kind, metadata, then spec first and keeps other keys in insertion order', () => {
    const text = toYaml({ spec: { b: 1, a: 2 }, zeta: true, metadata: { labels: { team: 'home' }, name: 'app' }, kind: 'K', alpha: 1, apiVersion: 'v1' });
    expect(text).toBe(
      ['apiVersion: v1', 'kind: K', 'metadata:', '  name: app', '  labels:', '    team: home', 'spec:', '  b: 1', '  a: 2', 'zeta: true', 'alpha: 1', ''].join('\n'),
    );
  });

  it('writes an object used twice twice, never as an anchor and alias', () => {
    const labels = { app: 'notes' };
    const text = toYaml({ apiVersion: 'v1', kind: 'K', metadata: { name: 'n', labels }, spec: { selector: labels } });
    expect(text).not.toMatch(/[&*]a\d/);
    expect(text.match(/app: notes/g)).toHaveLength(2);
  });

  it('never folds long lines', () => {
    const long = 'word '.repeat(100).trim();
    const text = toYaml({ apiVersion: 'v1', kind: 'K', data: { long } });
    expect(text.split('\n')).toContain(`  long: ${long}`);
  });

  it.each(['yes', 'no', 'on', 'off', 'y', 'n', 'NO', 'true', 'False', 'null', '~', '', '0755', '0x1F', '1:20', '1e3', '.inf', '123', '1.0', '+1', '2024-01-01'])(
    'quotes %j so that YAML 1.1 and 1.2 parsers both read a string',
    (value) => {
      const text = toYaml({ apiVersion: 'v1', kind: 'ConfigMap', data: { value } });
      expect(text).toMatch(/value: ["']/);
      expect(parse(text).data.value).toBe(value);
      expect(parse(text, { version: '1.1' }).data.value).toBe(value);
    },
  );

  it('writes numbers and booleans as themselves', () => {
    expect(toYaml({ apiVersion: 'v1', kind: 'K', spec: { port: 80, ok: false, ratio: 0.5 } })).toContain('  port: 80\n  ok: false\n  ratio: 0.5\n');
  });

  it('leaves ${VAR} for Flux to substitute', () => {
    const text = toYaml({ apiVersion: 'v1', kind: 'K', spec: { host: 'notes.${APPS_SUBDOMAIN}', image: '${REGISTRY_URL}/apps/notes:1' } });
    expect(text).toContain('  host: notes.${APPS_SUBDOMAIN}\n');
    expect(text).toContain('  image: ${REGISTRY_URL}/apps/notes:1\n');
  });

  it.each([
    ['a colon and space', 'a: b'],
    ['a hash', 'x # not a comment'],
    ['a leading hash', '# x'],
    ['newlines', 'line one\nline two\n\nline four'],
    ['quotes', `it's "quoted"`],
    ['leading and trailing spaces', '  padded  '],
    ['a leading dash', '- item'],
    ['unicode', 'café ☕ – 日本'],
    ['backslashes', 'C:\\path\\n'],
  ])('writes a string with %s safely and reads it back identically', (_what, value) => {
    const text = toYaml({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'n', annotations: { note: value } } });
    expect(parse(text).metadata.annotations.note).toBe(value);
    expect(Object.keys(parse(text).metadata.annotations)).toEqual(['note']);
  });

  it('separates documents with --- and ends with one newline', () => {
    const text = toYaml([{ apiVersion: 'v1', kind: 'A' }, { apiVersion: 'v1', kind: 'B' }]);
    expect(text).toBe('apiVersion: v1\nkind: A\n---\napiVersion: v1\nkind: B\n');
    expect(parseAllDocuments(text).map((d) => d.toJS().kind)).toEqual(['A', 'B']);
  });

  it('puts a header comment above the first document that parsers ignore', () => {
    const text = toYaml({ apiVersion: 'v1', kind: 'A' }, { header: RENDERED_HEADER });
    expect(text.startsWith(`# ${RENDERED_HEADER}\napiVersion: v1\n`)).toBe(true);
    expect(parse(text)).toEqual({ apiVersion: 'v1', kind: 'A' });
  });

  it('drops undefined fields and refuses what YAML cannot say the same way everywhere', () => {
    expect(toYaml({ apiVersion: 'v1', kind: 'A', spec: { gone: undefined, kept: 1 } })).toBe('apiVersion: v1\nkind: A\nspec:\n  kept: 1\n');
    expect(() => toYaml({ apiVersion: 'v1', kind: 'A', spec: { n: Number.NaN } })).toThrow(InputError);
    expect(() => toYaml({ apiVersion: 'v1', kind: 'A', spec: { when: new Date(0) } })).toThrow(/Date at \[0\]\.spec\.when/);
    expect(() => toYaml({ apiVersion: 'v1', kind: 'A', spec: { list: [1, undefined] } })).toThrow(InputError);
  });

  it('gives the same bytes for the same input', () => {
    const make = () => ({ apiVersion: 'v1', kind: 'K', metadata: { name: 'x' }, spec: { list: [{ a: 1 }, 'b'], nested: { deep: { deeper: 'yes' } } } });
    expect(toYaml(make())).toBe(toYaml(make()));
  });
});

describe('toYaml line comments', () => {
  const object = { apiVersion: 'v1', kind: 'K', spec: { list: [{ image: 'a:1', other: 'a:1' }] } };
  const marker = { path: ['spec', 'list', 0, 'image'], text: '{"$imagepolicy": "apps:a"}' };

  it('puts the comment at the end of exactly the scalar\'s line, leaving the value alone', () => {
    const text = toYaml(object, { lineComments: [marker] });
    expect(text.split('\n').filter((line) => line.includes('#'))).toEqual(['    - image: a:1 # {"$imagepolicy": "apps:a"}']);
    expect(parse(text)).toEqual(object);
  });

  it('refuses a path with no scalar, or a comment of several lines, rather than losing the comment', () => {
    expect(() => toYaml(object, { lineComments: [{ path: ['spec', 'list', 1, 'image'], text: 'x' }] })).toThrow(InputError);
    expect(() => toYaml(object, { lineComments: [{ path: ['spec', 'list'], text: 'x' }] })).toThrow(/no single value/);
    expect(() => toYaml(object, { lineComments: [{ ...marker, text: 'a\nkind: Secret' }] })).toThrow(/one line/);
  });

  it('applies to the first document only', () => {
    const text = toYaml([object, object], { lineComments: [marker] });
    expect(text.match(/imagepolicy/g)).toHaveLength(1);
    expect(text.indexOf('imagepolicy')).toBeLessThan(text.indexOf('---'));
  });
});

describe('documentToYaml', () => {
  it('keeps comments of an edited document and uses the same options', () => {
    const doc = parseDocument('# top\nkey: value # why\nlist: [a, b]\n', YAML_PARSE_OPTIONS);
    doc.set('added', 'yes');
    expect(documentToYaml(doc)).toBe('# top\nkey: value # why\nlist: [ a, b ]\nadded: "yes"\n');
  });
});
