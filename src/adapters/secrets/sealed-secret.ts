import { constants, createCipheriv, publicEncrypt, randomBytes, type KeyObject } from 'node:crypto';
import type { PlainSecret } from '../../render/bootstrap/types.ts';
import { toYaml } from '../../render/yaml-writer.ts';
import { parseSealCert } from './seal-cert.ts';
import { readableMetadata } from './secret-object.ts';

/**
 * A SealedSecret for the Sealed Secrets controller, as `kubeseal` writes one in its default (strict)
 * scope: each value is sealed to the controller's public key with the label `namespace/name`, so the
 * controller refuses to unseal it under any other name or namespace.
 */
export function sealSecret(secret: PlainSecret, certPem: string): string {
  const publicKey = parseSealCert(certPem, 'the sealing certificate').publicKey;
  const label = Buffer.from(`${secret.namespace}/${secret.name}`, 'utf8');
  const encryptedData: Record<string, string> = {};
  for (const key of Object.keys(secret.stringData).sort()) {
    encryptedData[key] = hybridEncrypt(publicKey, Buffer.from(secret.stringData[key]!, 'utf8'), label).toString('base64');
  }
  const metadata = readableMetadata(secret);
  return toYaml({
    apiVersion: 'bitnami.com/v1alpha1',
    kind: 'SealedSecret',
    metadata,
    spec: { encryptedData, template: { metadata, type: secret.type ?? 'Opaque' } },
  });
}

/**
 * The controller's scheme: a one-time 32-byte AES key, RSA-OAEP(SHA-256) encrypted with the label;
 * the value AES-256-GCM encrypted under a zero nonce (safe: the key is used once). Output: the RSA
 * ciphertext's length (2 bytes, big-endian) ‖ RSA ciphertext ‖ AES ciphertext with its tag.
 */
function hybridEncrypt(publicKey: KeyObject, plaintext: Buffer, label: Buffer): Buffer {
  const sessionKey = randomBytes(32);
  const rsaCiphertext = publicEncrypt({ key: publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256', oaepLabel: label }, sessionKey);
  const cipher = createCipheriv('aes-256-gcm', sessionKey, Buffer.alloc(12));
  const sealed = Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
  const length = Buffer.alloc(2);
  length.writeUInt16BE(rsaCiphertext.length);
  return Buffer.concat([length, rsaCiphertext, sealed]);
}
