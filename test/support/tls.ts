import { execFile } from 'node:child_process';
import { createHash, createPrivateKey, sign, X509Certificate, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** A key pair and its self-signed certificate, as PEM text and as files. */
export interface SelfSignedCertificate {
  certPath: string;
  keyPath: string;
  cert: string;
  key: string;
}

/**
 * Creates an EC P-256 key and a self-signed certificate with `openssl req -x509` (spawned with an
 * argument array). The subject alternative names cover 127.0.0.1 and localhost by default, which
 * is what Node's TLS client checks for a loopback registry.
 *
 * @example
 * const { certPath, keyPath, cert } = await createSelfSignedCertificate(dir, 'registry');
 */
export async function createSelfSignedCertificate(
  dir: string,
  name: string,
  altNames: string[] = ['IP:127.0.0.1', 'DNS:localhost'],
): Promise<SelfSignedCertificate> {
  const certPath = join(dir, `${name}.crt`);
  const keyPath = join(dir, `${name}.key`);
  await run('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-keyout', keyPath, '-out', certPath, '-days', '2', '-subj', `/CN=${name}`,
    '-addext', `subjectAltName=${altNames.join(',')}`,
  ]);
  return { certPath, keyPath, cert: await readFile(certPath, 'utf8'), key: await readFile(keyPath, 'utf8') };
}

/**
 * The key id libtrust (and so docker-registry 2.x token auth) gives a public key: the SHA-256 of
 * its DER SubjectPublicKeyInfo, cut to 240 bits, base32 without padding, in colon-separated groups
 * of four. A JWT whose `kid` equals this id of a certificate in `rootcertbundle` is trusted.
 *
 * @example
 * libtrustKeyId(new X509Certificate(pem).publicKey) // 'ABCD:EFGH:…' (12 groups)
 */
export function libtrustKeyId(publicKey: KeyObject): string {
  const der = publicKey.export({ type: 'spki', format: 'der' });
  const encoded = base32(createHash('sha256').update(der).digest().subarray(0, 30));
  return encoded.match(/.{1,4}/g)!.join(':');
}

function base32(bytes: Buffer): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += alphabet[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += alphabet[(value << (5 - bits)) & 31];
  return out;
}

const b64url = (data: Buffer | string): string => Buffer.from(data).toString('base64url');

/**
 * Signs a JWT with ES256 (the raw r||s signature JWS wants) naming the signing key by its
 * libtrust id, the way docker-registry's token auth looks keys up.
 *
 * @example
 * const jwt = signEs256Jwt({ iss: 'issuer', aud: 'registry', exp }, signer);
 */
export function signEs256Jwt(claims: object, signer: { keyPem: string; certPem: string }): string {
  const kid = libtrustKeyId(new X509Certificate(signer.certPem).publicKey);
  const header = b64url(JSON.stringify({ typ: 'JWT', alg: 'ES256', kid }));
  const payload = b64url(JSON.stringify(claims));
  const signature = sign('sha256', Buffer.from(`${header}.${payload}`), {
    key: createPrivateKey(signer.keyPem),
    dsaEncoding: 'ieee-p1363',
  });
  return `${header}.${payload}.${b64url(signature)}`;
}
