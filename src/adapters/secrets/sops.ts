import { createCipheriv, createHash, randomBytes } from 'node:crypto';
import { armor, Encrypter } from 'age-encryption';
import { ConfigError } from '../../domain/errors.ts';
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
  /** Which keys' values are encrypted (a `.sops.yaml` rule's `encrypted_regex`); SOPS_ENCRYPTED_REGEX unless set. */
  encryptedRegex?: string;
}

/**
 * A Kubernetes Secret encrypted as the `sops` tool encrypts it for Flux's built-in decryption: a
 * fresh 32-byte data key encrypts each value under `data`/`stringData` with AES-256-GCM (the value's
 * path as additional data), the data key is encrypted to every age recipient, and a MAC over all
 * values (encrypted with the data key too) lets sops and Flux detect any edit of the file.
 */
export async function sopsEncryptSecret(secret: PlainSecret, ageRecipients: readonly string[], options: SopsOptions = {}): Promise<string> {
  const encryptedRegex = options.encryptedRegex ?? SOPS_ENCRYPTED_REGEX;
  const regex = new RegExp(encryptedRegex);
  // A regex that matches neither `stringData` nor a key would leave that value in clear: refuse.
  const exposed = Object.keys(secret.stringData).filter((key) => !regex.test('stringData') && !regex.test(key));
  if (exposed.length > 0) {
    throw new ConfigError(`the SOPS encrypted_regex ${JSON.stringify(encryptedRegex)} would leave ${exposed.join(', ')} of the Secret ${secret.namespace}/${secret.name} in clear`, { hint: 'Make encrypted_regex match stringData, e.g. ^(data|stringData)$, in the GitOps repo\'s .sops.yaml.' });
  }
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
  const encrypted = encryptTree(plain, [], { dataKey, mac, regex });
  const lastModified = rfc3339(options.now ?? new Date());
  const age = [];
  for (const recipient of ageRecipients) age.push({ recipient, enc: await encryptDataKey(dataKey, recipient) });
  const sops = {
    age,
    lastmodified: lastModified,
    mac: encryptValue(mac.digest('hex').toUpperCase(), dataKey, lastModified),
    encrypted_regex: encryptedRegex,
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
