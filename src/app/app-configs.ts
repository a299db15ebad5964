import { ConfigError, configIn } from '../domain/index.ts';
import type { AppStore, RenderAppSecret, SecretVault } from '../ports/index.ts';
import { appLabels, configChecksum, secretDigest } from '../render/index.ts';
import type { RenderedConfig, RenderedFile } from '../render/types.ts';

/**
 * Where an app's settings and secrets come from when it is rendered or started: the settings and
 * the secrets' names from its record, the secrets' values from Slipway's secret store.
 */
export function appConfigSources(parts: {
  apps: Pick<AppStore, 'get'>;
  vault: SecretVault;
  defaultEnv: string;
  target: 'local' | 'cluster';
  /** Renders the Secret `<app>-env` for the cluster through the configured backend; absent when none is wired. */
  renderSecret?: RenderAppSecret;
  backend?: Parameters<RenderAppSecret>[1];
}) {
  const read = async (app: string, env: string) => {
    const record = await parts.apps.get(app);
    const config = record ? configIn(record, env, parts.defaultEnv) : undefined;
    const values = config && config.secrets.length > 0 ? await parts.vault.values(app, env) : {};
    return { config, values };
  };
  return {
    /** For the render step: the Deployment's part, and on the cluster the Secret's files. */
    configFor: async (app: string, env: string, namespace: string): Promise<{ config?: RenderedConfig; files: RenderedFile[] }> => {
      const { config, values } = await read(app, env);
      if (!config || (Object.keys(config.settings).length === 0 && config.secrets.length === 0)) return { files: [] };
      const secrets = config.secrets.filter((name) => name in values);
      const digests = Object.fromEntries(secrets.map((name) => [name, secretDigest(values[name]!)]));
      const rendered: RenderedConfig = { settings: config.settings, secrets, checksum: configChecksum(config.settings, digests) };
      // On this machine the values reach the app as its environment: no Secret is committed.
      if (parts.target === 'local' || secrets.length === 0) return { config: rendered, files: [] };
      if (!parts.renderSecret || !parts.backend) {
        throw new ConfigError(`${app} has secrets, and Slipway has no way to commit them for the cluster`, {
          hint: 'Choose a secrets backend in slipway.yaml (secrets.backend: sops, sealed-secrets or external-secrets), or remove the secrets with `slipway secret unset`.',
        });
      }
      const picked = Object.fromEntries(secrets.map((name) => [name, values[name]!]));
      return { config: rendered, files: await parts.renderSecret({ app, namespace, env, values: picked, labels: appLabels(app) }, parts.backend) };
    },
    /** For the local runtimes: the settings and secret values as the app's environment. */
    environmentFor: async (app: string, env: string): Promise<Record<string, string>> => {
      const { config, values } = await read(app, env);
      if (!config) return {};
      const secrets = Object.fromEntries(config.secrets.filter((name) => name in values).map((name) => [name, values[name]!]));
      return { ...config.settings, ...secrets };
    },
  };
}
