import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { validateObjects } from '../../src/render/validate/index.ts';
import { ensureBaseImage } from '../support/base-image.ts';
import { runCli, tempHome } from '../support/cli.ts';
import { expectNoClearSecrets } from '../support/clear-secrets.ts';
import { startFakeFluxReceiver, type FakeFluxReceiver } from '../support/flux-receiver.ts';
import { startGitHttpServer, type GitHttpServer } from '../support/git-server.ts';
import { kubeFixture, startKubeApiServer, type KubeApiServer, type KubeObject } from '../support/kube-api-server.ts';
import { startRegistry, type RegistryServer } from '../support/registry-server.ts';
import { ageKeygen, openSops } from '../support/sops-check.ts';
import { startVaultStandIn, type VaultStandIn } from '../support/vault-api.ts';

type Obj = KubeObject & { status: Record<string, any> };
const TOKEN = 'receiver-hmac-token-for-secret-tests';
const GIT_TOKEN = 'gitops-token-for-secret-tests-3e9a';
const VAULT_TOKEN = `hvs.${randomBytes(12).toString('hex')}`;
let git: GitHttpServer;
let registry: RegistryServer;
let receiver: FakeFluxReceiver;
let kube: KubeApiServer;
let vault: VaultStandIn;
let app: Server;
let appUrl: string;

beforeAll(async () => {
  registry = await startRegistry({ mode: 'plain' });
  git = await startGitHttpServer({ auth: { username: 'x-access-token', password: GIT_TOKEN } });
  receiver = await startFakeFluxReceiver({ token: TOKEN, name: 'homelab-git-receiver', namespace: 'flux-system', type: 'github' });
  kube = await startKubeApiServer({ tls: false });
  vault = await startVaultStandIn({ mounts: ['secret'], tokens: { [VAULT_TOKEN]: { 'secret/data/slipway/*': ['create', 'read', 'update'] } } });
  app = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end('pomodoro\n'));
  await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
  appUrl = `http://127.0.0.1:${(app.address() as { port: number }).port}`;
});
afterAll(async () => {
  await Promise.all([registry?.stop(), git?.stop(), receiver?.close(), kube?.stop(), vault?.close(), new Promise((r) => app?.close(r))]);
});

/** Plays Flux and the cluster for the receiver call `call`: its revision becomes ready and the app's pods run. */
function playFlux(call: number): () => void {
  const timer = setInterval(() => {
    const hook = receiver.accepted[call];
    if (!hook) return;
    clearInterval(timer);
    const revision = `main@sha1:${JSON.parse(hook.body).after as string}`;
    const repo = kubeFixture<Obj>('gitrepository');
    repo.status.artifact.revision = revision;
    kube.put(repo);
    const ks = kubeFixture<Obj>('kustomization-ready');
    Object.assign(ks.status, { lastAttemptedRevision: revision, lastAppliedRevision: revision });
    kube.after(100, () => kube.put(ks));
    kube.after(200, () => {
      for (const fixture of ['deployment-available', 'replicaset', 'pod-running']) kube.put(kubeFixture(fixture));
    });
  }, 20);
  return () => clearInterval(timer);
}

/** A cluster home whose slipway.yaml ends with `secrets` (lines). */
async function home(secrets: string[]) {
  const base = await ensureBaseImage();
  const opts = tempHome('slipway-secrets-');
  const { dir: gitops, url: gitopsUrl } = await git.createRepo(`secrets-${Date.now()}.git`, 'main');
  mkdirSync(opts.home, { recursive: true });
  writeFileSync(join(opts.cwd, 'kubeconfig'), [
    'apiVersion: v1', 'kind: Config', 'current-context: lab',
    'clusters:', '- name: lab', '  cluster:', `    server: ${kube.url}`,
    'users:', '- name: slipway', '  user:', `    token: ${kube.token}`,
    'contexts:', '- name: lab', '  context: { cluster: lab, user: slipway }',
  ].join('\n') + '\n');
  writeFileSync(join(opts.cwd, 'slipway.yaml'), [
    'target: cluster',
    'git:', '  gitops:', `    url: ${gitopsUrl}`, '    https:', '      token: { env: GITOPS_TOKEN }',
    'registry:', `  host: ${registry.host}`, '  insecure: true',
    'image:', `  base: ${base.hostRef}`, `  platforms: [${base.hostPlatform}]`,
    'flux:', '  receiver:', `    url: ${receiver.hookUrl}`, '    type: github', '    token: { env: FLUX_RECEIVER_TOKEN }',
    'kube:', '  kubeconfig: ./kubeconfig',
    `publicUrl: ${appUrl}/{app}/`,
    'render:', '  appsDomain: apps.k8s-lab.dev',
    'watch: { source: 30, reconcile: 30, rollout: 30, http: 30 }',
    ...secrets,
  ].join('\n') + '\n');
  return { ...opts, gitops, env: { FLUX_RECEIVER_TOKEN: TOKEN, GITOPS_TOKEN: GIT_TOKEN, VAULT_TOKEN } };
}

