/**
 * The Sealed Secrets controller's side, written from its description, to prove what Slipway sealed:
 * a controller-like key pair from openssl, and unsealing one value (split, RSA-OAEP(SHA-256) with the
 * `namespace/name` label, AES-GCM with a zero nonce).
 */
import { execFileSync } from 'node:child_process';
import { constants, createDecipheriv, createPrivateKey, privateDecrypt } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** A key pair and self-signed certificate from openssl in `dir` (`keyArgs` e.g. ['-newkey', 'rsa:2048']). */
export function selfSignedCert(dir: string, name: string, keyArgs: string[]): { cert: string; key: string } {
  const key = join(dir, `${name}.key`);
  const cert = join(dir, `${name}.pem`);
  execFileSync('openssl', ['req', '-x509', '-nodes', ...keyArgs, '-keyout', key, '-out', cert, '-days', '2', '-subj', '/CN=sealed-secret/O=sealed-secret'], { stdio: 'ignore' });
  return { cert: readFileSync(cert, 'utf8'), key: readFileSync(key, 'utf8') };
}

/** One value of a SealedSecret's encryptedData, opened with the controller's private key; throws when the key or label is wrong. */
export function unseal(sealed: string, label: string, privateKeyPem: string): string {
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
