import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { receiverWebhookPath } from '../../src/domain/flux-receiver-path.ts';
import { validateObjects } from '../../src/render/validate/index.ts';
import { expectNoClearSecrets } from '../support/clear-secrets.ts';
import { runCli, tempHome } from '../support/cli.ts';
import { ageKeygen, openSops, type AgeKey } from '../support/sops-check.ts';

const homes: string[] = [];
let key: AgeKey;
let certFile: string;

beforeAll(() => {
  const { cwd } = fresh();
  key = ageKeygen(cwd);
  certFile = join(cwd, 'sealed-secrets.pem');
  execFileSync('openssl', ['req', '-x509', '-nodes', '-newkey', 'rsa:2048', '-keyout', join(cwd, 'sealed-secrets.key'), '-out', certFile, '-days', '2', '-subj', '/CN=sealed-secret/O=sealed-secret'], { stdio: 'ignore' });
});

afterAll(() => {
  for (const root of homes) rmSync(root, { recursive: true, force: true });
});

function fresh(config?: Record<string, unknown>): { home: string; cwd: string } {
  const dirs = tempHome('slipway-bootstrap-');
  homes.push(dirs.cwd);
  if (config) writeFileSync(join(dirs.cwd, 'slipway.yaml'), JSON.stringify(config));
  return dirs;
}

function git(dir: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'user.name=Person', '-c', 'user.email=person@example.org', ...args], { cwd: dir, encoding: 'utf8' });
}

/** A GitOps checkout with one commit of its own (the apps folder), as a person has it. */
function gitopsCheckout(cwd: string): string {
  const dir = join(cwd, 'gitops');
  mkdirSync(join(dir, 'kubernetes/apps/dynamic'), { recursive: true });
  writeFileSync(join(dir, 'kubernetes/apps/dynamic/kustomization.yaml'), 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: []\n');
  git(dir, 'init', '-q', '-b', 'main');
  git(dir, 'add', '-A');
  git(dir, 'commit', '-qm', 'Apps folder');
  return dir;
}

/** Every file under `dir` (but .git) with its bytes. */
function snapshot(dir: string): Record<string, string> {
  const files: Record<string, string> = {};
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    const full = join(entry.parentPath, entry.name);
    if (entry.isFile() && !relative(dir, full).startsWith('.git/')) files[relative(dir, full)] = readFileSync(full, 'utf8');
  }
  return files;
}

/** Every object of every YAML file of the bootstrap folder; a SOPS file's `sops:` block is Flux's, not the API server's. */
function objectsIn(files: Record<string, string>): Array<Record<string, unknown>> {
  return Object.entries(files)
    .filter(([path]) => path.endsWith('.yaml') && !path.endsWith('/kustomization.yaml'))
    .flatMap(([, text]) => parseAllDocuments(text).map((doc) => doc.toJS() as Record<string, unknown>))
    .map(({ sops: _sops, ...object }) => object);
}

