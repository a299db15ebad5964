import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempHome } from '../support/cli.ts';
import { startClusterLab, type ClusterLab } from '../support/cluster-lab.ts';
import { problemOf } from '../support/problem.ts';
import { startServer } from '../support/serve.ts';
import { expectNoClearSecrets } from '../support/clear-secrets.ts';
import { ageKeygen, openSops } from '../support/sops-check.ts';
import { cookieSecretFromHex } from '../../src/render/index.ts';
import { startCloudflareStandIn, type CloudflareStandIn } from '../support/cloudflare-api.ts';

const TOKEN = 'receiver-hmac-token-for-access-tests';
const GIT_TOKEN = 'gitops-token-for-access-tests-7c2d';
const ACCOUNT = '00112233445566778899aabbccddeeff';
const CF_EDIT = 'cloudflare-edit-token-for-tests-91ab';
const CF_READ = 'cloudflare-read-token-for-tests-40cd';
let lab: ClusterLab;
let cloudflare: CloudflareStandIn;

beforeAll(async () => {
  lab = await startClusterLab({ receiverToken: TOKEN, gitToken: GIT_TOKEN });
  cloudflare = await startCloudflareStandIn({ accountId: ACCOUNT, tokens: { [CF_EDIT]: 'edit', [CF_READ]: 'read' } });
});
afterAll(async () => {
  await Promise.all([lab?.stop(), cloudflare?.close()]);
});

/** A cluster home whose private apps are guarded by the Cloudflare stand-in, with `token` as the API token. */
async function home(token: string) {
  const opts = await lab.home('slipway-access-', [
    'access:', '  provider: cloudflare', '  cloudflare:', `    accountId: ${ACCOUNT}`, '    apiToken: { env: CLOUDFLARE_API_TOKEN }',
    `    apiUrl: ${cloudflare.apiUrl}`, '    allow: { emails: [ada@example.com], emailDomains: [example.org] }',
  ]);
  return { ...opts, env: { ...opts.env, CLOUDFLARE_API_TOKEN: token } };
}

const steps = (report: { timeline: Array<{ stepId: string }> }) => [...new Set(report.timeline.map((s) => s.stepId))];

