import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { CliGit } from '../adapters/git/index.ts';
import { capturedLogger } from '../adapters/notify/receiver.test-support.ts';
import { SecretsConfig } from '../config/schema.ts';
import { ConfigError } from '../domain/errors.ts';
import type { AppSecretInput } from '../ports/app-secrets.ts';
import type { RenderedFile } from '../render/types.ts';
import { validateObjects } from '../render/validate/index.ts';
import { expectNoClearSecrets } from '../../test/support/clear-secrets.ts';
import { createBareRepo } from '../../test/support/git-fixtures.ts';
import { selfSignedCert, unseal } from '../../test/support/sealed-secrets-check.ts';
import { ageKeygen, openSops, type AgeKey } from '../../test/support/sops-check.ts';
import { startVaultStandIn, type VaultStandIn } from '../../test/support/vault-api.ts';
import { defaultRenderSettings } from '../../test/support/render-settings.ts';
import { LocalSecretStore } from '../adapters/secrets/local-secret-store.ts';
import { sampleSpec, SAMPLE_IMAGE } from '../render/test-fixtures.ts';
import { createRenderStep } from '../steps/manifests-render/index.ts';
import { appConfigSources } from './app-configs.ts';
import { appSecretParts, appSecretPath, appSecretRenderer, encryptCommitted, whereToPutValues, type AppSecretDeps } from './app-secrets.ts';

const VAULT_TOKEN = `hvs.${randomBytes(12).toString('hex')}`;
const READ_ONLY_TOKEN = `hvs.${randomBytes(12).toString('hex')}`;

let dir: string;
let alice: AgeKey;
let bob: AgeKey;
let controller: { cert: string; key: string };
let certFile: string;
let gitops: CliGit;
let vault: VaultStandIn;
/** Every value any test put in a Secret: none may be in the GitOps repo in clear. */
const allValues: string[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'slipway-app-secrets-'));
  alice = ageKeygen(dir, 'alice.txt');
  bob = ageKeygen(dir, 'bob.txt');
  controller = selfSignedCert(dir, 'controller', ['-newkey', 'rsa:2048']);
  certFile = join(dir, 'controller.pem');
  const remote = await createBareRepo(join(dir, 'gitops.git'));
  gitops = new CliGit({ url: remote, branch: 'main', cacheDir: join(dir, 'cache'), author: { name: 'Slipway', email: 'slipway@example.test' }, env: { PATH: process.env.PATH ?? '/usr/bin:/bin' } });
  vault = await startVaultStandIn({
    mounts: ['secret'],
    tokens: { [VAULT_TOKEN]: { 'secret/data/slipway/*': ['create', 'read', 'update'] }, [READ_ONLY_TOKEN]: { 'secret/data/slipway/*': ['read'] } },
  });
});
afterAll(async () => {
  await vault.close();
  rmSync(dir, { recursive: true, force: true });
});

function input(app: string, values?: Record<string, string>): AppSecretInput {
  const chosen = values ?? { API_KEY: `key-${randomBytes(16).toString('hex')}`, SMTP_PASSWORD: `pw: "${randomBytes(8).toString('base64')}"\nsecond line` };
  allValues.push(...Object.values(chosen));
  return { app, namespace: 'apps', env: 'prod', values: chosen, labels: { 'app.kubernetes.io/name': app, 'app.kubernetes.io/managed-by': 'slipway' } };
}

const fileFor = (i: AppSecretInput) => appSecretPath(i.app, defaultRenderSettings());

function deps(secrets: Record<string, unknown>, extra: Partial<AppSecretDeps> = {}): AppSecretDeps {
  return { secrets: SecretsConfig.parse(secrets), env: { VAULT_TOKEN, READ_ONLY_TOKEN }, gitops, fileFor, ...extra };
}

async function commit(files: ReadonlyArray<{ path: string; content: string }>, message = 'Test: write files'): Promise<void> {
  await gitops.commit({ message, trailers: {}, apply: async (tree) => { for (const file of files) await tree.write(file.path, file.content); } });
}

