import { generateKeyPairSync, sign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../domain/errors.ts';
import { discordPublicKey, discordSignatureRefusal } from './discord-signature.ts';

// A key pair made here, as Discord holds its private half and shows the public one.
const { publicKey, privateKey } = generateKeyPairSync('ed25519');
const PUBLIC_HEX = Buffer.from(publicKey.export({ format: 'jwk' }).x!, 'base64url').toString('hex');
const NOW = new Date('2026-12-06T08:00:00Z');
const TIMESTAMP = String(NOW.getTime() / 1000);
const BODY = Buffer.from('{"type":1,"id":"1","application_id":"2"}');

const signed = (timestamp: string, body: Buffer) => sign(null, Buffer.concat([Buffer.from(timestamp), body]), privateKey).toString('hex');

describe('Discord request signatures', () => {
  const key = discordPublicKey(PUBLIC_HEX);
  const check = (over: Partial<Parameters<typeof discordSignatureRefusal>[0]>) =>
    discordSignatureRefusal({ publicKey: key, signature: signed(TIMESTAMP, BODY), timestamp: TIMESTAMP, rawBody: BODY, now: NOW, ...over });

  it('accepts the Ed25519 signature of timestamp + body made with the private key', () => {
    expect(check({})).toBeUndefined();
    expect(discordPublicKey(PUBLIC_HEX.toUpperCase()).equals(key)).toBe(true);
  });

  it('refuses a changed body, another timestamp, another key, or a bad shape', () => {
    expect(check({ rawBody: Buffer.from('{"type":2}') })).toMatch(/does not match/);
    expect(check({ timestamp: String(Number(TIMESTAMP) - 1) })).toMatch(/does not match/);
    const other = generateKeyPairSync('ed25519').publicKey;
    expect(check({ publicKey: other })).toMatch(/does not match/);
    expect(check({ signature: 'ab'.repeat(63) })).toMatch(/128 hex/);
    expect(check({ signature: undefined })).toMatch(/lacks/);
    expect(check({ timestamp: undefined })).toMatch(/lacks/);
  });

  it('refuses a signed request from far in the past or future', () => {
    const stale = String(Number(TIMESTAMP) - 301);
    expect(check({ timestamp: stale, signature: signed(stale, BODY) })).toMatch(/within 300 seconds/);
    expect(check({ timestamp: 'soon', signature: signed('soon', BODY) })).toMatch(/within 300 seconds/);
  });

  it('takes a public key of 64 hex characters only', () => {
    expect(() => discordPublicKey('abc')).toThrow(ConfigError);
    expect(() => discordPublicKey('g'.repeat(64))).toThrow(/64 hex characters/);
  });
});
