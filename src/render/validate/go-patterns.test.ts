import { describe, expect, it } from 'vitest';
import { jsPattern, jsPatterns } from './go-patterns.ts';

describe('jsPattern', () => {
  it('scopes a leading RE2 flag group so JavaScript compiles it and matches the same strings', () => {
    const pattern = jsPattern('^(?i)(abort|warn)?$');
    expect(pattern).toBe('^(?i:(abort|warn)?)$');
    const re = new RegExp(pattern, 'u');
    expect(['', 'abort', 'WARN', 'Abort'].every((s) => re.test(s))).toBe(true);
    expect(['aborted', 'stop'].some((s) => re.test(s))).toBe(false);
    const re2 = '^(?i)(abort|warn)?$';
    expect(() => new RegExp(re2, 'u')).toThrow();
  });

  it('leaves patterns without flags as they are', () => {
    expect(jsPattern('^[a-z]+$')).toBe('^[a-z]+$');
  });

  it('rewrites the patterns of a whole schema, and only patterns', () => {
    const schema = { properties: { a: { type: 'string', pattern: '^(?i)x$' }, pattern: { type: 'string', description: '(?i)' } } };
    jsPatterns(schema);
    expect(schema).toEqual({ properties: { a: { type: 'string', pattern: '^(?i:x)$' }, pattern: { type: 'string', description: '(?i)' } } });
  });
});
