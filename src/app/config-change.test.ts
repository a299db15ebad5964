import { describe, expect, it } from 'vitest';
import { ConflictError, emptyAppConfig, InputError, NotFoundError } from '../domain/index.ts';
import { configureSubject } from '../pipeline/index.ts';
import { applyConfigChange } from './config-change.ts';

describe('applyConfigChange', () => {
  it('sets and unsets settings and secrets, sorted, and says which names each part touched', () => {
    const start = { ...emptyAppConfig(), settings: { OLD: '1', THEME: 'light' }, secrets: ['TOKEN'] };
    const { config, secretValues, touched } = applyConfigChange('weather', start, { set: { THEME: 'dark', CITY: 'Lisbon' }, unset: ['OLD'], secrets: { API_KEY: 'k-123456' }, unsetSecrets: ['TOKEN'] });
    expect(config).toEqual({ ...emptyAppConfig(), settings: { CITY: 'Lisbon', THEME: 'dark' }, secrets: ['API_KEY'] });
    expect(Object.keys(config.settings)).toEqual(['CITY', 'THEME']);
    expect(secretValues).toEqual({ API_KEY: 'k-123456' });
    expect(touched).toEqual({ set: ['CITY', 'THEME'], unset: ['OLD'], secretsSet: ['API_KEY'], secretsUnset: ['TOKEN'] });
  });

  it.each([
    [{ set: { lower: 'x' } }, InputError, /"lower" is not a setting name/],
    [{ set: { '1A': 'x' } }, InputError, /not starting with a digit/],
    [{ secrets: { DATA_DIR: 'x' } }, InputError, /Slipway sets .*DATA_DIR/],
    [{ set: { A: 'x'.repeat(4097) } }, InputError, /setting A is 4097 bytes; at most 4096/],
    [{ secrets: { A: '' } }, InputError, /secret A is empty/],
    [{ set: { A: 'a\0b' } }, InputError, /NUL/],
    [{}, InputError, /nothing to change/],
    [{ unset: ['NOPE'] }, NotFoundError, /has no setting NOPE/],
    [{ unsetSecrets: ['NOPE'] }, NotFoundError, /has no secret NOPE/],
    [{ set: { TOKEN: 'x' } }, ConflictError, /TOKEN is a secret of weather, not a setting/],
    [{ secrets: { THEME: 'x' } }, ConflictError, /THEME is a setting of weather, not a secret/],
  ])('refuses %j', (change, type, message) => {
    const start = { ...emptyAppConfig(), settings: { THEME: 'light' }, secrets: ['TOKEN'] };
    expect(() => applyConfigChange('weather', start, change)).toThrow(type);
    expect(() => applyConfigChange('weather', start, change)).toThrow(message);
  });

  it('never puts a secret value in an error', () => {
    const value = 'x'.repeat(70_000);
    expect(() => applyConfigChange('weather', emptyAppConfig(), { secrets: { BIG: value } })).toThrow(/secret BIG is 70000 bytes; at most 65536/);
  });
});

describe('configureSubject', () => {
  it('names what changed, never a value', () => {
    expect(configureSubject({ app: 'weather', env: 'prod', set: ['CITY'], unset: ['OLD'], secretsSet: ['API_KEY'], secretsUnset: ['TOKEN'] }))
      .toBe('Configure weather: set CITY, secret API_KEY, unset OLD, TOKEN');
    expect(configureSubject({ app: 'weather', env: 'prod', set: [], unset: [], secretsSet: ['API_KEY'], secretsUnset: [] })).toBe('Configure weather: secret API_KEY');
  });
});
