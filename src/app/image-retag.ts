import { join } from 'node:path';
import { appImageTag } from '../adapters/image-builder/app-image-store.ts';
import { OciLayoutStore } from '../adapters/oci/index.ts';
import type { ResolvedConfig } from '../config/index.ts';
import { ConflictError } from '../domain/index.ts';
import type { ImageRegistry } from '../ports/index.ts';

/**
 * Adds a tag to an app's image where Slipway keeps images: on the registry, the manifest is read
 * by digest and stored again under the new tag (the blobs are not touched); in the OCI layout store,
 * the index gets the new tag for the same descriptor.
 * @example await imageRetagger(config, () => registry)('notes', { digest, fromTag: 'v1.2.0-a3f5c2b-dev' }, 'v1.2.0-a3f5c2b-prod');
 */
export function imageRetagger(config: ResolvedConfig, registry: () => ImageRegistry) {
  return async (app: string, image: { digest: string; fromTag: string }, toTag: string, signal?: AbortSignal): Promise<void> => {
    const host = config.registry.host;
    if (host) {
      const repository = `${config.registry.repository}/${app}`;
      const manifest = await registry().getManifest(host, repository, image.digest, signal);
      await registry().putManifest(host, repository, toTag, { mediaType: manifest.mediaType, bytes: manifest.bytes, digest: manifest.digest }, signal);
      return;
    }
    const store = new OciLayoutStore(join(config.home, 'images'));
    const descriptor = await store.resolve(appImageTag(app, image.fromTag));
    if (descriptor.digest !== image.digest) {
      throw new ConflictError(`the image store's ${appImageTag(app, image.fromTag)} is ${descriptor.digest}, not the ${image.digest} the manifests pin`, { hint: 'Ship the app to the source environment again, then promote.' });
    }
    await store.tag(appImageTag(app, toTag), descriptor);
  };
}
