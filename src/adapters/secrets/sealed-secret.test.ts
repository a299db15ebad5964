import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { InputError } from '../../domain/errors.ts';
import type { PlainSecret } from '../../render/bootstrap/types.ts';
import { validateObjects } from '../../render/validate/index.ts';
import { expectNoClearSecrets } from '../../../test/support/clear-secrets.ts';
import { selfSignedCert, unseal as unsealValue } from '../../../test/support/sealed-secrets-check.ts';
import { encryptSecret, secretValueDigest, VALUE_DIGEST_ANNOTATION } from './index.ts';

let dir: string;
let certPem: string;
let keyPem: string;

function selfSigned(name: string, keyArgs: string[]): { cert: string; key: string } {
  return selfSignedCert(dir, name, keyArgs);
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'slipway-seal-'));
  ({ cert: certPem, key: keyPem } = selfSigned('controller', ['-newkey', 'rsa:2048']));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function unseal(sealed: string, label: string, privateKeyPem = keyPem): string {
  return unsealValue(sealed, label, privateKeyPem);
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