async function removeSopsConfig(): Promise<void> {
  await gitops.commit({ message: 'Test: no .sops.yaml', trailers: {}, apply: (tree) => tree.remove('.sops.yaml') });
}

function only(files: RenderedFile[]): RenderedFile {
  expect(files).toHaveLength(1);
  return files[0]!;
}

describe('renderAppSecret with SOPS', () => {
  it('encrypts to slipway.yaml\'s recipients when the GitOps repo has no .sops.yaml; age opens it to a valid Secret', async () => {
    const notes = input('notes');
    const file = only(await appSecretRenderer(deps({ backend: 'sops', ageRecipients: [alice.recipient] }))(notes, 'sops'));
    expect(file.path).toBe('kubernetes/apps/dynamic/notes/app/env-secret.yaml');
    const opened = openSops(file.content, alice.keyFile);
    expect(opened.macMatches).toBe(true);
    expect(opened.document['stringData']).toEqual(notes.values);
    expect(opened.document['metadata']).toMatchObject({ name: 'notes-env', namespace: 'apps', labels: notes.labels });
    expect(validateObjects([opened.document])).toEqual([]);
    expect(() => openSops(file.content, bob.keyFile)).toThrow(/could not decrypt/);
    await commit([file]);
  });

  it('follows the first .sops.yaml rule matching the file\'s path: another recipient and its encrypted_regex', async () => {
    await commit([{
      path: '.sops.yaml',
      content: [
        'creation_rules:',
        '  - path_regex: ^kubernetes/infra/',
        `    age: ${alice.recipient}`,
        '  - path_regex: ^kubernetes/apps/.*/env-secret\\.yaml$',
        '    encrypted_regex: ^stringData$',
        `    age: ${bob.recipient}`,
        `  - age: ${alice.recipient}`,
        '',
      ].join('\n'),
    }]);
    const render = appSecretRenderer(deps({ backend: 'sops', ageRecipients: [alice.recipient] }));
    const blog = input('blog');
    const file = only(await render(blog, 'sops'));
    const sops = (parse(file.content) as { sops: { age: Array<{ recipient: string }>; encrypted_regex: string } }).sops;
    expect(sops.age.map((a) => a.recipient)).toEqual([bob.recipient]);
    expect(sops.encrypted_regex).toBe('^stringData$');
    expect(openSops(file.content, bob.keyFile).document['stringData']).toEqual(blog.values);
    expect(() => openSops(file.content, alice.keyFile)).toThrow(/could not decrypt/);
    await commit([file]);
    // Unchanged values, rule and labels: the committed file is kept byte for byte.
    expect(only(await render(blog, 'sops')).content).toBe(file.content);
    // A new value is encrypted again.
    const changed = only(await render({ ...blog, values: { ...blog.values, API_KEY: 'rotated-value-77' } }, 'sops'));
    allValues.push('rotated-value-77');
    expect(changed.content).not.toBe(file.content);
    expect((openSops(changed.content, bob.keyFile).document['stringData'] as Record<string, string>)['API_KEY']).toBe('rotated-value-77');
  });

  it('falls back to slipway.yaml\'s recipients when no rule matches, and says what to add when there are none', async () => {
    await commit([{ path: '.sops.yaml', content: `creation_rules:\n  - path_regex: ^kubernetes/infra/\n    age: ${bob.recipient}\n` }]);
    const file = only(await appSecretRenderer(deps({ backend: 'sops', ageRecipients: [alice.recipient] }))(input('shop'), 'sops'));
    expect(openSops(file.content, alice.keyFile).macMatches).toBe(true);
    const error = await appSecretRenderer(deps({ backend: 'sops' }))(input('shop'), 'sops').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toBe("Slipway has no age recipient to encrypt kubernetes/apps/dynamic/shop/app/env-secret.yaml to: no creation rule of the GitOps repo's .sops.yaml matches kubernetes/apps/dynamic/shop/app/env-secret.yaml and slipway.yaml sets no secrets.ageRecipients");
    expect((error as ConfigError).hint).toMatch(/secrets\.ageRecipients: \[age1…\]/);
    await removeSopsConfig();
    const none = await appSecretRenderer(deps({ backend: 'sops' }))(input('shop'), 'sops').catch((e: unknown) => e);
    expect((none as Error).message).toMatch(/the GitOps repo has no \.sops\.yaml and slipway\.yaml sets no secrets\.ageRecipients/);
  });

  it('encrypts Slipway\'s other Secrets in the apps folder (the access proxy\'s) by the same .sops.yaml rule', async () => {
    await commit([{ path: '.sops.yaml', content: `creation_rules:\n  - path_regex: ^kubernetes/apps/\n    age: ${bob.recipient}\n` }]);
    const value = `proxy-${randomBytes(12).toString('hex')}`;
    allValues.push(value);
    const secret = { name: 'notes-oauth2-proxy', namespace: 'apps', stringData: { 'client-secret': value } };
    const file = await encryptCommitted(secret, 'kubernetes/apps/dynamic/notes/app/oauth2-proxy-secret.yaml', { kind: 'sops', ageRecipients: [alice.recipient] }, { gitops });
    expect((openSops(file.content, bob.keyFile).document['stringData'] as Record<string, string>)['client-secret']).toBe(value);
    expect(() => openSops(file.content, alice.keyFile)).toThrow(/could not decrypt/);
    const elsewhere = await encryptCommitted(secret, 'kubernetes/infra/proxy-secret.yaml', { kind: 'sops', ageRecipients: [alice.recipient] }, { gitops });
    expect(openSops(elsewhere.content, alice.keyFile).macMatches).toBe(true);
    await removeSopsConfig();
  });

  it('renders no file for an app without secrets', async () => {
    expect(await appSecretRenderer(deps({ backend: 'sops' }))(input('empty', {}), 'sops')).toEqual([]);
  });
});

