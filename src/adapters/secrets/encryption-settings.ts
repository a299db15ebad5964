import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ConfigError, InputError } from '../../domain/errors.ts';
import type { SecretsConfig } from '../../config/schema.ts';
import type { SecretEncryption } from '../../render/bootstrap/types.ts';
import { parseAgeRecipient } from './age-recipient.ts';
import { parseSealCert } from './seal-cert.ts';

export const SECRET_BACKENDS = ['sops', 'sealed-secrets'] as const;
export type SecretBackend = (typeof SECRET_BACKENDS)[number];

/** The command line's say on encryption: `--secrets`, `--age-recipient` (repeatable), `--seal-cert`. */
export interface SecretEncryptionFlags {
  secrets?: string;
  /** One key, or several (the option repeated). */
  ageRecipient?: string | readonly string[];
  sealCert?: string;
}

export interface ReadSecretEncryptionOptions {
  /** What a relative `--seal-cert` is relative to (the config's own path is already resolved by the loader). */
  cwd?: string;
  /** When the certificate must be valid; now unless set. */
  now?: Date;
}

const HOW_HINT = 'Give --secrets sops --age-recipient age1… (Flux decrypts with the matching age key) or --secrets sealed-secrets --seal-cert <file> (from `kubeseal --fetch-cert`), or set secrets: in slipway.yaml.';

/**
 * How Secrets are encrypted, from the flags over slipway.yaml's `secrets:`. Flags win: a backend
 * given on the command line takes its recipients or certificate from the command line when given
 * there, else from the file. Every age recipient is parsed and the certificate read and checked
 * (PEM, RSA, not expired) now, so a wrong one is reported before anything is written.
 * @example readSecretEncryption({ backend: 'sops', ageRecipients: ['age1…'] }) // { kind: 'sops', ageRecipients: ['age1…'] }
 */
export function readSecretEncryption(config: SecretsConfig | undefined, given: SecretEncryptionFlags = {}, options: ReadSecretEncryptionOptions = {}): SecretEncryption {
  const flags = { ...given, ageRecipient: typeof given.ageRecipient === 'string' ? [given.ageRecipient] : (given.ageRecipient ?? []) };
  const backend = chooseBackend(config, flags);
  if (backend === 'sops') {
    if (flags.sealCert !== undefined) throw new InputError('--seal-cert goes with --secrets sealed-secrets, not SOPS', { hint: HOW_HINT });
    const fromFlags = flags.ageRecipient.length > 0;
    const keys = fromFlags ? flags.ageRecipient : (config?.ageRecipients ?? []);
    if (keys.length === 0) throw new InputError('SOPS encryption needs at least one age recipient', { hint: HOW_HINT });
    const ageRecipients = keys.map((value, i) => (fromFlags ? parseAgeRecipient(value, '--age-recipient') : asConfigError(() => parseAgeRecipient(value, `secrets.ageRecipients[${i}] in slipway.yaml`))));
    return { kind: 'sops', ageRecipients: [...new Set(ageRecipients)] };
  }
  if (flags.ageRecipient.length > 0) throw new InputError('--age-recipient goes with --secrets sops, not Sealed Secrets', { hint: HOW_HINT });
  const file = flags.sealCert !== undefined ? resolve(options.cwd ?? process.cwd(), flags.sealCert) : config?.sealCert;
  if (file === undefined) {
    throw new InputError('Sealed Secrets needs the controller\'s public certificate', { hint: 'Fetch it with `kubeseal --fetch-cert > sealed-secrets.pem` and give --seal-cert sealed-secrets.pem (or secrets.sealCert in slipway.yaml).' });
  }
  const fromConfig = flags.sealCert === undefined;
  const source = fromConfig ? `secrets.sealCert (${file})` : `--seal-cert ${file}`;
  let certPem: string;
  try {
    certPem = readFileSync(file, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'there is no such file' : `it cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`;
    const hint = 'Fetch the certificate with `kubeseal --fetch-cert > sealed-secrets.pem` and check the path.';
    throw fromConfig ? new ConfigError(`${source}: ${reason}`, { hint }) : new InputError(`${source}: ${reason}`, { hint });
  }
  const check = () => parseSealCert(certPem, source, options.now);
  if (fromConfig) asConfigError(check);
  else check();
  return { kind: 'sealed-secrets', certPem };
}

/** A bad value read from slipway.yaml is the file's fault: the same words, as a ConfigError. */
function asConfigError<T>(check: () => T): T {
  try {
    return check();
  } catch (error) {
    if (error instanceof InputError) throw new ConfigError(error.message, { hint: error.hint ?? HOW_HINT });
    throw error;
  }
}

function chooseBackend(config: SecretsConfig | undefined, flags: SecretEncryptionFlags & { ageRecipient: readonly string[] }): SecretBackend {
  if (flags.secrets !== undefined) {
    if (!(SECRET_BACKENDS as readonly string[]).includes(flags.secrets)) {
      throw new InputError(`--secrets must be sops or sealed-secrets, not ${JSON.stringify(flags.secrets)}`, { hint: HOW_HINT });
    }
    return flags.secrets as SecretBackend;
  }
  if (flags.ageRecipient.length > 0 && flags.sealCert !== undefined) throw new InputError('give --age-recipient (SOPS) or --seal-cert (Sealed Secrets), not both', { hint: HOW_HINT });
  if (flags.ageRecipient.length > 0) return 'sops';
  if (flags.sealCert !== undefined) return 'sealed-secrets';
  if (config?.backend === 'external-secrets') return ownSecretsBackend(config);
  if (config) return config.backend;
  throw new InputError('Slipway does not know how to encrypt the Secrets it commits', { hint: HOW_HINT });
}

/**
 * With `external-secrets`, apps' secrets live in the store, but Slipway's own Secrets (bootstrap,
 * access proxy) are still committed: encrypted with whatever else `secrets:` names.
 */
function ownSecretsBackend(config: SecretsConfig): SecretBackend {
  if (config.ageRecipients.length > 0) return 'sops';
  if (config.sealCert !== undefined) return 'sealed-secrets';
  throw new ConfigError('secrets.backend external-secrets covers apps\' secrets; Slipway\'s own Secrets still need secrets.ageRecipients (SOPS) or secrets.sealCert (Sealed Secrets) in slipway.yaml', { hint: HOW_HINT });
}
