import { lstatSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { exitCodeFor } from '../../cli/exit-codes.ts';
import { InputError } from '../../domain/errors.ts';
import { contextReadError, entryName } from './context-errors.ts';

describe('entryName', () => {
  it('gives UTF-8 names back as text', () => {
    expect(entryName(Buffer.from('café.js'), '/app')).toBe('café.js');
  });

  it.each([[[0x62, 0xff]], [[0xc3, 0x28]], [[0xed, 0xa0, 0x80]], [[0xc0, 0xaf]]])('refuses the bytes %j, showing them escaped', (bytes) => {
    expect(() => entryName(Buffer.from(bytes), '/app')).toThrow(InputError);
    expect(() => entryName(Buffer.from(bytes), '/app')).toThrow(/the file name ".*\\x[0-9a-f]{2}.*" in \/app is not valid UTF-8/);
  });
});

describe('contextReadError', () => {
  it('turns a path too long to open into an InputError (exit 2) with a shortened path', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'slipway-context-')), 'd'.repeat(250), 'x'.repeat(5000));
    let error: unknown;
    try { lstatSync(path); } catch (e) { error = contextReadError(e, path); }
    expect(error).toBeInstanceOf(InputError);
    expect(exitCodeFor(error)).toBe(2);
    expect((error as Error).message).toMatch(/^cannot read .{100}….{80} in the app directory: the path is too long$/);
  });

  it('keeps other errors as they are', () => {
    let error: unknown;
    try { lstatSync('/nonexistent/slipway'); } catch (e) { error = e; }
    expect(contextReadError(error, '/nonexistent/slipway')).toBe(error);
  });
});
