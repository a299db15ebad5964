import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { verify } from '@octokit/webhooks-methods';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ExternalServiceError } from '../../../domain/errors.ts';
import type { SyncRequest } from '../../../ports/gitops-syncer.ts';
import { startFakeArgoCd, type FakeArgoCd, type FakeArgoCdOptions } from '../../../../test/support/argocd-api.ts';
import { createSelfSignedCertificate, type SelfSignedCertificate } from '../../../../test/support/tls.ts';
import { kubeAccessFromKubeconfig, kubeAccessInCluster } from '../../kube/index.ts';
import { ArgoCdSyncer, type ArgoCdAnnotationOptions } from './syncer.ts';

const TOKEN = 'sa-token-for-slipway-0123456789';
const REVISION = '3f786850e387550fdab836ed7e6dc881de23001b';
const REQUEST: SyncRequest = { app: 'pomodoro', revision: REVISION, branch: 'main', repoUrl: 'https://git.home.lan/ops/homelab.git' };
const FAST = { attempts: 3, baseDelayMs: 5, maxDelayMs: 20 };

let dir: string;
let server: SelfSignedCertificate;
let client: SelfSignedCertificate;
let api: FakeArgoCd | undefined;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'slipway-argocd-'));
  server = await createSelfSignedCertificate(dir, 'kube-apiserver');
  client = await createSelfSignedCertificate(dir, 'slipway-client', ['DNS:slipway']);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});
afterEach(async () => {
  await api?.close();
  api = undefined;
});

async function start(options: Partial<FakeArgoCdOptions> = {}): Promise<FakeArgoCd> {
  api = await startFakeArgoCd({ tls: { cert: server.cert, key: server.key }, token: TOKEN, applications: ['argocd/pomodoro'], ...options });
  return api;
}

function annotation(fake: FakeArgoCd, options: Partial<ArgoCdAnnotationOptions> = {}): ArgoCdSyncer {
  return new ArgoCdSyncer({ mode: 'annotation', apiServer: fake.url, token: TOKEN, ca: server.cert, retry: FAST, ...options });
}

async function failure(promise: Promise<unknown>): Promise<ExternalServiceError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ExternalServiceError);
  return error as ExternalServiceError;
}

