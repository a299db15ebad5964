import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateHybridIdentity, identityToRecipient } from 'age-encryption';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { loadConfig } from '../../config/load.ts';
import { ConfigError, InputError } from '../../domain/errors.ts';
import { ageKeygen, type AgeKey } from '../../../test/support/sops-check.ts';
import { encryptSecret, readSecretEncryption } from './index.ts';

let dir: string;
let alice: AgeKey;
let bob: AgeKey;
/** A post-quantum (ML-KEM + X25519) recipient, which Flux cannot decrypt for. */
let hybridRecipient: string;

function openssl(name: string, keyArgs: string[]): string {
  const cert = join(dir, `${name}.pem`);
  execFileSync('openssl', ['req', '-x509', '-nodes', ...keyArgs, '-keyout', join(dir, `${name}.key`), '-out', cert, '-days', '30', '-subj', '/CN=sealed-secret'], { stdio: 'ignore' });
  return cert;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'slipway-secret-settings-'));
  alice = ageKeygen(dir, 'alice.txt');
  bob = ageKeygen(dir, 'bob.txt');
  openssl('controller', ['-newkey', 'rsa:2048']);
  openssl('ec', ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256']);
  hybridRecipient = await identityToRecipient(await generateHybridIdentity());
  writeFileSync(join(dir, 'not-a-cert.pem'), '-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n-----END CERTIFICATE-----\n');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The error a call throws, to look at its class, message and hint together. */
function thrown(fn: () => unknown): Error & { hint?: string } {
  try {
    fn();
  } catch (error) {
    return error as Error & { hint?: string };
  }
  throw new Error('expected an error');
}

/** A recipient with one character of its checksum changed. */
const corrupted = (recipient: string) => recipient.slice(0, -1) + (recipient.endsWith('q') ? 'p' : 'q');

describe('readSecretEncryption', () => {
  it('takes SOPS recipients from slipway.yaml, once each', () => {
    expect(readSecretEncryption({ backend: 'sops', ageRecipients: [alice.recipient, bob.recipient, alice.recipient] })).toEqual({ kind: 'sops', ageRecipients: [alice.recipient, bob.recipient] });
  });

  it('lets the command line win over the file', () => {
    expect(readSecretEncryption({ backend: 'sops', ageRecipients: [alice.recipient] }, { ageRecipient: [bob.recipient] })).toEqual({ kind: 'sops', ageRecipients: [bob.recipient] });
    expect(readSecretEncryption(undefined, { ageRecipient: bob.recipient })).toEqual({ kind: 'sops', ageRecipients: [bob.recipient] });
    const sealed = readSecretEncryption({ backend: 'sops', ageRecipients: [alice.recipient] }, { sealCert: 'controller.pem' }, { cwd: dir });
    expect(sealed.kind).toBe('sealed-secrets');
    expect(sealed.kind === 'sealed-secrets' && sealed.certPem).toMatch(/^-----BEGIN CERTIFICATE-----/);
    expect(readSecretEncryption({ backend: 'sealed-secrets', ageRecipients: [alice.recipient], sealCert: join(dir, 'missing.pem') }, { secrets: 'sops' })).toEqual({ kind: 'sops', ageRecipients: [alice.recipient] });
  });

  it('reads secrets.sealCert relative to slipway.yaml', () => {
    const project = join(dir, 'project');
    mkdirSync(project, { recursive: true });
    writeFileSync(join(project, 'slipway.yaml'), stringify({ secrets: { backend: 'sealed-secrets', sealCert: '../controller.pem' } }));
    const config = loadConfig({ env: { SLIPWAY_HOME: join(dir, 'home'), SLIPWAY_CACHE: join(dir, 'cache') }, cwd: project, homedir: dir });
    expect(config.secrets).toEqual({ backend: 'sealed-secrets', ageRecipients: [], sealCert: join(dir, 'controller.pem') });
    expect(readSecretEncryption(config.secrets, {}, { cwd: '/' }).kind).toBe('sealed-secrets');
  });

  it('refuses an unknown backend in slipway.yaml', () => {
    const project = join(dir, 'bad-project');
    mkdirSync(project, { recursive: true });
    writeFileSync(join(project, 'slipway.yaml'), stringify({ secrets: { backend: 'vault' } }));
    const error = thrown(() => loadConfig({ env: { SLIPWAY_HOME: join(dir, 'home'), SLIPWAY_CACHE: join(dir, 'cache') }, cwd: project, homedir: dir }));
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toMatch(/secrets\.backend/);
  });

  it('loads external-secrets with its store and Vault token file, and keeps Slipway\'s own Secrets on the other settings given', () => {
    const project = join(dir, 'eso-project');
    mkdirSync(project, { recursive: true });
    const load = (secrets: unknown) => {
      writeFileSync(join(project, 'slipway.yaml'), stringify({ secrets }));
      return loadConfig({ env: { SLIPWAY_HOME: join(dir, 'home'), SLIPWAY_CACHE: join(dir, 'cache') }, cwd: project, homedir: dir });
    };
    const config = load({ backend: 'external-secrets', ageRecipients: [alice.recipient], externalSecrets: { store: { name: 'vault' }, vault: { url: 'https://vault.lab:8200', token: { file: 'vault-token' } } } });
    expect(config.secrets?.externalSecrets).toEqual({
      store: { kind: 'ClusterSecretStore', name: 'vault' },
      remotePath: 'slipway/{env}/{app}',
      refreshInterval: '1h',
      vault: { url: 'https://vault.lab:8200', token: { file: join(project, 'vault-token') }, mount: 'secret' },
    });
    expect(readSecretEncryption(config.secrets)).toEqual({ kind: 'sops', ageRecipients: [alice.recipient] });
    const none = thrown(() => readSecretEncryption(load({ backend: 'external-secrets', externalSecrets: { store: { name: 'vault' } } }).secrets));
    expect(none).toBeInstanceOf(ConfigError);
    expect(none.message).toMatch(/external-secrets covers apps' secrets; Slipway's own Secrets still need secrets\.ageRecipients \(SOPS\) or secrets\.sealCert/);
    for (const [secrets, message] of [
      [{ backend: 'external-secrets' }, /backend external-secrets needs externalSecrets/],
      [{ backend: 'external-secrets', externalSecrets: { store: { name: 'vault' }, remotePath: 'slipway/{env}' } }, /holding \{app\}/],
      [{ backend: 'external-secrets', externalSecrets: { store: { name: 'vault' }, refreshInterval: 'hourly' } }, /a duration such as 30s/],
      [{ backend: 'external-secrets', externalSecrets: { store: { name: 'vault' }, vault: { url: 'https://vault.lab', token: 'hvs.inline-token' } } }, /token/],
    ] as const) {
      const error = thrown(() => load(secrets));
      expect(error).toBeInstanceOf(ConfigError);
      expect(error.message).toMatch(message);
      expect(error.message).not.toContain('hvs.inline-token');
    }
  });

  it.each<[string, () => unknown, RegExp]>([
    ['nothing said', () => readSecretEncryption(undefined), /does not know how to encrypt/],
    ['an unknown --secrets', () => readSecretEncryption(undefined, { secrets: 'vault' }), /--secrets must be sops or sealed-secrets, not "vault"/],
    ['both kinds of flag', () => readSecretEncryption(undefined, { ageRecipient: [alice.recipient], sealCert: 'controller.pem' }), /not both/],
    ['--seal-cert with SOPS', () => readSecretEncryption(undefined, { secrets: 'sops', ageRecipient: [alice.recipient], sealCert: 'x.pem' }), /--seal-cert goes with --secrets sealed-secrets/],
    ['--age-recipient with Sealed Secrets', () => readSecretEncryption(undefined, { secrets: 'sealed-secrets', ageRecipient: [alice.recipient] }), /--age-recipient goes with --secrets sops/],
    ['SOPS without a recipient', () => readSecretEncryption(undefined, { secrets: 'sops' }), /at least one age recipient/],
    ['Sealed Secrets without a certificate', () => readSecretEncryption(undefined, { secrets: 'sealed-secrets' }), /needs the controller's public certificate/],
    ['a recipient with a bad checksum', () => readSecretEncryption(undefined, { ageRecipient: [corrupted(alice.recipient)] }), /--age-recipient: "age1.*" is not a valid age public key/],
    ['something else than a recipient', () => readSecretEncryption(undefined, { ageRecipient: ['ssh-ed25519 AAAA'] }), /is not an age public key \(age1…\)/],
    ['a post-quantum recipient', () => readSecretEncryption(undefined, { ageRecipient: [hybridRecipient] }), /is not an X25519 age key; Flux decrypts SOPS files with X25519 age keys only/],
    ['a missing certificate file', () => readSecretEncryption(undefined, { sealCert: 'missing.pem' }, { cwd: dir }), /--seal-cert .*missing\.pem: there is no such file/],
    ['a file that is not a certificate', () => readSecretEncryption(undefined, { sealCert: 'not-a-cert.pem' }, { cwd: dir }), /not-a-cert\.pem is not a PEM certificate/],
    ['a certificate without an RSA key', () => readSecretEncryption(undefined, { sealCert: 'ec.pem' }, { cwd: dir }), /ec\.pem has an EC key; the Sealed Secrets controller seals with RSA/],
    ['an expired certificate', () => readSecretEncryption(undefined, { sealCert: 'controller.pem' }, { cwd: dir, now: new Date(Date.now() + 60 * 86_400_000) }), /controller\.pem expired on \d{4}-\d\d-\d\dT/],
  ])('refuses %s with an InputError that says what to fix', (_, call, message) => {
    const error = thrown(call);
    expect(error).toBeInstanceOf(InputError);
    expect(error.message).toMatch(message);
    expect(error.hint).toBeTruthy();
  });

  it('blames slipway.yaml, as a ConfigError, for a bad recipient or certificate there', () => {
    const recipient = thrown(() => readSecretEncryption({ backend: 'sops', ageRecipients: [alice.recipient, corrupted(bob.recipient)] }));
    expect(recipient).toBeInstanceOf(ConfigError);
    expect(recipient.message).toMatch(/^secrets\.ageRecipients\[1\] in slipway\.yaml: /);
    const cert = thrown(() => readSecretEncryption({ backend: 'sealed-secrets', ageRecipients: [], sealCert: join(dir, 'ec.pem') }));
    expect(cert).toBeInstanceOf(ConfigError);
    expect(cert.message).toMatch(/^secrets\.sealCert \(.*ec\.pem\) has an EC key/);
    const missing = thrown(() => readSecretEncryption({ backend: 'sealed-secrets', ageRecipients: [], sealCert: join(dir, 'nope.pem') }));
    expect(missing).toBeInstanceOf(ConfigError);
  });

  it('never repeats an age secret key given by mistake', () => {
    const secretKey = alice.secretKey;
    const error = thrown(() => readSecretEncryption(undefined, { ageRecipient: [secretKey] }));
    expect(error.message).toMatch(/age SECRET key/);
    expect(`${error.message} ${error.hint}`).not.toContain(secretKey);
  });

  it('makes encryptSecret refuse a bad recipient as an InputError too', async () => {
    await expect(encryptSecret({ name: 'a', namespace: 'b', stringData: { k: 'v' } }, { kind: 'sops', ageRecipients: [corrupted(alice.recipient)] })).rejects.toThrow(InputError);
  });
});
