/**
 * The command-line options saying how committed Secrets are encrypted, worded once for every
 * command that commits Secrets. Their values go to `readSecretEncryption` (src/adapters/secrets).
 * @example program.command('bootstrap')
 *   .option('--secrets <backend>', SECRET_OPTIONS.secrets)
 *   .option('--age-recipient <key>', SECRET_OPTIONS.ageRecipient, repeatable)
 *   .option('--seal-cert <file>', SECRET_OPTIONS.sealCert)
 */
export const SECRET_OPTIONS = {
  secrets: 'how Secrets are committed: sops (SOPS + age, Flux decrypts) or sealed-secrets; default: secrets.backend in slipway.yaml',
  ageRecipient: 'an age public key (age1…) SOPS encrypts to; repeat for more; the cluster holds the secret key of one',
  sealCert: "the Sealed Secrets controller's public certificate (kubeseal --fetch-cert > sealed-secrets.pem)",
} as const;

/**
 * Commander's parser for an option that may be repeated: each use adds its value.
 * @example repeatable('age1b', ['age1a']) // ['age1a', 'age1b']
 */
export function repeatable(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}
