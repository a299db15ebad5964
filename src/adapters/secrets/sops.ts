import { createCipheriv, createHash, randomBytes } from 'node:crypto';
import { armor, Encrypter } from 'age-encryption';
import type { PlainSecret } from '../../render/bootstrap/types.ts';
import { toYaml } from '../../render/yaml-writer.ts';
import { readableMetadata, sortedRecord } from './secret-object.ts';

/** Only the values of a Secret are encrypted; what it is and whose it is stay readable in review. */
export const SOPS_ENCRYPTED_REGEX = '^(data|stringData)$';

/** The sops release whose file format this writes (what `sops --version` would put in the file). */
export const SOPS_VERSION = '3.10.2';

/** sops' IV length for AES-256-GCM values: 32 bytes, not GCM's usual 12. */
const SOPS_IV_BYTES = 32;

export interface SopsOptions {
  /** The time written as `lastmodified` (it is also the additional data of the MAC); now unless set. */
  now?: Date;
}

/**
 * A Kubernetes Secret encrypted as the `sops` tool encrypts it for Flux's built-in decryption: a
 * fresh 32-byte data key encrypts each value under `data`/`stringData` with AES-256-GCM (the value's
 * path as additional data), the data key is encrypted to every age recipient, and a MAC over all
 * values (encrypted with the data key too) lets sops and Flux detect any edit of the file.
 */
export async function sopsEncryptSecret(secret: PlainSecret, ageRecipients: readonly string[], options: SopsOptions = {}): Promise<string> {
  const dataKey = randomBytes(32);
  // Built in the order the YAML writer emits, because the MAC is over the values in file order.
  const plain = {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: readableMetadata(secret),
    stringData: sortedRecord(secret.stringData),
    type: secret.type ?? 'Opaque',
  };
  const mac = createHash('sha512');
  const encrypted = encryptTree(plain, [], { dataKey, mac, regex: new RegExp(SOPS_ENCRYPTED_REGEX) });
  const lastModified = rfc3339(options.now ?? new Date());
  const age = [];
  for (const recipient of ageRecipients) age.push({ recipient, enc: await encryptDataKey(dataKey, recipient) });
  const sops = {
    age,
    lastmodified: lastModified,
    mac: encryptValue(mac.digest('hex').toUpperCase(), dataKey, lastModified),
    encrypted_regex: SOPS_ENCRYPTED_REGEX,
    version: SOPS_VERSION,
  };
  return toYaml({ ...(encrypted as Record<string, unknown>), sops });
}

interface Walk {
  dataKey: Buffer;
  mac: ReturnType<typeof createHash>;
  regex: RegExp;
}

/** sops' walk: every leaf goes into the MAC; a leaf is encrypted when a key on its path matches the regex. */
function encryptTree(value: unknown, path: readonly string[], walk: Walk): unknown {
  if (typeof value === 'string') {
    walk.mac.update(value, 'utf8');
    return path.some((key) => walk.regex.test(key)) ? encryptValue(value, walk.dataKey, `${path.join(':')}:`) : value;
  }
  if (Array.isArray(value)) return value.map((item) => encryptTree(item, path, walk));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, encryptTree(item, [...path, key], walk)]));
  }
  throw new TypeError(`a Secret holds only strings, not ${typeof value} at ${path.join('.')}`);
}

/** One value in sops' format; sops leaves an empty string empty. */
function encryptValue(plaintext: string, key: Buffer, additionalData: string): string {
  if (plaintext === '') return '';
  const iv = randomBytes(SOPS_IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(additionalData, 'utf8'));
  const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  const tag = cipher.getAuthTag();
  return `ENC[AES256_GCM,data:${data.toString('base64')},iv:${iv.toString('base64')},tag:${tag.toString('base64')},type:str]`;
}

/** The data key as an armored age file for one recipient, as sops stores it under `age[].enc`. */
async function encryptDataKey(dataKey: Buffer, recipient: string): Promise<string> {
  const encrypter = new Encrypter();
  encrypter.addRecipient(recipient);
  return armor.encode(await encrypter.encrypt(new Uint8Array(dataKey)));
}

/** Go's time.RFC3339 in UTC, whole seconds: what sops writes and later uses as the MAC's additional data. */
export function rfc3339(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
