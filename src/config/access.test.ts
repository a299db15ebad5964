import { describe, expect, it } from 'vitest';
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
});
