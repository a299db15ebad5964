import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import type { ImageRegistry } from '../../src/ports/image-registry.ts';

const sha256 = (bytes: Buffer) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

/**
 * Pushes a one-layer OCI image whose bytes depend on `seed` (so each seed is its own digest) and
 * tags it; returns its manifest digest. Enough for tests that count, tag or delete images: it is
 * a valid image to skopeo, but has nothing to run.
 * @example const digest = await pushTinyImage(registry, host, 'dynamic-apps/notes', 'v1.0.0-abcdef1-prod', 'notes 1');
 */
export async function pushTinyImage(registry: ImageRegistry, host: string, repository: string, tag: string, seed: string): Promise<string> {
  const layer = Buffer.from(`${seed}\n`);
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', config: { Labels: { seed } }, rootfs: { type: 'layers', diff_ids: [sha256(layer)] } }));
  for (const bytes of [layer, config]) {
    await registry.pushBlob(host, repository, { digest: sha256(bytes), size: bytes.length, open: () => Readable.from([bytes]) });
  }
  const manifest = Buffer.from(JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha256(config), size: config.length },
    layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: sha256(layer), size: layer.length }],
  }));
  return registry.putManifest(host, repository, tag, { mediaType: 'application/vnd.oci.image.manifest.v1+json', bytes: manifest });
}
