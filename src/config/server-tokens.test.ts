import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ConfigError } from '../domain/errors.ts';
import { parseConfig } from './load.ts';

describe('server.tokens: API tokens read from secrets', () => {
  it('reads the README example as written: admin unless a scope is given', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const example = [...readme.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]!).find((block) => block.startsWith('server:\n  host: 0.0.0.0\n  tokens:'));
    expect(example).toBeDefined();
    const config = parseConfig(parse(example!), 'README.md');
    expect(config.server.tokens).toEqual([{ name: 'bootstrap', scope: 'admin', token: { file: '/var/run/secrets/slipway/api-token' } }]);
    expect(parseConfig({ server: { tokens: [{ name: 'n8n', scope: 'read', token: { env: 'N8N_TOKEN' } }] } }, 'test').server.tokens[0]!.scope).toBe('read');
    expect(parseConfig({}, 'test').server.tokens).toEqual([]);
  });

  it('refuses a name slipway token create would refuse, a name given twice, and a token written in the file', () => {
    const bad = [
      { name: 'Bootstrap', token: { env: 'T' } },
      { name: 'bootstrap', token: 'slw_written-in-the-file' },
      { name: 'bootstrap', scope: 'owner', token: { env: 'T' } },
    ];
    for (const entry of bad) expect(() => parseConfig({ server: { tokens: [entry] } }, 'test'), JSON.stringify(entry)).toThrow(ConfigError);
    const twice = () => parseConfig({ server: { tokens: [{ name: 'a', token: { env: 'A' } }, { name: 'a', token: { env: 'B' } }] } }, 'test');
    expect(twice).toThrow('give each token its own name');
  });
});
