import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloudflareAccess } from '../../adapters/access/cloudflare.ts';
import { startCloudflareStandIn, type CloudflareStandIn } from '../../../test/support/cloudflare-api.ts';
import { createRemoveAccessStep } from '../access-remove/index.ts';
import { createGuardAccessStep } from './index.ts';

const ACCOUNT = 'abcdefabcdefabcdefabcdefabcdefab';
const TOKEN = 'cloudflare-token-for-step-tests-77';
let cloudflare: CloudflareStandIn;
beforeAll(async () => {
  cloudflare = await startCloudflareStandIn({ accountId: ACCOUNT, tokens: { [TOKEN]: 'edit' } });
});
afterAll(() => cloudflare.close());

const context = { runId: 'run-1', logger: pino({ level: 'silent' }), signal: new AbortController().signal };

describe('access:guard and access:remove', () => {
  it('protects a private app, unprotects one made public again, leaves a public one alone, and removes a deleted app in every environment', async () => {
    const guard = new CloudflareAccess({ accountId: ACCOUNT, apiToken: TOKEN, apiUrl: cloudflare.apiUrl, sessionDuration: '24h', allow: { emails: [], emailDomains: ['example.org'], groups: [] } });
    const hostFor = (app: string, env: string) => (env === 'prod' ? `${app}.apps.example.org` : `${app}.${env}.apps.example.org`);
    const step = createGuardAccessStep({ guard, hostFor });
    const run = (input: Parameters<typeof step.run>[0]['input']) => step.run({ input, ...context });

    expect(await run({ app: 'notes', env: 'prod', access: 'public' })).toMatchObject({ action: 'none' });
    expect(cloudflare.received).toHaveLength(0);
    expect(await run({ app: 'notes', env: 'prod', access: 'private' })).toMatchObject({ action: 'created' });
    expect(await run({ app: 'notes', env: 'dev', access: 'private' })).toMatchObject({ action: 'created' });
    expect(cloudflare.apps().map((a) => a.domain).sort()).toEqual(['notes.apps.example.org', 'notes.dev.apps.example.org']);
    // A rollback says nothing of access: the guard stays as it is.
    expect(await run({ app: 'notes', env: 'prod' })).toMatchObject({ action: 'none' });
    expect(await run({ app: 'notes', env: 'dev', access: 'public', wasPrivate: true })).toMatchObject({ action: 'removed' });
    expect(cloudflare.apps().map((a) => a.domain)).toEqual(['notes.apps.example.org']);

    const remove = createRemoveAccessStep({ guard, hostsFor: (app) => [hostFor(app, 'prod'), hostFor(app, 'dev')] });
    const calls = cloudflare.received.length;
    expect(await remove.run({ input: { app: 'notes', wasPrivate: false }, ...context })).toMatchObject({ action: 'none' });
    expect(cloudflare.received).toHaveLength(calls);
    expect(await remove.run({ input: { app: 'notes', wasPrivate: true }, ...context })).toMatchObject({ action: 'removed' });
    expect(cloudflare.apps()).toEqual([]);
    expect(cloudflare.policies()).toEqual([]);
  });
});