describe('private apps on the cluster target, guarded by Cloudflare Access', () => {
  it('guards a private app once its manifests are committed, shows it private, and removes the guard with the app', { timeout: 180_000 }, async () => {
    lab.receiver.accepted.length = 0;
    const opts = await home(CF_EDIT);
    const stop = lab.playFlux(0);
    let report;
    try {
      const result = await runCli(['create', 'a pomodoro timer', '--name', 'pomodoro', '--access', 'private', '--json'], opts);
      expect(result.code, `${result.stdout}${result.stderr}`).toBe(0);
      report = JSON.parse(result.stdout);
    } finally {
      stop();
    }
    expect(steps(report)).toEqual([
      'version:next', 'app:plan', 'source:generate', 'source:verify', 'source:provenance', 'source:commit', 'image:build',
      'manifests:render', 'manifests:commit', 'access:guard', 'gitops:sync', 'cluster:await',
    ]);
    expect(report.timeline.find((s: { stepId: string }) => s.stepId === 'access:guard')).toMatchObject({ status: 'succeeded' });
    // One Access application for the app's address (host and path, as apps share the host here), with its allow policy.
    expect(cloudflare.apps().map((a) => a.domain)).toEqual(['127.0.0.1/pomodoro']);
    expect(cloudflare.policies()[0]!.include).toEqual([{ email: { email: 'ada@example.com' } }, { email_domain: { domain: 'example.org' } }]);
    expect(cloudflare.apps()[0]!.policies.map((p) => p.id)).toEqual([cloudflare.policies()[0]!.id]);

    const status = await runCli(['status', 'pomodoro'], opts);
    expect(status.stdout).toMatch(/access\s+private/);
    expect(JSON.parse((await runCli(['status', 'pomodoro', '--json'], opts)).stdout).access).toBe('private');

    const removed = await runCli(['delete', 'pomodoro', '--json'], opts);
    expect(removed.code, `${removed.stdout}${removed.stderr}`).toBe(0);
    expect(JSON.parse(removed.stdout).timeline.find((s: { stepId: string }) => s.stepId === 'access:remove')).toMatchObject({ status: 'succeeded' });
    expect(cloudflare.apps()).toEqual([]);
    expect(cloudflare.policies()).toEqual([]);

    const log = readFileSync(join(opts.home, 'logs', 'slipway.log'), 'utf8');
    for (const text of [log, JSON.stringify(report), removed.stdout, removed.stderr]) expect(text).not.toContain(CF_EDIT);
  });

  it('fails the run at access:guard, in words a person can act on, when the token lacks the Access permission', { timeout: 180_000 }, async () => {
    lab.receiver.accepted.length = 0;
    const opts = await home(CF_READ);
    const result = await runCli(['create', 'a pomodoro timer', '--name', 'pomodoro', '--access', 'private', '--json'], opts);
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout);
    expect(report.error.stepId).toBe('access:guard');
    expect(report.error.message).toContain(`lacks the "Access: Apps and Policies Edit" permission for account ${ACCOUNT}`);
    expect(report.error.hint).toMatch(/API Tokens/);
    // The rollout was not asked for: a private app is not opened before it is guarded.
    expect(lab.receiver.accepted).toHaveLength(0);
    const log = readFileSync(join(opts.home, 'logs', 'slipway.log'), 'utf8');
    for (const text of [log, result.stdout, result.stderr]) expect(text).not.toContain(CF_READ);
  });

  it('refuses a private app where nothing can guard it: on the local target, and with no provider', async () => {
    const local = tempHome('slipway-access-local-');
    const refused = await runCli(['create', 'a pomodoro timer', '--access', 'private'], local);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/a private app needs the cluster target/);
    const typo = await runCli(['create', 'a pomodoro timer', '--access', 'secret'], local);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toMatch(/--access must be public or private, not "secret"/);

    const opts = await home(CF_EDIT);
    writeFileSync(join(opts.cwd, 'slipway.yaml'), readFileSync(join(opts.cwd, 'slipway.yaml'), 'utf8').replace('  provider: cloudflare\n', ''));
    const unguarded = await runCli(['create', 'a pomodoro timer', '--access', 'private'], opts);
    expect(unguarded.code).toBe(2);
    expect(unguarded.stderr).toMatch(/a private app needs an access provider/);
  });

  it('refuses a private app before its run when the provider could not guard it: no token, or no way to encrypt the proxy Secret', async () => {
    const opts = await home(CF_EDIT);
    const noToken = await runCli(['create', 'a pomodoro timer', '--access', 'private'], { ...opts, env: { ...opts.env, CLOUDFLARE_API_TOKEN: '' } });
    expect(noToken.code).toBe(2);
    expect(noToken.stderr).toMatch(/access\.cloudflare\.apiToken: the environment variable CLOUDFLARE_API_TOKEN is not set/);
    writeFileSync(join(opts.cwd, 'slipway.yaml'), readFileSync(join(opts.cwd, 'slipway.yaml'), 'utf8').replace(/^access:[\s\S]*$/m, [
      'access:', '  provider: oauth2-proxy', '  oauth2Proxy:', `    image: quay.io/oauth2-proxy/oauth2-proxy:v7.12.0@sha256:${'e1'.repeat(32)}`,
      '    issuerUrl: https://auth.k8s-lab.dev', '    clientId: slipway-apps', '    clientSecret: { env: OIDC_CLIENT_SECRET }', '',
    ].join('\n')));
    const noKey = await runCli(['create', 'a pomodoro timer', '--access', 'private'], { ...opts, env: { ...opts.env, OIDC_CLIENT_SECRET: 'oidc-secret-for-tests' } });
    expect(noKey.code).toBe(2);
    expect(noKey.stderr).toMatch(/Slipway does not know how to encrypt the Secrets it commits[\s\S]*set secrets: in slipway.yaml/);
    expect(JSON.parse((await runCli(['list', '--json'], opts)).stdout)).toEqual([]);
  });
});

describe('slipway doctor with Cloudflare Access', () => {
  it('says whether the token may read the account\'s Access applications, and what to fix when not', async () => {
    const opts = await home(CF_EDIT);
    const check = async (env: Record<string, string>) => JSON.parse((await runCli(['doctor', '--json'], { ...opts, env: { ...opts.env, ...env } })).stdout)
      .checks.find((c: { name: string }) => c.name === 'cloudflare access');
    const ok = await check({});
    expect(ok.status).toBe('ok');
    expect(ok.detail).toMatch(new RegExp(`^account ${ACCOUNT} answers: \\d+ Access application\\(s\\)$`));
    const refused = await check({ CLOUDFLARE_API_TOKEN: 'cloudflare-unknown-token-for-tests-00' });
    expect(refused).toMatchObject({ status: 'fail' });
    expect(refused.detail).toMatch(/lacks the "Access: Apps and Policies Edit" permission/);
    expect(JSON.stringify(refused)).not.toContain('cloudflare-unknown-token-for-tests-00');
  });
});

