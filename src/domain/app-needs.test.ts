import { describe, expect, it } from 'vitest';
import { checkNeeds, needsLine, needsNothing, secretHints, unsetNeeds } from './app-needs.ts';

describe('checkNeeds', () => {
  it('keeps what Slipway can wire as it is, and drops an empty list', () => {
    const needs = { settings: [{ name: 'CITY', description: 'the town', default: 'Lisbon' }, { name: 'UNITS', description: 'metric or imperial' }], secrets: [{ name: 'API_KEY', description: 'the key' }], database: 'postgres', externals: ['nas'] };
    expect(checkNeeds(needs)).toEqual({ needs, warnings: [] });
    expect(checkNeeds({ settings: [], secrets: [], database: 'none', externals: [] })).toEqual({ needs: {}, warnings: [] });
    expect(checkNeeds(undefined)).toEqual({ needs: {}, warnings: [] });
  });

  it('says why it drops what is not a list, not an object, or a database it does not offer', () => {
    expect(checkNeeds('everything').warnings).toEqual(['dropped the needs: they were not an object']);
    expect(checkNeeds({ secrets: 'API_KEY' }).warnings).toEqual(['dropped the secrets: they were not a list']);
    expect(checkNeeds({ database: 'PostgreSQL' }).needs).toEqual({ database: 'postgres' });
    expect(checkNeeds({ database: 7 }).warnings).toEqual(['dropped database (unnamed): Slipway provides postgres only']);
  });

  it('names a dropped entry printably and briefly, whatever the model sent', () => {
    const { warnings } = checkNeeds({ secrets: [{ name: 'BAD\u0000NAME\u001b[31m', description: '' }] });
    expect(warnings[0]).toMatch(/^dropped secret "BAD\?NAME\?\[31m": /);
  });
});

describe('secretHints', () => {
  const needs = { secrets: [{ name: 'API_KEY', description: '' }, { name: 'SMTP_PASSWORD', description: '' }], settings: [{ name: 'CITY', description: '' }] };

  it('is one command per secret not set yet, and none for settings, which have defaults', () => {
    expect(secretHints('weather', needs, ['SMTP_PASSWORD'])).toEqual(['slipway secret set weather API_KEY']);
    expect(secretHints('weather', needs, [], 'dev')).toEqual(['slipway secret set weather API_KEY --env dev', 'slipway secret set weather SMTP_PASSWORD --env dev']);
    expect(secretHints('weather', needs, ['API_KEY', 'SMTP_PASSWORD'])).toEqual([]);
    expect(secretHints('weather', undefined, [])).toEqual([]);
  });
});

describe('needsLine', () => {
  it('lists every kind of need in a line, and nothing for none', () => {
    expect(needsLine({ settings: [{ name: 'CITY', description: '' }], secrets: [{ name: 'API_KEY', description: '' }], database: 'postgres', externals: ['nas', 'printer'] }))
      .toBe('settings CITY; secrets API_KEY; database postgres; externals nas, printer');
    expect(needsLine({})).toBe('');
    expect(needsNothing({ settings: [] })).toBe(true);
    expect(needsNothing({ externals: ['nas'] })).toBe(false);
  });
});

describe('unsetNeeds', () => {
  it('lists what is needed and not set: a setting with its default, a secret as needed', () => {
    const needs = { settings: [{ name: 'CITY', description: '', default: 'Lisbon' }, { name: 'UNITS', description: '' }], secrets: [{ name: 'API_KEY', description: '' }] };
    expect(unsetNeeds(needs, {}, [])).toEqual([['CITY', '(not set: default "Lisbon")'], ['UNITS', '(not set: default "")'], ['API_KEY', '(secret, needed, not set)']]);
    expect(unsetNeeds(needs, { CITY: 'Porto', UNITS: 'metric' }, ['API_KEY'])).toEqual([]);
    expect(unsetNeeds(undefined, {}, [])).toEqual([]);
  });
});
