import type { ResolvedConfig } from '../config/index.ts';
import { environmentsFrom } from '../config/environments.ts';
import { ConfigError } from '../domain/errors.ts';
import type { AppStore, GitRepo } from '../ports/index.ts';
import type { ImageRegistry, RegistryCatalog } from '../ports/image-registry.ts';
import { pinnedImages } from './pinned-images.ts';
import { collectRegistryGarbage, type GcReport } from './registry-gc.ts';

/** What `slipway gc` and `POST /v1/gc` take. */
export interface GcOptions {
  /** Versions kept per app and environment besides the pinned ones (default 5). */
  keep?: number;
  dryRun?: boolean;
  signal?: AbortSignal;
}

/**
 * Cleans Slipway's registry (see collectRegistryGarbage): what every environment pins is read from
 * the GitOps repo's head, the apps that exist from it and from the app store.
 * @throws ConfigError when images go to the OCI layout store instead of a registry.
 */
export async function slipwayGc(
  config: ResolvedConfig,
  parts: { registry: () => ImageRegistry & RegistryCatalog; gitops: GitRepo; apps: AppStore },
  options: GcOptions = {},
): Promise<GcReport> {
  const host = config.registry.host;
  if (!host) {
    throw new ConfigError('slipway gc cleans a registry, and none is configured: images go to the OCI layout store under $SLIPWAY_HOME/images', {
      hint: 'Set registry.host in slipway.yaml to the registry Slipway pushes to (gc then cleans it); the layout store drops an app\'s images when the app is deleted.',
    });
  }
  const environments = environmentsFrom(config);
  const envs = environments.names.map((name) => environments.get(name));
  const pinned = await pinnedImages(parts.gitops, envs);
  const known = new Set((await parts.apps.list()).map((app) => app.name));
  return collectRegistryGarbage({
    registry: parts.registry(), host, prefix: config.registry.repository, pinned, known,
    envOfSuffix: new Map(envs.map((env) => [env.tagSuffix, env.name])),
  }, { keep: options.keep ?? 5, dryRun: options.dryRun ?? false, ...(options.signal ? { signal: options.signal } : {}) });
}
