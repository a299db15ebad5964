import { execFileSync } from 'node:child_process';
import { constants, createDecipheriv, createPrivateKey, privateDecrypt, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { InputError } from '../../domain/errors.ts';
import type { PlainSecret } from '../../render/bootstrap/types.ts';
import { validateObjects } from '../../render/validate/index.ts';
import { expectNoClearSecrets } from '../../../test/support/clear-secrets.ts';
import { encryptSecret, secretValueDigest, VALUE_DIGEST_ANNOTATION } from './index.ts';

let dir: string;
let certPem: string;
let keyPem: string;

/** A controller-like key pair: RSA 2048 and a self-signed certificate, from openssl. */
function selfSigned(name: string, keyArgs: string[]): { cert: string; key: string } {
  const key = join(dir, `${name}.key`);
  const cert = join(dir, `${name}.pem`);
  execFileSync('openssl', ['req', '-x509', '-nodes', ...keyArgs, '-keyout', key, '-out', cert, '-days', '2', '-subj', '/CN=sealed-secret/O=sealed-secret'], { stdio: 'ignore' });
  return { cert: readFileSync(cert, 'utf8'), key: readFileSync(key, 'utf8') };
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'slipway-seal-'));
  ({ cert: certPem, key: keyPem } = selfSigned('controller', ['-newkey', 'rsa:2048']));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The controller's side of the scheme, written from its description: split, RSA-OAEP(SHA-256) with the label, AES-GCM with a zero nonce. */
function unseal(sealed: string, label: string, privateKeyPem = keyPem): string {
  const bytes = Buffer.from(sealed, 'base64');
  const rsaLength = bytes.readUInt16BE(0);
  const sessionKey = privateDecrypt(
    { key: createPrivateKey(privateKeyPem), padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256', oaepLabel: Buffer.from(label) },
    bytes.subarray(2, 2 + rsaLength),
  );
  const aes = bytes.subarray(2 + rsaLength);
  const decipher = createDecipheriv('aes-256-gcm', sessionKey, Buffer.alloc(12));
  decipher.setAuthTag(aes.subarray(aes.length - 16));
  return Buffer.concat([decipher.update(aes.subarray(0, aes.length - 16)), decipher.final()]).toString('utf8');
}

function registrySecret(): PlainSecret {
  return {
    name: 'registry-htpasswd',
    namespace: 'slipway',
    labels: { 'app.kubernetes.io/name': 'registry' },
    annotations: { 'slipway.dev/purpose': 'registry users' },
    type: 'kubernetes.io/basic-auth',
    stringData: { username: 'pusher-7f3a', password: randomBytes(24).toString('base64url'), htpasswd: `pusher-7f3a:$2y$10$${randomBytes(20).toString('hex')}` },
  };
}

describe('encryptSecret as a SealedSecret', () => {
  it('seals every value so the controller key opens it under namespace/name', async () => {
    const secret = registrySecret();
    const sealed = parse(await encryptSecret(secret, { kind: 'sealed-secrets', certPem })) as Record<string, any>;
    expect(sealed['apiVersion']).toBe('bitnami.com/v1alpha1');
    expect(sealed['kind']).toBe('SealedSecret');
    const metadata = { name: 'registry-htpasswd', namespace: 'slipway', labels: secret.labels, annotations: { ...secret.annotations, [VALUE_DIGEST_ANNOTATION]: secretValueDigest(secret.stringData) } };
    expect(sealed['metadata']).toEqual(metadata);
    expect(sealed['spec'].template).toEqual({ metadata, type: 'kubernetes.io/basic-auth' });
    expect(Object.keys(sealed['spec'].encryptedData)).toEqual(['htpasswd', 'password', 'username']);
    for (const [key, value] of Object.entries(secret.stringData)) {
      expect(unseal(sealed['spec'].encryptedData[key], 'slipway/registry-htpasswd')).toBe(value);
      // 2-byte length + one RSA-2048 block + the value + a 16-byte tag.
      expect(Buffer.from(sealed['spec'].encryptedData[key], 'base64')).toHaveLength(2 + 256 + Buffer.byteLength(value) + 16);
    }
  });

  it('cannot be unsealed under another namespace or name (strict scope), nor with another key', async () => {
    const secret = registrySecret();
    const sealed = parse(await encryptSecret(secret, { kind: 'sealed-secrets', certPem })) as Record<string, any>;
    const password = sealed['spec'].encryptedData.password as string;
    expect(() => unseal(password, 'default/registry-htpasswd')).toThrow();
    expect(() => unseal(password, 'slipway/other')).toThrow();
    const other = selfSigned('other', ['-newkey', 'rsa:2048']);
    expect(() => unseal(password, 'slipway/registry-htpasswd', other.key)).toThrow();
  });

  it('validates against the SealedSecret CRD, and the CRD catches a broken one', async () => {
    const sealed = parse(await encryptSecret(registrySecret(), { kind: 'sealed-secrets', certPem })) as Record<string, any>;
    expect(validateObjects([sealed])).toEqual([]);
    const broken = structuredClone(sealed);
    broken.spec.encryptedData = 'not a map';
    expect(validateObjects([broken]).length).toBeGreaterThan(0);
  });

  it('never writes a value in clear, raw or base64', async () => {
    const secret = registrySecret();
    const out = mkdtempSync(join(dir, 'out-'));
    writeFileSync(join(out, 'sealed.yaml'), await encryptSecret(secret, { kind: 'sealed-secrets', certPem }));
    expectNoClearSecrets(out, Object.values(secret.stringData));
  });

  it('refuses a certificate that is not PEM or has no RSA key, saying how to get the right one', async () => {
    await expect(encryptSecret(registrySecret(), { kind: 'sealed-secrets', certPem: 'hello' })).rejects.toThrow(InputError);
    await expect(encryptSecret(registrySecret(), { kind: 'sealed-secrets', certPem: 'hello' })).rejects.toThrow(/not a PEM certificate/);
    const ec = selfSigned('ec', ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256']);
    const error = await encryptSecret(registrySecret(), { kind: 'sealed-secrets', certPem: ec.cert }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).message).toMatch(/has an EC key; the Sealed Secrets controller seals with RSA/);
    expect((error as InputError).hint).toMatch(/kubeseal --fetch-cert/);
  });
});
