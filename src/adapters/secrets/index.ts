/**
 * Secrets on their way into the GitOps repo: every Secret Slipway commits is encrypted here first,
 * with SOPS + age (Flux decrypts it) or sealed for the Sealed Secrets controller. No value leaves
 * this module in clear.
 */
import { InputError } from '../../domain/errors.ts';
import type { PlainSecret, SecretEncryption } from '../../render/bootstrap/types.ts';
import { parseAgeRecipient } from './age-recipient.ts';
import { sealSecret } from './sealed-secret.ts';
import { sopsEncryptSecret, type SopsOptions } from './sops.ts';

export { parseAgeRecipient, parseConfiguredAgeRecipient } from './age-recipient.ts';
export { readSecretEncryption, SECRET_BACKENDS, type ReadSecretEncryptionOptions, type SecretBackend, type SecretEncryptionFlags } from './encryption-settings.ts';
export { parseSealCert } from './seal-cert.ts';
export { SOPS_ENCRYPTED_REGEX } from './sops.ts';
export { secretValueDigest, VALUE_DIGEST_ANNOTATION } from './value-digest.ts';

/** What a Secret's keys may be (Kubernetes' rule for Secret and ConfigMap keys). */
const SECRET_KEY = /^[-._a-zA-Z0-9]+$/;

/**
 * One YAML document holding the Secret encrypted as `how` says: a SOPS-encrypted Secret, or a
 * SealedSecret. Name, namespace, labels and annotations stay readable; the values do not.
 * @example await encryptSecret({ name: 'slipway-secrets', namespace: 'slipway', stringData: { 'api-token': token } }, { kind: 'sops', ageRecipients: ['age1…'] })
 */
export async function encryptSecret(secret: PlainSecret, how: SecretEncryption, options: SopsOptions = {}): Promise<string> {
  for (const key of Object.keys(secret.stringData)) {
    if (!SECRET_KEY.test(key)) throw new InputError(`the Secret ${secret.namespace}/${secret.name} has a key ${JSON.stringify(key)}; keys are letters, digits, '-', '_' and '.'`);
  }
  if (how.kind === 'sops') {
    if (how.ageRecipients.length === 0) throw new InputError('SOPS encryption needs at least one age recipient', { hint: 'Give --age-recipient age1… or secrets.ageRecipients in slipway.yaml (the public key from age-keygen).' });
    return sopsEncryptSecret(secret, how.ageRecipients.map((recipient) => parseAgeRecipient(recipient, 'age recipient')), options);
  }
  return sealSecret(secret, how.certPem);
}