describe('slipway bootstrap (Flux, SOPS) into a GitOps checkout', () => {
  it('writes, validates and commits the cluster side once; a second run changes no byte and commits nothing', async () => {
    const { home, cwd } = fresh({ git: { author: { name: 'Slipway', email: 'slipway@home.lan' } } });
    const out = gitopsCheckout(cwd);
    const first = await runCli(['bootstrap', '--out', out, '--age-recipient', key.recipient, '--json'], { home, cwd });
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    const report = JSON.parse(first.stdout) as { files: string[]; receiverPath: string; commit: string; changed: string[]; valueFiles: Record<string, string> };
    expect(report.files).toEqual(expect.arrayContaining([
      'kubernetes/slipway/namespaces/dynamic-apps.yaml',
      'kubernetes/slipway/flux/receiver.yaml',
      'kubernetes/slipway/flux/slipway-kustomization.yaml',
      'kubernetes/slipway/secrets/slipway-receiver-token.yaml',
      'kubernetes/slipway/rbac/watcher.yaml',
      'kubernetes/slipway/kustomization.yaml',
    ]));
    expect(report.changed).toEqual(report.files);

    // One commit, by Slipway's author, holding the bootstrap folder only.
    expect(git(out, 'log', '--format=%H %an <%ae>').trim().split('\n')).toEqual([`${report.commit} Slipway <slipway@home.lan>`, expect.stringMatching(/Person/)]);
    expect(git(out, 'show', '--name-only', '--format=', 'HEAD').trim().split('\n').sort()).toEqual([...report.files].sort());

    // The token is kept 0600 on this machine, decrypts from the SOPS file with age, and gives the printed path.
    const tokenFile = join(home, 'bootstrap', 'flux-receiver-token');
    expect(report.valueFiles['flux-receiver-token']).toBe(tokenFile);
    expect(statSync(tokenFile).mode & 0o777).toBe(0o600);
    const token = readFileSync(tokenFile, 'utf8');
    expect(token).toMatch(/^[0-9a-f]{64}$/);
    const opened = openSops(readFileSync(join(out, 'kubernetes/slipway/secrets/slipway-receiver-token.yaml'), 'utf8'), key.keyFile);
    expect(opened.macMatches).toBe(true);
    expect(opened.document['stringData']).toEqual({ token });
    expect(report.receiverPath).toBe(receiverWebhookPath(token, 'slipway', 'flux-system'));

    const files = snapshot(join(out, 'kubernetes/slipway'));
    expect(validateObjects(objectsIn(files))).toEqual([]);
    expectNoClearSecrets(out, [token]);

    const second = await runCli(['bootstrap', '--out', out, '--age-recipient', key.recipient, '--json'], { home, cwd });
    expect(second.code).toBe(0);
    const again = JSON.parse(second.stdout) as { changed: string[]; commit?: string; receiverPath: string };
    expect(again.changed).toEqual([]);
    expect(again.commit).toBeUndefined();
    expect(again.receiverPath).toBe(report.receiverPath);
    expect(snapshot(join(out, 'kubernetes/slipway'))).toEqual(files);
    expect(git(out, 'rev-parse', 'HEAD').trim()).toBe(report.commit);
    expect(git(out, 'status', '--porcelain')).toBe('');
  });

  it('commits only its own folder, leaving what the person changed or staged elsewhere alone', async () => {
    const { home, cwd } = fresh();
    const out = gitopsCheckout(cwd);
    writeFileSync(join(out, 'notes.txt'), 'mine\n');
    git(out, 'add', 'notes.txt');
    const result = await runCli(['bootstrap', '--out', out, '--age-recipient', key.recipient], { home, cwd });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/committed [0-9a-f]{12}/);
    expect(result.stdout).toContain(`git -C ${out} push`);
    expect(result.stdout).toContain('Receiver webhook path: /hook/');
    expect(git(out, 'show', '--name-only', '--format=', 'HEAD')).not.toContain('notes.txt');
    expect(git(out, 'status', '--porcelain')).toBe('A  notes.txt\n');
  });
});

describe('slipway bootstrap --dry-run', () => {
  it('prints the diff of what would change and writes nothing, neither the folder nor the kept values', async () => {
    const { home, cwd } = fresh();
    const out = join(cwd, 'empty');
    mkdirSync(out);
    const dry = await runCli(['bootstrap', '--out', out, '--age-recipient', key.recipient, '--dry-run'], { home, cwd });
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain('diff --git a/kubernetes/slipway/namespaces/dynamic-apps.yaml b/kubernetes/slipway/namespaces/dynamic-apps.yaml');
    expect(dry.stdout).toContain('+++ b/kubernetes/slipway/kustomization.yaml');
    expect(dry.stdout).toContain('+    pod-security.kubernetes.io/enforce: restricted');
    expect(readdirSync(out)).toEqual([]);
    expect(existsSync(join(home, 'bootstrap'))).toBe(false);

    // After a real run, a changed setting shows as the diff of that one file.
    expect((await runCli(['bootstrap', '--out', out, '--age-recipient', key.recipient], { home, cwd })).code).toBe(0);
    const before = snapshot(out);
    writeFileSync(join(cwd, 'slipway.yaml'), JSON.stringify({ bootstrap: { quota: { pods: 12 } } }));
    const changed = await runCli(['bootstrap', '--out', out, '--age-recipient', key.recipient, '--dry-run', '--json'], { home, cwd });
    expect(changed.code).toBe(0);
    const report = JSON.parse(changed.stdout) as { changed: string[]; diff: string };
    expect(report.changed).toEqual(['kubernetes/slipway/namespaces/dynamic-apps.yaml']);
    expect(report.diff).toMatch(/^-\s+pods: "30"$/m);
    expect(report.diff).toMatch(/^\+\s+pods: "12"$/m);
    expect(snapshot(out)).toEqual(before);
    const nothing = await runCli(['bootstrap', '--out', out, '--age-recipient', key.recipient, '--dry-run'], { home, cwd: join(cwd, 'empty') });
    expect(nothing.stdout).toContain('Nothing would change');
  });
});

