import { Encrypter } from 'age-encryption';
import { ConfigError, InputError } from '../../domain/errors.ts';

const KEYGEN_HINT = 'Use the public key age-keygen prints ("Public key: age1…"), e.g. `age-keygen -o flux.agekey` and the age1… line of that file.';

/**
 * An age recipient Flux can decrypt for, checked with the age library's own parser (bech32,
 * checksum, key length). Only X25519 keys (`age1…`, what age-keygen makes): Flux's SOPS
 * decryption takes those, not post-quantum or plugin recipients. `source` names it in errors.
 */
export function parseAgeRecipient(value: string, source: string): string {
  const recipient = value.trim();
  if (!recipient.startsWith('age1')) throw new InputError(`${source}: ${shown(recipient)} is not an age public key (age1…)`, { hint: KEYGEN_HINT });
  // Bech32 data never holds a '1', so a later one means a longer prefix: age1pq1…, age1tag1…, a plugin's.
  if (recipient.lastIndexOf('1') > 3) {
    throw new InputError(`${source}: ${shown(recipient)} is not an X25519 age key; Flux decrypts SOPS files with X25519 age keys only`, { hint: KEYGEN_HINT });
  }
  try {
    new Encrypter().addRecipient(recipient);
  } catch {
    throw new InputError(`${source}: ${shown(recipient)} is not a valid age public key (its checksum or length is wrong)`, { hint: KEYGEN_HINT });
  }
  return recipient;
}

/**
 * `parseAgeRecipient` for a key read from a file (slipway.yaml, a `.sops.yaml`): a bad one is the
 * file's fault, so a ConfigError, with `hint` saying where to fix it.
 */
export function parseConfiguredAgeRecipient(value: string, source: string, hint: string): string {
  try {
    return parseAgeRecipient(value, source);
  } catch (error) {
    if (error instanceof InputError) throw new ConfigError(error.message, { hint: `${hint} ${error.hint ?? ''}`.trim() });
    throw error;
  }
}

/** Public keys may be shown; anything that looks like a secret key is not. */
function shown(value: string): string {
  if (/^AGE-SECRET-KEY-/i.test(value)) return 'an age SECRET key (never give Slipway the secret key; it needs the public one)';
  return JSON.stringify(value.length > 80 ? `${value.slice(0, 77)}…` : value);
}
