import { gitOpsEngineRenders } from '../../adapters/gitops/index.ts';
import { ConfigSchema } from '../../config/schema.ts';
import { resolveBootstrapSettings, type BootstrapSettings, type SecretsBackend } from './settings.ts';
import type { SecretValues } from './types.ts';

/** Bootstrap settings from a slipway.yaml as written (defaults for the rest), as the command resolves them. */
export function bootstrapSettings(config: Record<string, unknown> = {}, flags: { engine?: string; secrets?: SecretsBackend } = {}): BootstrapSettings {
  return resolveBootstrapSettings({
    config: ConfigSchema.parse(config),
    engines: gitOpsEngineRenders(),
    engine: flags.engine,
    secrets: flags.secrets ?? 'sops',
    localDir: '/home/me/.slipway/bootstrap',
  });
}

/** Argo CD needs the repo it clones and a real apps domain. */
export const ARGOCD_CONFIG = { engine: 'argocd', git: { gitops: { url: 'https://git.example.com/homelab.git' } }, render: { appsDomain: 'apps.example.com' } };

/** Secret values that are the name repeated, so tests can say what a value is; records what was asked for. */
export class NamedValues implements SecretValues {
  readonly asked: Array<{ name: string; bytes: number | undefined }> = [];
  get(name: string, bytes?: number): string {
    this.asked.push({ name, bytes });
    return `value-of-${name}`;
  }
}