describe('ArgoCdSyncer, annotation mode', () => {
  it('merge-patches the refresh annotation onto the Application over TLS with a bearer token', async () => {
    const fake = await start();
    const result = await annotation(fake).sync(REQUEST);
    expect(result).toEqual({ engine: 'argocd', method: 'annotation', status: 200, detail: 'Application argocd/pomodoro annotated argocd.argoproj.io/refresh=normal; Argo CD refreshes it now' });
    expect(fake.patches).toEqual([
      {
        path: '/apis/argoproj.io/v1alpha1/namespaces/argocd/applications/pomodoro',
        contentType: 'application/merge-patch+json',
        patch: { metadata: { annotations: { 'argocd.argoproj.io/refresh': 'normal' } } },
        auth: 'token',
      },
    ]);
    expect(fake.application('argocd', 'pomodoro')?.metadata.annotations).toEqual({ 'argocd.argoproj.io/refresh': 'normal' });
  });

  it('asks for a hard refresh of a named Application in another namespace', async () => {
    const fake = await start({ applications: ['gitops/dynamic-apps'] });
    await annotation(fake, { application: 'dynamic-apps', applicationNamespace: 'gitops', refresh: 'hard' }).sync(REQUEST);
    expect(fake.application('gitops', 'dynamic-apps')?.metadata.annotations['argocd.argoproj.io/refresh']).toBe('hard');
  });

  it('refreshes another environment\'s Application, <app>-<env>, and leaves the default one\'s alone', async () => {
    const fake = await start({ applications: ['argocd/pomodoro', 'argocd/pomodoro-dev'] });
    await annotation(fake).sync({ ...REQUEST, objectSuffix: '-dev' });
    expect(fake.application('argocd', 'pomodoro-dev')?.metadata.annotations).toEqual({ 'argocd.argoproj.io/refresh': 'normal' });
    expect(fake.application('argocd', 'pomodoro')?.metadata.annotations ?? {}).toEqual({});
  });

  it('works from a kubeconfig with a client certificate', async () => {
    const fake = await start({ token: undefined, clientCert: client.cert });
    const kubeconfig = [
      'apiVersion: v1',
      'current-context: lab',
      `clusters: [{ name: lab, cluster: { server: '${fake.url}', certificate-authority-data: ${Buffer.from(server.cert).toString('base64')} } }]`,
      `users: [{ name: admin, user: { client-certificate-data: ${Buffer.from(client.cert).toString('base64')}, client-key-data: ${Buffer.from(client.key).toString('base64')} } }]`,
      'contexts: [{ name: lab, context: { cluster: lab, user: admin } }]',
    ].join('\n');
    const access = kubeAccessFromKubeconfig(kubeconfig);
    await new ArgoCdSyncer({ mode: 'annotation', ...access }).sync(REQUEST);
    expect(fake.patches[0]!.auth).toBe('client-certificate');
  });

  it('works in a Pod with the mounted ServiceAccount', async () => {
    const fake = await start({ applications: ['slipway/pomodoro'] });
    const sa = join(dir, 'serviceaccount');
    await mkdir(sa, { recursive: true });
    await writeFile(join(sa, 'ca.crt'), server.cert);
    await writeFile(join(sa, 'token'), `${TOKEN}\n`);
    await writeFile(join(sa, 'namespace'), 'slipway\n');
    const access = await kubeAccessInCluster({ host: '127.0.0.1', port: new URL(fake.url).port, dir: sa });
    const result = await new ArgoCdSyncer({ mode: 'annotation', ...access, applicationNamespace: access.namespace }).sync(REQUEST);
    expect(result.detail).toContain('Application slipway/pomodoro');
    expect(fake.patches[0]!.auth).toBe('token');
  });

  it('reads a token file before each call, so a rotated token is used', async () => {
    const fake = await start();
    const tokenFile = join(dir, 'token');
    await writeFile(tokenFile, 'stale-token\n');
    const syncer = annotation(fake, { token: undefined, tokenFile });
    await failure(syncer.sync(REQUEST));
    await writeFile(tokenFile, `${TOKEN}\n`);
    expect((await syncer.sync(REQUEST)).status).toBe(200);
  });

  it('a wrong token: 401 with a hint, the token never shown', async () => {
    const fake = await start();
    const wrong = 'wrong-token-abcdef';
    const error = await failure(annotation(fake, { token: wrong }).sync(REQUEST));
    expect(error.message).toContain('answered 401: Unauthorized');
    expect(error.hint).toContain('token is wrong or expired');
    expect(`${error.message}${error.hint}`).not.toContain(wrong);
  });

  it('explains RBAC refusals and missing Applications with the Status message', async () => {
    const fake = await start({ forbiddenNamespaces: ['argocd'] });
    const forbidden = await failure(annotation(fake).sync(REQUEST));
    expect(forbidden.message).toContain('cannot patch resource "applications"');
    expect(forbidden.hint).toContain('kubectl auth can-i patch applications.argoproj.io -n argocd');
    const missing = await failure(annotation(fake, { application: 'nope', applicationNamespace: 'apps' }).sync(REQUEST));
    expect(missing.message).toContain('applications.argoproj.io "nope" not found');
    expect(missing.hint).toContain('No Application apps/nope');
  });

  it('refuses an untrusted certificate at once, and accepts it when told to skip verification', async () => {
    const fake = await start();
    const untrusted = await failure(annotation(fake, { ca: undefined }).sync(REQUEST));
    expect(untrusted.message).not.toContain('attempts');
    expect(untrusted.hint).toContain('certificate is not trusted');
    expect((await annotation(fake, { ca: undefined, insecureSkipTlsVerify: true }).sync(REQUEST)).status).toBe(200);
  });

  it('retries a 503 from the API server', async () => {
    const fake = await start();
    fake.failNext(503);
    expect((await annotation(fake).sync(REQUEST)).status).toBe(200);
    expect(fake.patches).toHaveLength(1);
  });
});

describe('ArgoCdSyncer, webhook mode', () => {
  it('posts a signed GitHub push event to /api/webhook', async () => {
    const secret = 'argocd-webhook-secret';
    const fake = await start({ webhookSecret: secret });
    const result = await new ArgoCdSyncer({ mode: 'webhook', url: fake.url, secret, ca: server.cert, now: () => new Date(0) }).sync(REQUEST);
    expect(result).toMatchObject({ engine: 'argocd', method: 'webhook', status: 200, detail: expect.stringContaining('https://git.home.lan/ops/homelab') });
    const hook = fake.webhooks[0]!;
    expect(hook.event).toBe('push');
    expect(await verify(secret, hook.body, String(hook.headers['x-hub-signature-256']))).toBe(true);
    expect(JSON.parse(hook.body)).toMatchObject({ ref: 'refs/heads/main', after: REVISION, repository: { html_url: 'https://git.home.lan/ops/homelab', default_branch: 'main' } });
  });

  it('sends no signature when Argo CD has no webhook secret', async () => {
    const fake = await start();
    await new ArgoCdSyncer({ mode: 'webhook', url: `${fake.url}/api/webhook`, insecureSkipTlsVerify: true }).sync(REQUEST);
    expect(fake.webhooks[0]!.headers['x-hub-signature-256']).toBeUndefined();
  });

  it('a wrong secret: Argo CD says HMAC verification failed, the hint names webhook.github.secret', async () => {
    const fake = await start({ webhookSecret: 'the-real-secret' });
    const wrong = 'a-wrong-secret';
    const error = await failure(new ArgoCdSyncer({ mode: 'webhook', url: fake.url, secret: wrong, ca: server.cert, retry: FAST }).sync(REQUEST));
    expect(error.message).toContain('answered 400: Webhook processing failed: HMAC verification failed');
    expect(error.hint).toContain('webhook.github.secret');
    expect(`${error.message}${error.hint}`).not.toContain(wrong);
    expect(fake.webhooks).toHaveLength(0);
  });
});