describe('renderAppSecret with Sealed Secrets', () => {
  it('seals each value so the controller key opens it as apps/<app>-env, and the SealedSecret validates', async () => {
    const notes = input('notes');
    writeFileSync(certFile, controller.cert);
    const file = only(await appSecretRenderer(deps({ backend: 'sealed-secrets', sealCert: certFile }))(notes, 'sealed-secrets'));
    const sealed = parse(file.content) as { kind: string; metadata: { name: string }; spec: { encryptedData: Record<string, string> } };
    expect(sealed.kind).toBe('SealedSecret');
    expect(sealed.metadata.name).toBe('notes-env');
    expect(validateObjects([sealed])).toEqual([]);
    for (const [key, value] of Object.entries(notes.values)) expect(unseal(sealed.spec.encryptedData[key]!, 'apps/notes-env', controller.key)).toBe(value);
    expect(() => unseal(sealed.spec.encryptedData['API_KEY']!, 'apps/other-env', controller.key)).toThrow();
    await commit([file]);
  });

  it('says sealCert is missing from slipway.yaml', async () => {
    await expect(appSecretRenderer(deps({ backend: 'sealed-secrets' }))(input('notes'), 'sealed-secrets')).rejects.toThrow(/secrets\.backend sealed-secrets needs secrets\.sealCert/);
  });
});

