import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ConfigSchema } from './schema.ts';

const CLOUDFLARE = { accountId: '0123456789abcdef0123456789abcdef', apiToken: { env: 'CLOUDFLARE_API_TOKEN' }, allow: { emailDomains: ['example.org'] } };
const problems = (access: unknown) => {
  const parsed = ConfigSchema.safeParse({ access });
  return parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
};

describe('access: in slipway.yaml', () => {
  it('makes apps public with no provider when absent, and fills the Cloudflare defaults', () => {
    expect(ConfigSchema.parse({}).access).toEqual({ default: 'public' });
    expect(ConfigSchema.parse({ access: { default: 'private', provider: 'cloudflare', cloudflare: CLOUDFLARE } }).access.cloudflare).toMatchObject({
      sessionDuration: '24h', apiUrl: 'https://api.cloudflare.com/client/v4', allow: { emails: [], emailDomains: ['example.org'], groups: [] },
    });
  });

  it.each([
    ['a private default without a provider', { default: 'private' }, /access\.provider: private apps need a provider/],
    ['a provider without its section', { provider: 'cloudflare' }, /access\.cloudflare: provider cloudflare needs the cloudflare section/],
    ['oauth2-proxy without its section', { provider: 'oauth2-proxy' }, /access\.oauth2Proxy: provider oauth2-proxy needs/],
    ['an account id that is not 32 hex digits', { provider: 'cloudflare', cloudflare: { ...CLOUDFLARE, accountId: 'my-account' } }, /accountId: a Cloudflare account id/],
    ['nobody let in', { provider: 'cloudflare', cloudflare: { ...CLOUDFLARE, allow: {} } }, /allow: name at least one email/],
    ['a token written in the file', { provider: 'cloudflare', cloudflare: { ...CLOUDFLARE, apiToken: 'abc' } }, /apiToken/],
    ['an unpinned proxy image', { provider: 'oauth2-proxy', oauth2Proxy: { image: 'quay.io/oauth2-proxy/oauth2-proxy:latest', issuerUrl: 'https://auth.lan', clientId: 'x', clientSecret: { env: 'S' } } }, /image: an image pinned by digest/],
    ['an unknown default', { default: 'secret' }, /access\.default/],
  ])('refuses %s', (_what, access, message) => {
    expect(problems(access).join('\n')).toMatch(message);
  });

  it('reads the README example, its placeholders filled in', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const example = [...readme.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]!).find((block) => block.startsWith('access:\n  default:'));
    expect(example).toBeDefined();
    const filled = example!.replace('<digest>', 'ab'.repeat(32)).replace('<Access group id>', 'a1b2c3d4-0000-4000-8000-000000000001');
    const { access } = ConfigSchema.parse(parse(filled));
    expect(access).toMatchObject({ default: 'public', provider: 'cloudflare', cloudflare: { sessionDuration: '24h' }, oauth2Proxy: { allowedGroups: ['homelab-admins'] } });
  });
});