describe('slipway bootstrap (Argo CD, Sealed Secrets) into an empty folder', () => {
  it('writes the webhook secret sealed and the Applications, valid against their CRDs, and keeps them byte for byte', async () => {
    const { home, cwd } = fresh({ engine: 'argocd', git: { gitops: { url: 'https://git.example.com/homelab.git' } }, render: { appsDomain: 'apps.example.com' } });
    const out = join(cwd, 'out');
    const first = await runCli(['bootstrap', '--out', out, '--secrets', 'sealed-secrets', '--seal-cert', certFile, '--json'], { home, cwd });
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    const report = JSON.parse(first.stdout) as { files: string[]; receiverPath: string; engine: string; commit?: string };
    expect(report).toMatchObject({ engine: 'argocd', receiverPath: '/api/webhook' });
    expect(report.commit).toBeUndefined();
    const files = snapshot(out);
    const objects = objectsIn(files);
    expect(validateObjects(objects)).toEqual([]);
    const sealed = objects.find((o) => o['kind'] === 'SealedSecret') as { metadata: { name: string; namespace: string }; spec: { template: { metadata: { annotations: Record<string, string> } } } };
    expect(sealed.metadata).toMatchObject({ name: 'argocd-secret', namespace: 'argocd' });
    expect(sealed.spec.template.metadata.annotations['sealedsecrets.bitnami.com/managed']).toBe('true');
    expect(objects.filter((o) => o['kind'] === 'Application').map((o) => (o['metadata'] as { name: string }).name)).toEqual(['slipway', 'slipway-apps']);
    expectNoClearSecrets(out, [readFileSync(join(home, 'bootstrap', 'argocd-webhook-secret'), 'utf8')]);

    const second = await runCli(['bootstrap', '--out', out, '--secrets', 'sealed-secrets', '--seal-cert', certFile, '--json'], { home, cwd });
    expect(second.code).toBe(0);
    expect((JSON.parse(second.stdout) as { changed: string[] }).changed).toEqual([]);
    expect(snapshot(out)).toEqual(files);
  });
});

describe('slipway bootstrap refuses what it cannot use, with exit 2', () => {
  it.each([
    [['--secrets', 'sops', '--seal-cert', 'cert.pem'], /--seal-cert goes with --secrets sealed-secrets/],
    [['--secrets', 'sealed-secrets', '--seal-cert', 'missing.pem'], /missing\.pem: there is no such file/],
    [['--secrets', 'sealed-secrets', '--age-recipient', 'age1x'], /--age-recipient goes with --secrets sops/],
    [['--age-recipient', 'age1x', '--seal-cert', 'cert.pem'], /not both/],
    [['--age-recipient', 'ssh-ed25519 AAAA'], /is not an age public key/],
    [[], /does not know how to encrypt the Secrets it commits/],
    [['--secrets', 'vault'], /--secrets must be sops or sealed-secrets, not "vault"/],
    [['--engine', 'jenkins', '--age-recipient', 'age1x'], /--engine must be flux or argocd/],
  ])('%j', async (flags, message) => {
    const { home, cwd } = fresh();
    const result = await runCli(['bootstrap', '--out', join(cwd, 'out'), ...flags], { home, cwd });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(existsSync(join(cwd, 'out'))).toBe(false);
  });

  it('works on this machine only: --server is refused', async () => {
    const { home, cwd } = fresh();
    const result = await runCli(['--server', 'http://127.0.0.1:9', 'bootstrap', '--out', join(cwd, 'out'), '--age-recipient', key.recipient], { home, cwd });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('slipway bootstrap works on this machine only');
  });

  it('refuses an --out that is neither empty nor a GitOps checkout', async () => {
    const { home, cwd } = fresh();
    writeFileSync(join(cwd, 'README.md'), 'a project\n');
    const result = await runCli(['bootstrap', '--out', cwd, '--age-recipient', key.recipient], { home, cwd });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('is neither empty nor a git checkout');
    expect(existsSync(join(cwd, 'kubernetes'))).toBe(false);
  });

  it('refuses an unreadable certificate without writing anything', async () => {
    const { home, cwd } = fresh();
    writeFileSync(join(cwd, 'bad.pem'), 'not a certificate\n');
    const result = await runCli(['bootstrap', '--out', join(cwd, 'out'), '--secrets', 'sealed-secrets', '--seal-cert', join(cwd, 'bad.pem')], { home, cwd });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/PEM/);
    expect(existsSync(join(cwd, 'out', 'kubernetes'))).toBe(false);
  });
});