describe('renderAppSecret with External Secrets', () => {
  const store = { kind: 'ClusterSecretStore', name: 'vault' };

  it('writes the values to Vault, keeping other keys, and commits an ExternalSecret that validates and names each key', async () => {
    vault.put('secret', 'slipway/prod/notes', { BY_HAND: 'put-there-by-hand' });
    const notes = input('notes');
    const { logger, lines } = capturedLogger();
    const render = appSecretRenderer(deps({ backend: 'external-secrets', externalSecrets: { store, vault: { url: vault.address, token: { env: 'VAULT_TOKEN' } } } }, { logger }));
    const file = only(await render(notes, 'external-secrets'));
    expect(vault.versions('secret', 'slipway/prod/notes').at(-1)!.data).toEqual({ BY_HAND: 'put-there-by-hand', ...notes.values });
    const object = parse(file.content) as Record<string, any>;
    expect(validateObjects([object])).toEqual([]);
    expect(object).toMatchObject({
      apiVersion: 'external-secrets.io/v1',
      kind: 'ExternalSecret',
      metadata: { name: 'notes-env', namespace: 'apps', labels: notes.labels, annotations: { 'slipway.dev/value-digest': expect.stringMatching(/^[0-9a-f]{64}$/) } },
      spec: {
        refreshInterval: '1h',
        secretStoreRef: store,
        target: { name: 'notes-env', creationPolicy: 'Owner' },
        data: [
          { secretKey: 'API_KEY', remoteRef: { key: 'slipway/prod/notes', property: 'API_KEY' } },
          { secretKey: 'SMTP_PASSWORD', remoteRef: { key: 'slipway/prod/notes', property: 'SMTP_PASSWORD' } },
        ],
      },
    });
    expect(lines.join('\n')).toContain('wrote the app\'s secrets to Vault');
    for (const secret of [VAULT_TOKEN, ...Object.values(notes.values)]) expect(lines.join('\n')).not.toContain(secret);
    // The same values again: Vault is not written, the file is the same.
    const versions = vault.versions('secret', 'slipway/prod/notes').length;
    expect(only(await render(notes, 'external-secrets')).content).toBe(file.content);
    expect(vault.versions('secret', 'slipway/prod/notes')).toHaveLength(versions);
    await commit([file]);
  });

  it('a token Vault refuses is explained by path and capability, and shown nowhere', async () => {
    const { logger, lines } = capturedLogger();
    const render = appSecretRenderer(deps({ backend: 'external-secrets', externalSecrets: { store, remotePath: 'slipway/{env}/{app}', vault: { url: vault.address, token: { env: 'READ_ONLY_TOKEN' } } } }, { logger }));
    const error = await render(input('blog'), 'external-secrets').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toBe('Vault refused: the token lacks create/update on secret/data/slipway/prod/blog');
    expect(JSON.stringify({ message: (error as Error).message, hint: (error as ConfigError).hint, lines })).not.toContain(READ_ONLY_TOKEN);
    expect(vault.versions('secret', 'slipway/prod/blog')).toEqual([]);
  });

  it('without vault: only references the values, and says where to put each one', async () => {
    const before = vault.received.length;
    const config = SecretsConfig.parse({ backend: 'external-secrets', externalSecrets: { store: { kind: 'SecretStore', name: 'lab-store' }, remotePath: 'apps/{app}/{env}', refreshInterval: '15m' } });
    const shop = input('shop');
    const { logger, lines } = capturedLogger();
    const file = only(await appSecretRenderer(deps(config, { logger }))(shop, 'external-secrets'));
    expect(vault.received.length).toBe(before);
    expect(lines.join('\n')).toContain('API_KEY: property API_KEY at apps/shop/prod in SecretStore lab-store');
    for (const secret of Object.values(shop.values)) expect(lines.join('\n')).not.toContain(JSON.stringify(secret).slice(1, -1));
    const object = parse(file.content) as Record<string, any>;
    expect(validateObjects([object])).toEqual([]);
    expect(object['spec']).toMatchObject({ refreshInterval: '15m', secretStoreRef: { kind: 'SecretStore', name: 'lab-store' } });
    expect(object['spec'].data[0].remoteRef.key).toBe('apps/shop/prod');
    expect(whereToPutValues({ app: 'shop', env: 'prod', keys: Object.keys(shop.values) }, config.externalSecrets!)).toEqual([
      'API_KEY: property API_KEY at apps/shop/prod in SecretStore lab-store',
      'SMTP_PASSWORD: property SMTP_PASSWORD at apps/shop/prod in SecretStore lab-store',
    ]);
    await commit([file]);
  });

  it('refuses slipway.yaml without externalSecrets, before anything is written', async () => {
    expect(() => SecretsConfig.parse({ backend: 'external-secrets' })).toThrow(/backend external-secrets needs externalSecrets/);
    await expect(appSecretRenderer(deps({ backend: 'sops' }))(input('notes'), 'external-secrets')).rejects.toThrow(/needs secrets\.externalSecrets in slipway\.yaml/);
  });

  it('the README\'s ClusterSecretStore example validates against the CRD', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const blocks = [...readme.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]!).filter((text) => /^kind: ClusterSecretStore$/m.test(text));
    expect(blocks).toHaveLength(1);
    const objects = parseAllDocuments(blocks[0]!).map((doc) => doc.toJSON() as Record<string, any>);
    expect(objects.map((o) => o['kind'])).toEqual(['ClusterSecretStore']);
    expect(validateObjects(objects)).toEqual([]);
    const broken = structuredClone(objects[0]!);
    broken['spec'].provider.vault.version = 'v3';
    expect(validateObjects([broken]).length).toBeGreaterThan(0);
  });
});

