import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SlipwayBuilder } from '../adapters/image-builder/slipway-builder.ts';
import { DockerConfigCredentials, defaultDockerConfigPaths } from '../adapters/registry/docker-config.ts';
import { OciRegistry } from '../adapters/registry/oci-registry.ts';
import type { ResolvedConfig } from '../config/schema.ts';
import type { Environment } from './compose.ts';

/**
 * Wires what `slipway build` needs, and nothing else: a registry client and the builder, with the
 * registry settings of slipway.yaml when there is one. No state file, no repos, no generator; the
 * adapters are imported directly (not through their package indexes) so the command stays light.
 * `cache` is Slipway's cache folder; `insecureRegistries` are spoken to over plain HTTP (the
 * configured registry too when slipway.yaml says it is insecure).
 */
export function composeBuild(config: ResolvedConfig | undefined, env: Environment, options: { cache: string; insecureRegistries: string[] }) {
  const insecure = new Set(options.insecureRegistries);
  if (config?.registry.insecure && config.registry.host) insecure.add(config.registry.host);
  const registry = new OciRegistry({
    credentials: new DockerConfigCredentials({ paths: [...(config?.registry.dockerConfig ? [config.registry.dockerConfig] : []), ...defaultDockerConfigPaths(env.vars, env.homedir)], env: env.vars }),
    insecureRegistries: [...insecure],
    ...(config?.registry.ca ? { ca: readFileSync(config.registry.ca) } : {}),
  });
  return {
    builder: new SlipwayBuilder({ registry, cacheDir: join(options.cache, 'layers') }),
    /** The `host` base image (made from this machine's Node once, then kept in the cache): its reference. */
    hostBase: async (): Promise<string> => {
      const { ensureHostBaseImage } = await import('../adapters/image-builder/host-base-image.ts');
      return (await ensureHostBaseImage({ cacheDir: join(options.cache, 'base'), nodeBinary: env.nodeBinary })).ref;
    },
    /** Closes the registry's connections, so that a failed build can end the process. */
    close: () => registry.close(),
  };
}