/** Runs `args` while Flux is played for receiver call `call`. */
async function shipping(call: number, args: string[], opts: Awaited<ReturnType<typeof home>>) {
  const stop = playFlux(call);
  try {
    const result = await runCli(args, opts);
    expect(result.code, `${result.stdout}${result.stderr}`).toBe(0);
    return result;
  } finally {
    stop();
  }
}

const SECRET_FILE = 'kubernetes/apps/dynamic/pomodoro/app/env-secret.yaml';
const show = (gitops: string, path: string) => execFileSync('git', ['--git-dir', gitops, 'show', `main:${path}`], { encoding: 'utf8' });

describe('an app\'s secrets on the cluster target', () => {
  it('with SOPS: `slipway secret set` commits env-secret.yaml that age opens to the value, listed beside the manifests, and the value is nowhere in clear', { timeout: 240_000 }, async () => {
    receiver.accepted.length = 0;
    const key = ageKeygen(join(tempHome().cwd));
    const opts = await home(['secrets:', '  backend: sops', `  ageRecipients: [${key.recipient}]`]);
    const value = `sk-live-${randomBytes(18).toString('hex')}`;
    writeFileSync(join(opts.cwd, 'api-key.txt'), value);
    const outputs = [await shipping(0, ['create', 'a pomodoro timer', '--name', 'pomodoro', '--json'], opts)];
    outputs.push(await shipping(1, ['secret', 'set', 'pomodoro', 'API_KEY', '--from-file', 'api-key.txt'], opts));
    const opened = openSops(show(opts.gitops, SECRET_FILE), key.keyFile);
    expect(opened.macMatches).toBe(true);
    expect(opened.document['stringData']).toEqual({ API_KEY: value });
    expect(parse(show(opts.gitops, 'kubernetes/apps/dynamic/pomodoro/app/kustomization.yaml')).resources).toContain('env-secret.yaml');
    const clone = join(opts.cwd, 'gitops-clone');
    execFileSync('git', ['clone', '--quiet', opts.gitops, clone]);
    expectNoClearSecrets(clone, [value]);
    expectNoClearSecrets(opts.home, [value]);
    for (const output of outputs) expect(`${output.stdout}${output.stderr}`).not.toContain(value);
  });

  it('with External Secrets and Vault: the value goes to Vault and the ExternalSecret committed references it', { timeout: 240_000 }, async () => {
    receiver.accepted.length = 0;
    const key = ageKeygen(join(tempHome().cwd));
    const opts = await home([
      'secrets:', '  backend: external-secrets', `  ageRecipients: [${key.recipient}]`, '  externalSecrets:', '    store: { name: vault }',
      '    remotePath: slipway/{app}', '    vault:', `      url: ${vault.address}`, '      token: { env: VAULT_TOKEN }',
    ]);
    const value = `vault-value-${randomBytes(18).toString('hex')}`;
    writeFileSync(join(opts.cwd, 'api-key.txt'), value);
    const outputs = [await shipping(0, ['create', 'a pomodoro timer', '--name', 'pomodoro', '--json'], opts)];
    outputs.push(await shipping(1, ['secret', 'set', 'pomodoro', 'API_KEY', '--from-file', 'api-key.txt'], opts));
    expect(vault.versions('secret', 'slipway/pomodoro').at(-1)!.data).toEqual({ API_KEY: value });
    const external = parse(show(opts.gitops, SECRET_FILE));
    expect(validateObjects([external])).toEqual([]);
    expect(external.spec.data).toEqual([{ secretKey: 'API_KEY', remoteRef: { key: 'slipway/pomodoro', property: 'API_KEY' } }]);
    const clone = join(opts.cwd, 'gitops-clone');
    execFileSync('git', ['clone', '--quiet', opts.gitops, clone]);
    expectNoClearSecrets(clone, [value, VAULT_TOKEN]);
    expectNoClearSecrets(opts.home, [value, VAULT_TOKEN]);
    for (const output of outputs) expect(`${output.stdout}${output.stderr}`).not.toMatch(new RegExp(`${value}|${VAULT_TOKEN.replace('.', '\\.')}`));
  });
});