describe('on the cluster target, wired as Slipway composes it', () => {
  it('the render step adds env-secret.yaml beside the manifests, lists it in their kustomization, and the Deployment reads each key from it', async () => {
    const store = new LocalSecretStore({ home: join(dir, 'home') });
    const value = `wired-${randomBytes(12).toString('hex')}`;
    allValues.push(value);
    await store.put('pomodoro-timer', 'prod', 'API_KEY', value);
    const record = { config: { settings: { THEME: 'dark' }, secrets: ['API_KEY'], externals: [], egressHosts: [] }, env: 'prod' };
    const parts = appSecretParts({ target: 'cluster', secrets: SecretsConfig.parse({ backend: 'sops', ageRecipients: [alice.recipient] }) }, {}, gitops, () => defaultRenderSettings());
    expect(parts.backend).toBe('sops');
    expect(appSecretParts({ target: 'local', secrets: SecretsConfig.parse({ backend: 'sops' }) }, {}, gitops, () => defaultRenderSettings())).toEqual({});
    const sources = appConfigSources({ apps: { get: async (app: string) => (app === 'pomodoro-timer' ? (record as never) : undefined) }, vault: store, defaultEnv: 'prod', target: 'cluster', ...parts });
    const step = createRenderStep({ settings: defaultRenderSettings(), configFor: sources.configFor });
    const { files } = await step.run({ input: { spec: sampleSpec(), image: SAMPLE_IMAGE, env: 'prod' }, runId: 'run-1', logger: pino({ level: 'silent' }), signal: new AbortController().signal });
    const dirOf = 'kubernetes/apps/dynamic/pomodoro-timer/app';
    const secret = files.find((f) => f.path === `${dirOf}/env-secret.yaml`)!;
    expect(openSops(secret.content, alice.keyFile).document['stringData']).toEqual({ API_KEY: value });
    expect(parse(files.find((f) => f.path === `${dirOf}/kustomization.yaml`)!.content).resources).toContain('env-secret.yaml');
    const deployment = parse(files.find((f) => f.path === `${dirOf}/deployment.yaml`)!.content);
    expect(deployment.spec.template.spec.containers[0].env).toContainEqual({ name: 'API_KEY', valueFrom: { secretKeyRef: { name: 'pomodoro-timer-env', key: 'API_KEY' } } });
    for (const file of files) expect(file.content).not.toContain(value);
  });
});

describe('the GitOps repo after every backend', () => {
  it('holds no secret value in clear, in any file or commit', () => {
    const clone = join(dir, 'clone');
    execFileSync('git', ['clone', '--quiet', join(dir, 'gitops.git'), clone]);
    expect(execFileSync('git', ['-C', clone, 'ls-files'], { encoding: 'utf8' })).toContain('kubernetes/apps/dynamic/notes/app/env-secret.yaml');
    expectNoClearSecrets(clone, allValues);
  });
});
