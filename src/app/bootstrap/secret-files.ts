import { parse } from 'yaml';
import { canonicalJson } from '../../adapters/oci/media-types.ts';
import { secretValueDigest, VALUE_DIGEST_ANNOTATION } from '../../adapters/secrets/index.ts';
import type { BootstrapSecretFile, PlainSecret, SecretEncryption } from '../../render/bootstrap/index.ts';

/** Turns a Secret into one YAML document that holds no value in clear (`encryptSecret`, which adds the value digest annotation). */
export type SecretEncrypter = (secret: PlainSecret, how: SecretEncryption) => Promise<string>;

/**
 * The encrypted text of each Secret file. Encryption is random (a fresh data key each time), so a
 * Secret whose values, metadata and encryption did not change keeps the file already there, byte for
 * byte: a second bootstrap then changes nothing and commits nothing.
 * @example await encryptSecretFiles(part.secrets, how, encryptSecret, (path) => existing.get(path))
 */
export async function encryptSecretFiles(
  secrets: readonly BootstrapSecretFile[],
  how: SecretEncryption,
  encrypt: SecretEncrypter,
  existing: (path: string) => string | undefined,
): Promise<Array<{ path: string; content: string }>> {
  const files: Array<{ path: string; content: string }> = [];
  for (const { path, secret } of secrets) {
    const before = existing(path);
    const content = before !== undefined && stillEncrypts(before, secret, how) ? before : await encrypt(secret, how);
    files.push({ path, content });
  }
  return files;
}

/**
 * Whether an encrypted file already there says what `secret` would: the same name, namespace,
 * type, labels and annotations (the value digest among them), encrypted the same way (SOPS to the
 * same age recipients, or sealed). A sealed file cannot tell which certificate sealed it: after a new
 * `--seal-cert`, remove the secrets folder so every Secret is sealed again.
 */
function stillEncrypts(text: string, secret: PlainSecret, how: SecretEncryption): boolean {
  let doc: Record<string, unknown>;
  try {
    doc = parse(text) as Record<string, unknown>;
  } catch {
    return false;
  }
  if (doc === null || typeof doc !== 'object') return false;
  if (how.kind === 'sops') {
    const sops = doc['sops'] as { age?: Array<{ recipient?: unknown }> } | undefined;
    const recipients = (sops?.age ?? []).map((entry) => entry.recipient);
    if (doc['kind'] !== 'Secret' || !sameSet(recipients, how.ageRecipients)) return false;
    return sameMetadata(doc['metadata'], doc['type'], secret);
  }
  if (doc['kind'] !== 'SealedSecret') return false;
  const template = (doc['spec'] as { template?: { metadata?: unknown; type?: unknown } } | undefined)?.template;
  return sameMetadata(template?.metadata, template?.type, secret);
}

function sameMetadata(metadata: unknown, type: unknown, secret: PlainSecret): boolean {
  const m = (metadata ?? {}) as { name?: unknown; namespace?: unknown; labels?: unknown; annotations?: unknown };
  return (
    m.name === secret.name &&
    m.namespace === secret.namespace &&
    (type ?? 'Opaque') === (secret.type ?? 'Opaque') &&
    canonicalJson(m.labels ?? {}).equals(canonicalJson(secret.labels ?? {})) &&
    // The encrypter adds the digest of the values to the annotations: it is how a change of value shows.
    canonicalJson(m.annotations ?? {}).equals(canonicalJson({ ...secret.annotations, [VALUE_DIGEST_ANNOTATION]: secretValueDigest(secret.stringData) }))
  );
}

function sameSet(a: readonly unknown[], b: readonly string[]): boolean {
  return a.length === b.length && [...a].map(String).sort().join('\n') === [...b].sort().join('\n');
}
