import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { CancelledError } from '../../domain/errors.ts';
import type { BuildRequest, Descriptor, PushBlobResult } from '../../ports/index.ts';
import { deferredStream, type ResolvedBase } from './base-image-source.ts';
import type { ImageTarget, LocalBlobSource } from './image-target.ts';
import type { CachedLayer } from './layer-cache.ts';
import { canonicalJson, MediaType, sha256Digest } from '../oci/index.ts';
import { appImageConfig, appImageManifest, imageAnnotations, imageIndex, type AppImageSettings, type ManifestDocument } from './oci-image.ts';
import { formatPlatform, type OciPlatform } from './platform.ts';
import type { BuildProgressEvent } from './build-events.ts';

/** One platform's image, ready to push: config and manifest as canonical bytes. */
export interface PlannedImage {
  platform: OciPlatform;
  config: Buffer;
  configDigest: string;
  manifest: ManifestDocument;
  manifestBytes: Buffer;
  manifestDigest: string;
}

export interface ImagePlan {
  images: PlannedImage[];
  /** Set when more than one platform was asked. */
  index?: { bytes: Buffer; digest: string };
}

/**
 * Writes (in memory) the config, manifest and, for several platforms, the index of the app image.
 * Pure: the same base, layer and request give the same bytes.
 */
export function planImages(base: ResolvedBase, layer: CachedLayer, request: BuildRequest, created: string): ImagePlan {
  const layerDescriptor: Descriptor = { mediaType: MediaType.ociLayerGzip, digest: layer.digest, size: layer.size };
  const images = base.platforms.map((part): PlannedImage => {
    const settings: AppImageSettings = {
      workdir: request.workdir,
      entrypoint: request.entrypoint,
      created,
      baseName: base.source.name,
      baseDigest: part.manifestDigest,
      ...(request.cmd ? { cmd: request.cmd } : {}),
      ...(request.env ? { env: request.env } : {}),
      ...(request.exposedPorts ? { exposedPorts: request.exposedPorts } : {}),
      ...(request.user ? { user: request.user } : {}),
      ...(request.labels ? { labels: request.labels } : {}),
    };
    const config = canonicalJson(appImageConfig(part.config, layer.diffId, settings));
    const configDigest = sha256Digest(config);
    const manifest = appImageManifest(part.manifest.layers, { mediaType: MediaType.ociConfig, digest: configDigest, size: config.length }, layerDescriptor, imageAnnotations(settings));
    const manifestBytes = canonicalJson(manifest);
    return { platform: part.platform, config, configDigest, manifest, manifestBytes, manifestDigest: sha256Digest(manifestBytes) };
  });
  if (images.length < 2) return { images };
  const annotations = imageAnnotations({ workdir: request.workdir, entrypoint: request.entrypoint, created, baseName: base.source.name, baseDigest: base.digest, ...(request.labels ? { labels: request.labels } : {}) });
  const bytes = canonicalJson(imageIndex(images.map((i) => ({ digest: i.manifestDigest, size: i.manifestBytes.length, platform: i.platform })), annotations));
  return { images, index: { bytes, digest: sha256Digest(bytes) } };
}

export interface PushOutcome {
  digest: string;
  bytesUploaded: number;
  blobsSkipped: number;
}

export interface PushOptions {
  emit(event: BuildProgressEvent): void;
  /** Awaited once, after the first image's blobs and before any manifest is written; may throw to stop the push. */
  beforeManifest?(): Promise<void>;
  signal?: AbortSignal;
}

/**
 * Pushes what the target lacks: base layers (mounted when the base lives in the same registry,
 * otherwise streamed from the base), the app layer, configs, manifests by digest, and finally the
 * tag on the manifest (one platform) or on the index (several). Each blob is pushed once per build,
 * and none for a manifest the target already holds.
 */
export async function pushImages(plan: ImagePlan, base: ResolvedBase, layer: CachedLayer, target: ImageTarget, options: PushOptions): Promise<PushOutcome> {
  const { signal } = options;
  let gate: Promise<void> | undefined;
  const outcome = { bytesUploaded: 0, blobsSkipped: 0 };
  const pushes = new Map<string, Promise<PushBlobResult>>();
  const sameRegistry = base.source.location && target.location && base.source.location.registry === target.location.registry;
  const mountFrom = sameRegistry && base.source.location ? base.source.location.repository : undefined;

  const push = (blob: LocalBlobSource, mount?: string): Promise<PushBlobResult> => {
    const known = pushes.get(blob.digest);
    if (known) return known;
    const started = (async () => {
      if (signal?.aborted) throw new CancelledError('image build cancelled');
      const result = await target.pushBlob(blob, { ...(mount ? { mountFrom: mount } : {}), ...(signal ? { signal } : {}) });
      if (result.uploaded) outcome.bytesUploaded += result.bytes;
      else outcome.blobsSkipped += 1;
      options.emit({ type: 'blob', digest: blob.digest, size: blob.size, ...result });
      return result;
    })();
    pushes.set(blob.digest, started);
    return started;
  };

  const single = plan.images.length === 1;
  for (const [i, image] of plan.images.entries()) {
    const basePart = base.platforms[i];
    const baseLayers = basePart?.manifest.layers ?? [];
    // A layer from the cache may give a manifest pushed before. A target that holds the manifest
    // holds its blobs (they went up first, and a registry keeps what its manifests reference), so
    // one manifest check replaces a check per blob and only the tag is left to write.
    const stored = layer.hit && target.hasManifest ? await target.hasManifest(image.manifestDigest, signal) : false;
    if (stored) {
      for (const digest of [...baseLayers.map((d) => d.digest), layer.digest, image.configDigest]) {
        if (pushes.has(digest)) continue;
        pushes.set(digest, Promise.resolve({ uploaded: false, mounted: false, bytes: 0 }));
        outcome.blobsSkipped += 1;
      }
    } else {
      const blobs: Promise<PushBlobResult>[] = baseLayers.map((d) =>
        push({ digest: d.digest, size: d.size, open: () => deferredStream(() => base.source.openBlob(d.digest, signal)) }, mountFrom),
      );
      blobs.push(push({ digest: layer.digest, size: layer.size, file: layer.path, open: () => createReadStream(layer.path) }));
      const config = image.config;
      blobs.push(push({ digest: image.configDigest, size: config.length, open: () => Readable.from([config]) }));
      await Promise.all(blobs);
    }
    await (gate ??= options.beforeManifest?.());
    if (stored && !single) continue;
    const digest = await target.putManifest(single ? target.tag : image.manifestDigest, MediaType.ociManifest, image.manifestBytes, signal);
    options.emit({ type: 'manifest', digest, platform: formatPlatform(image.platform), ...(single ? { tag: target.tag } : {}) });
  }
  if (!plan.index) return { digest: plan.images[0]?.manifestDigest ?? '', ...outcome };
  const digest = await target.putManifest(target.tag, MediaType.ociIndex, plan.index.bytes, signal);
  options.emit({ type: 'manifest', digest, tag: target.tag });
  return { digest: plan.index.digest, ...outcome };
}
