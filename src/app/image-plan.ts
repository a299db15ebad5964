import { join } from 'node:path';
import type { ResolvedConfig } from '../config/index.ts';
import type { Platform } from '../ports/index.ts';
import { appImageTag, forgetAppImages } from '../adapters/image-builder/app-image-store.ts';
import type { ImagePlan } from '../steps/image-build/index.ts';

/** The official Node image: the cluster default base (it has a `node` user with uid 1000). */
export const CLUSTER_DEFAULT_BASE = 'docker.io/library/node:24-slim';

export function hostPlatform(): Platform {
  const arch = process.arch === 'x64' ? 'amd64' : process.arch === 'arm64' ? 'arm64' : process.arch;
  return `linux/${arch}`;
}

/** What the configuration says about images: base, platforms, target and names. */
export function imagePlan(config: ResolvedConfig, resolveHostBase: (signal?: AbortSignal) => Promise<string>): ImagePlan {
  const { host, repository } = config.registry;
  const nameRepo = config.image.repository ?? (host ? `${host}/${repository}` : '${REGISTRY_URL}/dynamic-apps');
  const base = config.image.base ?? (host ? CLUSTER_DEFAULT_BASE : 'host');
  const platforms = (config.image.platforms as Platform[] | undefined) ?? (config.target === 'cluster' && base !== 'host' ? ['linux/arm64'] : [hostPlatform()]);
  // Without a registry, one OCI layout holds every app's images and shares their blobs.
  const store = join(config.home, 'images');
  return {
    base: (signal) => (base === 'host' ? resolveHostBase(signal) : Promise.resolve(base)),
    platforms,
    target: (app, tag) => (host
      ? { kind: 'registry', ref: { registry: host, repository: `${repository}/${app}`, tag } }
      : { kind: 'oci-layout', dir: store, tag: appImageTag(app, tag) }),
    manifestImage: (app, tag, digest) => `${nameRepo}/${app}:${tag}@${digest}`,
    runImage: (app, tag, digest) => (host ? `${host}/${repository}/${app}@${digest}` : `oci:${store}:${appImageTag(app, tag)}`),
    ...(host ? {} : { forget: (app: string) => forgetAppImages(store, app) }),
  };
}
