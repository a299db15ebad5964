import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decryptSops } from 'sops-age';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { InputError } from '../../domain/errors.ts';
import type { PlainSecret, SecretEncryption } from '../../render/bootstrap/types.ts';
import { expectNoClearSecrets } from '../../../test/support/clear-secrets.ts';
import { ageKeygen, openSops, type AgeKey } from '../../../test/support/sops-check.ts';
import { encryptSecret, secretValueDigest, VALUE_DIGEST_ANNOTATION } from './index.ts';

let dir: string;
let alice: AgeKey;
let bob: AgeKey;
let stranger: AgeKey;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'slipway-sops-'));
  alice = ageKeygen(dir, 'alice.txt');
  bob = ageKeygen(dir, 'bob.txt');
  stranger = ageKeygen(dir, 'stranger.txt');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function receiverSecret(): PlainSecret {
  return {
    name: 'flux-receiver-token',
    namespace: 'flux-system',
    labels: { 'app.kubernetes.io/managed-by': 'slipway', 'app.kubernetes.io/part-of': 'slipway' },
    annotations: { 'slipway.dev/purpose': 'Flux Receiver token' },
    stringData: {
      token: randomBytes(32).toString('hex'),
      'password.txt': 'p@ss: wörd "quoted"\nsecond line',
      '2fa': '123456',
      empty: '',
    },
  };
}

