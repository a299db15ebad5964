import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExternalServiceError } from '../../domain/errors.ts';
import { startCloudflareStandIn, type CloudflareStandIn } from '../../../test/support/cloudflare-api.ts';
import { CloudflareAccess, explain, type CloudflareAccessOptions } from './cloudflare.ts';

const ACCOUNT = '0123456789abcdef0123456789abcdef';
const EDIT_TOKEN = 'cf-edit-token-0123456789abcdef';
const READ_TOKEN = 'cf-read-token-0123456789abcdef';
const target = { app: 'notes', host: 'notes.apps.example.com' };

let cloudflare: CloudflareStandIn;
beforeAll(async () => {
  cloudflare = await startCloudflareStandIn({ accountId: ACCOUNT, tokens: { [EDIT_TOKEN]: 'edit', [READ_TOKEN]: 'read' } });
});
afterAll(() => cloudflare.close());

const guard = (over: Partial<CloudflareAccessOptions> = {}) => new CloudflareAccess({
  accountId: ACCOUNT, apiToken: EDIT_TOKEN, apiUrl: cloudflare.apiUrl, sessionDuration: '24h', retry: { attempts: 1, baseDelayMs: 1, maxDelayMs: 1 },
  allow: { emails: ['ada@example.com'], emailDomains: ['example.org'], groups: [{ id: 'a1b2c3d4-0000-4000-8000-000000000001' }] },
  ...over,
});

/** The error a call rejects with, for its message and hint. */
async function refusal(promise: Promise<unknown>): Promise<ExternalServiceError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(ExternalServiceError);
  return error as ExternalServiceError;
}

describe('CloudflareAccess', () => {
  it('creates a self-hosted application for the host, using a reusable allow policy with each rule', async () => {
    const result = await guard().protect(target);
    expect(result.action).toBe('created');
    const [app] = cloudflare.apps().filter((a) => a.domain === target.host);
    expect(app).toMatchObject({ type: 'self_hosted', domain: 'notes.apps.example.com', session_duration: '24h' });
    const [policy] = cloudflare.policies();
    expect(app!.policies).toEqual([{ id: policy!.id, precedence: 1 }]);
    expect(policy).toMatchObject({
      decision: 'allow', reusable: true,
      include: [{ email: { email: 'ada@example.com' } }, { email_domain: { domain: 'example.org' } }, { group: { id: 'a1b2c3d4-0000-4000-8000-000000000001' } }],
    });
    expect(result.ids).toEqual({ application: app!.id, policy: policy!.id });
    // Every call carried the token as a bearer token, and only there.
    const calls = cloudflare.received.filter((r) => r.path.startsWith(`/client/v4/accounts/${ACCOUNT}/access/`));
    expect(calls.length).toBeGreaterThan(0);
    expect(calls.every((r) => r.headers.authorization === `Bearer ${EDIT_TOKEN}` && !r.path.includes(EDIT_TOKEN) && !r.body.includes(EDIT_TOKEN))).toBe(true);
  });

  it('finds them again by host: a second protect changes nothing, and new rules update them in place', async () => {
    expect((await guard().protect(target)).action).toBe('unchanged');
    const changed = await guard({ allow: { emails: ['grace@example.com'], emailDomains: [], groups: [] }, sessionDuration: '8h' }).protect(target);
    expect(changed.action).toBe('updated');
    expect(cloudflare.apps().filter((a) => a.domain === target.host)).toHaveLength(1);
    expect(cloudflare.policies()).toHaveLength(1);
    expect(cloudflare.policies()[0]!.include).toEqual([{ email: { email: 'grace@example.com' } }]);
    expect(cloudflare.apps()[0]!.session_duration).toBe('8h');
  });

  it('reads every page of a long list before deciding an app is new', async () => {
    const others = Array.from({ length: 120 }, (_, i) => ({ app: `other${i}`, host: `other${i}.apps.example.com` }));
    const g = guard({ allow: { emails: ['ada@example.com'], emailDomains: [], groups: [] } });
    for (const other of others.slice(0, 101)) await g.protect(other);
    expect((await g.protect(others[100]!)).action).toBe('unchanged');
    expect(cloudflare.apps().filter((a) => a.domain === others[100]!.host)).toHaveLength(1);
    for (const other of others.slice(0, 101)) await g.unprotect(other);
  });

  it('unprotect deletes the application, then its policy; a second one finds nothing to delete', async () => {
    expect((await guard().unprotect(target)).action).toBe('removed');
    expect(cloudflare.apps().filter((a) => a.domain === target.host)).toEqual([]);
    expect(cloudflare.policies()).toEqual([]);
    expect((await guard().unprotect(target)).action).toBe('absent');
  });

  it('explains a token without the Access permission, naming the account but never the token', async () => {
    const error = await refusal(guard({ apiToken: READ_TOKEN }).protect(target));
    expect(error.message).toMatch(/lacks the "Access: Apps and Policies Edit" permission for account 0123456789abcdef0123456789abcdef/);
    expect(error.message).toMatch(/403: 10000 Authentication error/);
    expect(error.hint).toMatch(/API Tokens/);
    expect(`${error.message} ${error.hint} ${error.stack}`).not.toContain(READ_TOKEN);
  });

  it('explains an unknown account and a malformed token', async () => {
    const account = await refusal(guard({ accountId: 'ffffffffffffffffffffffffffffffff' }).protect(target));
    expect(account.message).toMatch(/account ffffffffffffffffffffffffffffffff was not found/);
    expect(account.hint).toMatch(/accountId/);
    const token = await refusal(guard({ apiToken: 'short' }).protect(target));
    expect(token.message).toMatch(/token was refused.*6003/);
    expect(token.message).not.toContain('short');
  });

  it('tells an application or policy gone meanwhile from a wrong account', () => {
    const gone = explain({ status: 404, body: { success: false, errors: [{ code: 12130, message: 'application not found' }] } }, ACCOUNT, { listing: false });
    expect(gone.message).toMatch(/gone \(answered 404: 12130 application not found\)/);
    expect(gone.hint).toMatch(/run the command again/);
    const account = explain({ status: 404, body: { success: false, errors: [{ code: 7003, message: 'Could not route' }] } }, ACCOUNT, { listing: false });
    expect(account.message).toMatch(/account 0123456789abcdef0123456789abcdef was not found/);
  });
});
