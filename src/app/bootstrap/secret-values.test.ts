import { mkdtempSync, readFileSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../domain/errors.ts';
import { FileSecretValues } from './secret-values.ts';

const freshDir = () => join(mkdtempSync(join(tmpdir(), 'slipway-values-')), 'bootstrap');

describe('FileSecretValues', () => {
  it('makes a random hex value of the bytes asked for, and the same name gives the same value', () => {
    const values = FileSecretValues.open(freshDir());
    const token = values.get('flux-receiver-token');
    expect(token).toMatch(/^[0-9a-f]{64}$/);
    expect(values.get('flux-receiver-token')).toBe(token);
    expect(values.get('registry-password', 16)).toMatch(/^[0-9a-f]{32}$/);
    expect(values.get('registry-password', 16)).not.toBe(token);
  });

  it('keeps the values for the next run in files only this user may read', () => {
    const dir = freshDir();
    const first = FileSecretValues.open(dir);
    const token = first.get('flux-receiver-token');
    first.save();
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    for (const file of ['secret-values.json', 'flux-receiver-token']) expect(statSync(join(dir, file)).mode & 0o777).toBe(0o600);
    expect(readFileSync(first.fileOf('flux-receiver-token'), 'utf8')).toBe(token);

    const second = FileSecretValues.open(dir);
    expect(second.get('flux-receiver-token')).toBe(token);
    expect(second.used()).toEqual(['flux-receiver-token']);
  });

  it('refuses a damaged file without quoting it, and names that are no DNS label', () => {
    const dir = freshDir();
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'secret-values.json'), '{"flux-receiver-token": 42, "hidden": "s3cr3t-value"');
    const error = (() => {
      try {
        FileSecretValues.open(dir);
      } catch (e) {
        return e as ConfigError;
      }
      throw new Error('expected a refusal');
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).not.toContain('s3cr3t-value');
    expect(error.hint).toMatch(/new receiver path/);
    expect(() => FileSecretValues.open(freshDir()).get('../x')).toThrow(/DNS label/);
  });
});
