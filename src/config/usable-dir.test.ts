import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { exitCodeFor } from '../cli/exit-codes.ts';
import { ConfigError } from '../domain/errors.ts';
import { assertUsableDir } from './usable-dir.ts';

describe('assertUsableDir', () => {
  it('accepts a directory, or a path that can become one', () => {
    const root = mkdtempSync(join(tmpdir(), 'slipway-home-'));
    mkdirSync(join(root, 'home'));
    expect(() => assertUsableDir(join(root, 'home'), 'SLIPWAY_HOME')).not.toThrow();
    expect(() => assertUsableDir(join(root, 'not', 'yet'), 'SLIPWAY_HOME')).not.toThrow();
  });

  it('refuses a file, or a path below one, naming the variable and the path', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'slipway-home-')), 'file');
    writeFileSync(file, '');
    let error: unknown;
    try { assertUsableDir(file, 'SLIPWAY_HOME'); } catch (e) { error = e; }
    expect(error).toBeInstanceOf(ConfigError);
    expect(exitCodeFor(error)).toBe(2);
    expect((error as Error).message).toBe(`SLIPWAY_HOME: ${file} is not a directory`);
    expect(() => assertUsableDir(join(file, 'a', 'b'), 'SLIPWAY_CACHE')).toThrow(`SLIPWAY_CACHE: ${join(file, 'a', 'b')} cannot be a directory: ${file} is a file`);
  });
});
