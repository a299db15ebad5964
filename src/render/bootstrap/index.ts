/**
 * The cluster side `slipway bootstrap` writes, as pure parts: each turns the bootstrap settings (and
 * the secret values it asks for) into objects grouped in files, and the Secrets it needs.
 */
import { namespacePart } from './namespace.ts';
import { rbacPart } from './rbac.ts';
import { receiverPart } from './receiver.ts';
import type { BootstrapSettings } from './settings.ts';
import type { BootstrapPart, SecretValues } from './types.ts';

export { SERVICE_ACCOUNT, WATCHER_ROLE, watcherRules, WATCHER_RULES } from './rbac.ts';
export { fluxReceiverPath, RECEIVER_NAME } from './receiver.ts';
export { BOOTSTRAP_LABELS, restrictedLabels } from './namespace.ts';
export { resolveBootstrapSettings, type BootstrapEnvironment, type BootstrapSettings, type BootstrapSources, type SecretsBackend } from './settings.ts';
export type * from './types.ts';

/** The comment on top of every file the bootstrap renders (encrypted Secrets excepted: their bytes are the encrypter's). */
export const BOOTSTRAP_HEADER = 'Rendered by slipway bootstrap. Change slipway.yaml and run it again rather than editing this file.';

/**
 * Every part of the cluster side, in the order their files are listed. A part that has nothing to add
 * for these settings (the registry when it is off) returns no files.
 * @example bootstrapParts(settings, values).map((part) => part.name) // ['namespace', …]
 */
export function bootstrapParts(settings: BootstrapSettings, values: SecretValues): BootstrapPart[] {
  return [
    namespacePart(settings),
    receiverPart(settings, values),
    rbacPart(settings),
  ];
}