describe('encryptSecret with SOPS + age', () => {
  it('writes a Secret whose values the age binary and AES-GCM open again, with a MAC that matches', async () => {
    const secret = receiverSecret();
    const yaml = await encryptSecret(secret, { kind: 'sops', ageRecipients: [alice.recipient] }, { now: new Date('2026-03-04T05:06:07.890Z') });
    const opened = openSops(yaml, alice.keyFile);
    expect(opened.dataKey).toHaveLength(32);
    expect(opened.macMatches).toBe(true);
    expect(opened.document['stringData']).toEqual(secret.stringData);
    const file = parse(yaml) as Record<string, any>;
    expect(file['apiVersion']).toBe('v1');
    expect(file['kind']).toBe('Secret');
    expect(file['type']).toBe('Opaque');
    expect(file['metadata']).toEqual({
      name: 'flux-receiver-token',
      namespace: 'flux-system',
      labels: secret.labels,
      annotations: { ...secret.annotations, [VALUE_DIGEST_ANNOTATION]: secretValueDigest(secret.stringData) },
    });
    expect(file['sops']).toMatchObject({ lastmodified: '2026-03-04T05:06:07Z', encrypted_regex: '^(data|stringData)$', version: expect.stringMatching(/^3\.\d+\.\d+$/) });
    expect(file['sops'].mac).toMatch(/^ENC\[AES256_GCM,data:[A-Za-z0-9+/=]+,iv:[A-Za-z0-9+/=]{44},tag:[A-Za-z0-9+/=]{24},type:str\]$/);
    for (const [key, value] of Object.entries(file['stringData'] as Record<string, string>)) {
      if (key === 'empty') expect(value).toBe('');
      // sops' 32-byte IV (44 base64 characters), 16-byte tag.
      else expect(value).toMatch(/^ENC\[AES256_GCM,data:[A-Za-z0-9+/=]+,iv:[A-Za-z0-9+/=]{44},tag:[A-Za-z0-9+/=]{24},type:str\]$/);
    }
    // Flux's kustomize-controller recognises a SOPS YAML file by these bytes: the MAC must not be quoted.
    expect(yaml).toContain('\n  mac: ENC[AES256_GCM,');
    // The metadata block sops writes, in its order; the age stanza is an armored age file.
    expect(Object.keys(file['sops'])).toEqual(['age', 'lastmodified', 'mac', 'encrypted_regex', 'version']);
    expect(file['sops'].age[0].enc).toMatch(/^-----BEGIN AGE ENCRYPTED FILE-----\n[\s\S]+\n-----END AGE ENCRYPTED FILE-----\n$/);
  });

  it('decrypts with the independent sops-age library to the original values', async () => {
    const secret = receiverSecret();
    const yaml = await encryptSecret(secret, { kind: 'sops', ageRecipients: [alice.recipient] });
    const decrypted = (await decryptSops(yaml, { secretKey: alice.secretKey, fileType: 'yaml' })) as Record<string, any>;
    expect(decrypted['stringData']).toEqual(secret.stringData);
    expect(decrypted['metadata'].name).toBe('flux-receiver-token');
  });

  it('encrypts the data key to every recipient, and to no one else', async () => {
    const secret = receiverSecret();
    const yaml = await encryptSecret(secret, { kind: 'sops', ageRecipients: [alice.recipient, bob.recipient] });
    expect(openSops(yaml, alice.keyFile).document['stringData']).toEqual(secret.stringData);
    expect(openSops(yaml, bob.keyFile).document['stringData']).toEqual(secret.stringData);
    expect((parse(yaml) as { sops: { age: Array<{ recipient: string }> } }).sops.age.map((entry) => entry.recipient)).toEqual([alice.recipient, bob.recipient]);
    expect(() => openSops(yaml, stranger.keyFile)).toThrow(/age could not decrypt/);
    await expect(decryptSops(yaml, { secretKey: stranger.secretKey, fileType: 'yaml' })).rejects.toThrow();
  });

  it('detects an edit: a changed readable field fails the MAC, a moved or altered value fails decryption', async () => {
    const secret = receiverSecret();
    const yaml = await encryptSecret(secret, { kind: 'sops', ageRecipients: [alice.recipient] });
    const file = parse(yaml) as Record<string, any>;

    const relabelled = structuredClone(file);
    relabelled.metadata.namespace = 'default';
    expect(openSops(stringify(relabelled), alice.keyFile).macMatches).toBe(false);

    const swapped = structuredClone(file);
    [swapped.stringData.token, swapped.stringData['2fa']] = [file['stringData']['2fa'], file['stringData'].token];
    expect(() => openSops(stringify(swapped), alice.keyFile)).toThrow();
    await expect(decryptSops(stringify(swapped), { secretKey: alice.secretKey, fileType: 'yaml' })).rejects.toThrow(/AES-GCM decryption failed/);

    const altered = structuredClone(file);
    altered.stringData.token = altered.stringData.token.replace(/data:(.)/, (_: string, c: string) => `data:${c === 'A' ? 'B' : 'A'}`);
    await expect(decryptSops(stringify(altered), { secretKey: alice.secretKey, fileType: 'yaml' })).rejects.toThrow(/AES-GCM decryption failed/);
  });

  it('never writes a value in clear, raw or base64', async () => {
    const secret = receiverSecret();
    const out = mkdtempSync(join(dir, 'out-'));
    writeFileSync(join(out, 'secret.yaml'), await encryptSecret(secret, { kind: 'sops', ageRecipients: [alice.recipient] }));
    const values = Object.values(secret.stringData).filter((v) => v.length >= 6);
    expect(() => expectNoClearSecrets(out, values)).not.toThrow();
    // The check itself finds a value where there is one.
    writeFileSync(join(out, 'plain.yaml'), `token: ${secret.stringData['token']}\n`);
    expect(() => expectNoClearSecrets(out, values)).toThrow(/plain\.yaml: value #0/);
  });

  it('fresh data key and IVs each time, the same digest annotation for the same values', async () => {
    const secret = receiverSecret();
    const how: SecretEncryption = { kind: 'sops', ageRecipients: [alice.recipient] };
    const [first, second] = await Promise.all([encryptSecret(secret, how), encryptSecret(secret, how)]);
    expect(first).not.toBe(second);
    const annotation = (text: string) => (parse(text) as { metadata: { annotations: Record<string, string> } }).metadata.annotations[VALUE_DIGEST_ANNOTATION];
    expect(annotation(first)).toBe(annotation(second));
    expect(annotation(await encryptSecret({ ...secret, stringData: { ...secret.stringData, token: 'changed-token' } }, how))).not.toBe(annotation(first));
  });

  it('refuses no recipients and keys Kubernetes would refuse, naming what to fix', async () => {
    await expect(encryptSecret(receiverSecret(), { kind: 'sops', ageRecipients: [] })).rejects.toThrow(InputError);
    await expect(encryptSecret(receiverSecret(), { kind: 'sops', ageRecipients: [] })).rejects.toThrow(/at least one age recipient/);
    await expect(encryptSecret({ ...receiverSecret(), stringData: { 'a/b': 'x' } }, { kind: 'sops', ageRecipients: [alice.recipient] })).rejects.toThrow(/key "a\/b"/);
  });
});
