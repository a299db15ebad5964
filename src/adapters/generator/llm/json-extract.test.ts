import { describe, expect, it } from 'vitest';
import { extractJsonObject, matchingEnd, salvageFiles } from './json-extract.ts';

const isFiles = (v: unknown) => Array.isArray((v as { files?: unknown }).files);

describe('extractJsonObject', () => {
  it('finds an object wrapped in prose', () => {
    expect(extractJsonObject('Sure! Here it is: {"files":[{"path":"a","content":"}{"}]} Hope it helps {x}', isFiles)).toEqual({ files: [{ path: 'a', content: '}{' }] });
  });

  it('prefers a ```json fence and skips objects the caller does not accept', () => {
    const text = 'First {"note": 1}\n```json\n{"files": []}\n```\n';
    expect(extractJsonObject(text, isFiles)).toEqual({ files: [] });
    expect(extractJsonObject(text, () => true)).toEqual({ files: [] });
    expect(extractJsonObject('no json {here', isFiles)).toBeUndefined();
  });

  it('finds an accepted object nested in another', () => {
    expect(extractJsonObject('{"result": {"files": []}, "extra": true', isFiles)).toEqual({ files: [] });
  });
});

describe('matchingEnd', () => {
  it('skips braces inside strings and escapes', () => {
    const text = '{"a":"\\"}{","b":[1,{"c":2}]} tail';
    expect(text.slice(0, matchingEnd(text, 0))).toBe('{"a":"\\"}{","b":[1,{"c":2}]}');
    expect(matchingEnd('{"a": [1, 2', 0)).toBe(-1);
  });
});

describe('salvageFiles', () => {
  const whole = JSON.stringify({ files: [{ path: 'package.json', content: '{"x": "}"}' }, { path: 'server.js', content: 'const a = {};\n' }, { path: 'public/app.js', content: 'let b = "{";' }] });

  it('keeps only the entries that closed before the cut, and names the cut one', () => {
    const cut = whole.slice(0, whole.indexOf('let b'));
    expect(salvageFiles(cut)).toEqual({
      files: [{ path: 'package.json', content: '{"x": "}"}' }, { path: 'server.js', content: 'const a = {};\n' }],
      deleted: [],
      partialPath: 'public/app.js',
    });
  });

  it('returns every entry of a complete answer, and nothing from a cut before the first', () => {
    expect(salvageFiles(whole).files).toHaveLength(3);
    expect(salvageFiles('{"files":[{"pa')).toEqual({ files: [], deleted: [] });
    expect(salvageFiles('I cannot do that')).toEqual({ files: [], deleted: [] });
  });

  it('reads a complete delete list of a repair answer', () => {
    expect(salvageFiles('{"delete":["old.js"],"files":[{"path":"a.js","content":"1"},{"path":"b.js","cont')).toEqual({
      files: [{ path: 'a.js', content: '1' }],
      deleted: ['old.js'],
      partialPath: 'b.js',
    });
  });
});
