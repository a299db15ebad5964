import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { ageKeygen, openSops } from '../../../test/support/sops-check.ts';
import { encryptSecret } from '../../adapters/secrets/index.ts';
import type { BootstrapSecretFile, PlainSecret, SecretEncryption } from '../../render/bootstrap/index.ts';
import { encryptSecretFiles } from './secret-files.ts';

const key = ageKeygen(mkdtempSync(`${tmpdir()}/slipway-age-`));
const other = ageKeygen(mkdtempSync(`${tmpdir()}/slipway-age-`));
const sops: SecretEncryption = { kind: 'sops', ageRecipients: [key.recipient] };
const PATH = 'kubernetes/slipway/secrets/slipway-receiver-token.yaml';

function file(token: string, extra: Partial<PlainSecret> = {}): BootstrapSecretFile {
  return { path: PATH, purpose: 'the receiver token', secret: { name: 'slipway-receiver-token', namespace: 'flux-system', labels: { 'app.kubernetes.io/part-of': 'slipway' }, stringData: { token }, ...extra } };
}

/** Encrypts once, then again with the first result as the file already there. */
async function twice(first: BootstrapSecretFile, second: BootstrapSecretFile, how: SecretEncryption = sops, againHow: SecretEncryption = how) {
  let calls = 0;
  const encrypt = (secret: PlainSecret, with_: SecretEncryption) => {
    calls++;
    return encryptSecret(secret, with_);
  };
  const [before] = await encryptSecretFiles([first], how, encrypt, () => undefined);
  const [after] = await encryptSecretFiles([second], againHow, encrypt, (path) => (path === PATH ? before!.content : undefined));
  return { before: before!.content, after: after!.content, calls };
}

describe('encryptSecretFiles', () => {
  it('keeps an encrypted file byte for byte when its values and metadata did not change', async () => {
    const { before, after, calls } = await twice(file('t0ken-one'), file('t0ken-one'));
    expect(after).toBe(before);
    expect(calls).toBe(1);
    expect(openSops(after, key.keyFile).document['stringData']).toEqual({ token: 't0ken-one' });
  });

  it('encrypts again when a value, a label or the age recipients changed', async () => {
    const value = await twice(file('t0ken-one'), file('t0ken-two'));
    expect(value.after).not.toBe(value.before);
    expect(openSops(value.after, key.keyFile).document['stringData']).toEqual({ token: 't0ken-two' });

    const label = await twice(file('t0ken-one'), file('t0ken-one', { labels: { team: 'home' } }));
    expect(label.after).not.toBe(label.before);

    const recipients = await twice(file('t0ken-one'), file('t0ken-one'), sops, { kind: 'sops', ageRecipients: [other.recipient] });
    expect(recipients.after).not.toBe(recipients.before);
    expect(openSops(recipients.after, other.keyFile).macMatches).toBe(true);
  });

  it('encrypts again when the file there is not what the backend writes (edited, or the other backend)', async () => {
    let calls = 0;
    const encrypt = (secret: PlainSecret, with_: SecretEncryption) => {
      calls++;
      return encryptSecret(secret, with_);
    };
    for (const there of ['not: [valid yaml', 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: slipway-receiver-token\n', 'apiVersion: bitnami.com/v1alpha1\nkind: SealedSecret\n']) {
      const [out] = await encryptSecretFiles([file('t0ken-one')], sops, encrypt, () => there);
      expect(out!.content).not.toBe(there);
    }
    expect(calls).toBe(3);
  });
});
