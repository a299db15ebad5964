/**
 * Reads a SOPS file back the way sops and Flux do, independently of the code that wrote it: the data
 * key through the real `age` binary, each value with AES-256-GCM (its path as additional data), and
 * the MAC recomputed over every value in file order and compared with the one the file carries.
 */
import { execFileSync } from 'node:child_process';
import { createDecipheriv, createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';

export interface AgeKey {
  /** The identity file `age-keygen` wrote. */
  keyFile: string;
  /** Its secret key (`AGE-SECRET-KEY-1…`). */
  secretKey: string;
  /** Its public key (`age1…`). */
  recipient: string;
}

/** A fresh age key pair from the real `age-keygen`, in `dir`. */
export function ageKeygen(dir: string, name = 'key.txt'): AgeKey {
  const keyFile = join(dir, name);
  execFileSync('age-keygen', ['-o', keyFile], { stdio: ['ignore', 'ignore', 'pipe'] });
  const text = readFileSync(keyFile, 'utf8');
  const recipient = /# public key: (age1[0-9a-z]+)/.exec(text)?.[1];
  const secretKey = /^(AGE-SECRET-KEY-1[0-9A-Z]+)$/m.exec(text)?.[1];
  if (!recipient || !secretKey) throw new Error(`age-keygen wrote no key pair to ${keyFile}`);
  return { keyFile, secretKey, recipient };
}

export interface OpenedSops {
  /** The document without `sops`, every encrypted value decrypted. */
  document: Record<string, unknown>;
  /** The data key the `age` binary recovered. */
  dataKey: Buffer;
  /** Whether the MAC recomputed over the values equals the file's. */
  macMatches: boolean;
}

/** Opens a SOPS YAML file with the age identity in `keyFile`; throws if a value does not decrypt. */
export function openSops(yamlText: string, keyFile: string): OpenedSops {
  const parsed = parse(yamlText) as Record<string, unknown> & { sops: { age: Array<{ recipient: string; enc: string }>; lastmodified: string; mac: string; encrypted_regex: string } };
  const { sops, ...document } = parsed;
  const dataKey = ageDecrypt(sops.age.map((entry) => entry.enc), keyFile);
  const regex = new RegExp(sops.encrypted_regex);
  const mac = createHash('sha512');
  const opened = walk(document, [], (value, path) => {
    const plain = path.some((key) => regex.test(key)) ? decryptValue(value, dataKey, `${path.join(':')}:`) : value;
    mac.update(plain, 'utf8');
    return plain;
  }) as Record<string, unknown>;
  const expectedMac = decryptValue(sops.mac, dataKey, sops.lastmodified);
  return { document: opened, dataKey, macMatches: mac.digest('hex').toUpperCase() === expectedMac };
}

function ageDecrypt(encs: string[], keyFile: string): Buffer {
  const dir = mkdtempSync(join(tmpdir(), 'sops-check-'));
  try {
    const errors: string[] = [];
    for (const [i, enc] of encs.entries()) {
      const file = join(dir, `key-${i}.age`);
      writeFileSync(file, enc);
      try {
        return execFileSync('age', ['--decrypt', '-i', keyFile, file], { stdio: ['ignore', 'pipe', 'pipe'] });
      } catch (error) {
        errors.push(String((error as { stderr?: Buffer }).stderr ?? error));
      }
    }
    throw new Error(`age could not decrypt the data key for any recipient: ${errors.join('; ')}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function walk(value: unknown, path: string[], leaf: (value: string, path: string[]) => string): unknown {
  if (typeof value === 'string') return leaf(value, path);
  if (Array.isArray(value)) return value.map((item) => walk(item, path, leaf));
  if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, walk(item, [...path, key], leaf)]));
  throw new Error(`unexpected ${typeof value} at ${path.join('.')}`);
}

const ENC = /^ENC\[AES256_GCM,data:(.*),iv:(.+),tag:(.+),type:str\]$/;

/** One sops value; the empty string stays empty as sops writes it. */
export function decryptValue(value: string, key: Buffer, additionalData: string): string {
  if (value === '') return '';
  const match = ENC.exec(value);
  if (!match) throw new Error(`not a sops-encrypted string: ${value.slice(0, 40)}`);
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(match[2]!, 'base64'));
  decipher.setAAD(Buffer.from(additionalData, 'utf8'));
  decipher.setAuthTag(Buffer.from(match[3]!, 'base64'));
  return Buffer.concat([decipher.update(Buffer.from(match[1]!, 'base64')), decipher.final()]).toString('utf8');
}