describe('private apps on the cluster target, behind oauth2-proxy', () => {
  it('ships the proxy in the pod and its Secret encrypted with SOPS, with no secret in clear anywhere in the GitOps history', { timeout: 180_000 }, async () => {
    lab.receiver.accepted.length = 0;
    const opts = await home(CF_EDIT);
    const key = ageKeygen(opts.cwd);
    const clientSecret = 'oidc-client-secret-e2e-3f9a1c';
    const config = readFileSync(join(opts.cwd, 'slipway.yaml'), 'utf8').replace(/^access:[\s\S]*$/m, [
      'access:', '  provider: oauth2-proxy', '  oauth2Proxy:', `    image: quay.io/oauth2-proxy/oauth2-proxy:v7.12.0@sha256:${'e1'.repeat(32)}`,
      '    issuerUrl: https://auth.k8s-lab.dev', '    clientId: slipway-apps', '    clientSecret: { env: OIDC_CLIENT_SECRET }', '    allowedEmails: [ada@example.com]',
      'secrets:', '  backend: sops', `  ageRecipients: [${key.recipient}]`, '',
    ].join('\n'));
    writeFileSync(join(opts.cwd, 'slipway.yaml'), config);
    const stop = lab.playFlux(0);
    try {
      const result = await runCli(['create', 'a pomodoro timer', '--name', 'pomodoro', '--access', 'private', '--json'], { ...opts, env: { ...opts.env, OIDC_CLIENT_SECRET: clientSecret } });
      expect(result.code, `${result.stdout}${result.stderr}`).toBe(0);
      // oauth2-proxy lives in the manifests: no step of its own, and nothing asked of Cloudflare.
      expect(steps(JSON.parse(result.stdout))).not.toContain('access:guard');
    } finally {
      stop();
    }
    const show = (path: string) => execFileSync('git', ['--git-dir', opts.gitops, 'show', `main:kubernetes/apps/dynamic/pomodoro/app/${path}`], { encoding: 'utf8' });
    expect(show('deployment.yaml')).toContain('name: oauth2-proxy');
    expect(show('service.yaml')).toContain('targetPort: proxy');
    expect(show('kustomization.yaml')).toContain('oauth2-proxy-secret.yaml');
    const opened = openSops(show('oauth2-proxy-secret.yaml'), key.keyFile);
    expect((opened.document as { stringData: Record<string, string> }).stringData['client-secret']).toBe(clientSecret);
    const kept = JSON.parse(readFileSync(join(opts.home, 'bootstrap', 'secret-values.json'), 'utf8'))['oauth2-proxy-cookie-secret-pomodoro'];
    const clone = join(opts.cwd, 'gitops-clone');
    execFileSync('git', ['clone', '--quiet', opts.gitops, clone]);
    expectNoClearSecrets(clone, [clientSecret, cookieSecretFromHex(kept), kept]);
    expect(readFileSync(join(opts.home, 'logs', 'slipway.log'), 'utf8')).not.toContain(clientSecret);
  });
});

describe('the API field access', () => {
  it('is refused in problem+json when it names no access or when nothing can guard a private app here', async () => {
    const local = tempHome('slipway-access-api-');
    writeFileSync(join(local.cwd, 'slipway.yaml'), 'local:\n  runtime: process\n');
    const server = await startServer(local);
    try {
      const post = (body: unknown) => fetch(`${server.url}/v1/apps`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      expect((await problemOf(await post({ template: 'static-site', access: 'secret' }), 422)).detail).toMatch(/access must be public or private/);
      const refused = await problemOf(await post({ template: 'static-site', access: 'private' }), 422);
      expect(refused.detail).toMatch(/a private app needs the cluster target/);
      expect(refused.hint).toMatch(/access\.provider/);
      expect(await (await fetch(`${server.url}/v1/apps`)).json()).toEqual({ apps: [] });
    } finally {
      expect(await server.stop()).toBe(0);
    }
  });
});
