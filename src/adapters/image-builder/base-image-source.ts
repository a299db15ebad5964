import { PassThrough, type Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { ExternalServiceError, InputError } from '../../domain/errors.ts';
import type { ManifestResponse } from '../../ports/index.ts';
import { isIndexMediaType, isManifestMediaType, sha256Digest } from '../oci/index.ts';
import type { ImageConfigFile, IndexDocument, ManifestDocument } from './oci-image.ts';
import { OciLayoutStore } from '../oci/index.ts';
import { formatPlatform, platformMatches, withDefaultVariant, type OciPlatform } from './platform.ts';

/** Where a base image's manifests and blobs are read from. */
export interface BaseImageSource {
  /** Human-readable name, used for the `base.name` label. */
  readonly name: string;
  /** Set for registry sources: lets a target on the same registry mount blobs instead of copying. */
  readonly location?: { registry: string; repository: string };
  getManifest(reference: string, signal?: AbortSignal): Promise<ManifestResponse>;
  openBlob(digest: string, signal?: AbortSignal): Promise<Readable>;
  /** The image config blob (small JSON); sources that cache it answer without the network. */
  getConfig?(digest: string, signal?: AbortSignal): Promise<Buffer>;
  /**
   * The base as last resolved, read from a local cache only (sources with a cache): a guess the
   * builder may start pushing with while the real resolution is under way.
   */
  cachedView?(): BaseImageSource;
  /** The digest `reference` names now, without reading the image (sources that can tell cheaply). */
  currentDigest?(reference: string, signal?: AbortSignal): Promise<string | undefined>;
}

/** A base image in an OCI layout directory (`oci:<dir>:<tag>`). */
export class LayoutBaseSource implements BaseImageSource {
  readonly name: string;
  readonly store: OciLayoutStore;

  constructor(dir: string, reference: string) {
    this.store = new OciLayoutStore(dir);
    this.name = `oci:${dir}:${reference}`;
  }

  async getManifest(reference: string): Promise<ManifestResponse> {
    const descriptor = await this.store.resolve(reference);
    const bytes = await this.store.readBlob(descriptor.digest);
    const declared = (JSON.parse(bytes.toString('utf8')) as { mediaType?: string }).mediaType;
    return { mediaType: declared ?? descriptor.mediaType, digest: descriptor.digest, bytes };
  }

  async openBlob(digest: string): Promise<Readable> {
    return this.store.openBlob(digest);
  }
}

/** One platform's part of a resolved base image. */
export interface ResolvedBasePlatform {
  platform: OciPlatform;
  manifestDigest: string;
  manifest: ManifestDocument;
  config: ImageConfigFile;
}

export interface ResolvedBase {
  source: BaseImageSource;
  /** Digest of what the reference named (an index or a manifest). */
  digest: string;
  platforms: ResolvedBasePlatform[];
}

/**
 * Reads the base image for each requested platform: from an index, the matching entries; from a
 * plain manifest, only the platform its config declares. A missing platform is an InputError that
 * lists what the base offers.
 * @example await resolveBase(source, 'node', [parsePlatform('linux/amd64')])
 */
export async function resolveBase(source: BaseImageSource, reference: string, platforms: OciPlatform[], signal?: AbortSignal): Promise<ResolvedBase> {
  const top = await source.getManifest(reference, signal);
  if (isIndexMediaType(top.mediaType)) {
    const index = JSON.parse(top.bytes.toString('utf8')) as IndexDocument;
    const resolved: ResolvedBasePlatform[] = [];
    for (const platform of platforms) {
      const entry = index.manifests.find((m) => m.platform && isManifestMediaType(m.mediaType) && platformMatches(platform, m.platform));
      if (!entry) {
        const offered = index.manifests.filter((m) => m.platform).map((m) => formatPlatform(withDefaultVariant(m.platform as OciPlatform)));
        throw new InputError(`base image ${source.name} has no ${formatPlatform(platform)} variant`, { hint: `It offers ${offered.join(', ') || 'no platform'}; ask for one of those or pick another base.` });
      }
      const manifest = await source.getManifest(entry.digest, signal);
      resolved.push(await readPlatform(source, manifest, platform, signal));
    }
    return { source, digest: top.digest, platforms: resolved };
  }
  if (!isManifestMediaType(top.mediaType)) {
    throw new InputError(`base image ${source.name} is a ${top.mediaType}, not an image manifest or index`);
  }
  const resolved: ResolvedBasePlatform[] = [];
  for (const platform of platforms) resolved.push(await readPlatform(source, top, platform, signal));
  return { source, digest: top.digest, platforms: resolved };
}

async function readPlatform(source: BaseImageSource, response: ManifestResponse, platform: OciPlatform, signal?: AbortSignal): Promise<ResolvedBasePlatform> {
  const manifest = JSON.parse(response.bytes.toString('utf8')) as ManifestDocument;
  if (!manifest.config || !Array.isArray(manifest.layers)) throw new InputError(`base image ${source.name}: manifest ${response.digest} has no config or layers`);
  const configBytes = source.getConfig ? await source.getConfig(manifest.config.digest, signal) : await buffer(await source.openBlob(manifest.config.digest, signal));
  if (sha256Digest(configBytes) !== manifest.config.digest) {
    throw new ExternalServiceError('base image', `config ${manifest.config.digest} of ${source.name} does not match its digest`);
  }
  const config = JSON.parse(configBytes.toString('utf8')) as ImageConfigFile;
  const offered = withDefaultVariant({ os: config.os, architecture: config.architecture, ...(config.variant ? { variant: config.variant } : {}) });
  if (!platformMatches(platform, offered)) {
    throw new InputError(`base image ${source.name} is ${formatPlatform(offered)} only; ${formatPlatform(platform)} was asked`, { hint: 'Use a multi-platform base (an image index) or ask only for the platform the base has.' });
  }
  if (config.rootfs?.diff_ids?.length !== manifest.layers.length) {
    throw new InputError(`base image ${source.name}: config lists ${config.rootfs?.diff_ids?.length ?? 0} layers but the manifest ${manifest.layers.length}`);
  }
  return { platform: offered, manifestDigest: response.digest, manifest, config };
}

/**
 * A stream that is available at once although its source opens asynchronously, for BlobSource's
 * synchronous `open()`.
 */
export function deferredStream(open: () => Promise<Readable>): Readable {
  const out = new PassThrough();
  open().then(
    (stream) => {
      stream.on('error', (error) => out.destroy(error));
      stream.pipe(out);
    },
    (error: unknown) => out.destroy(error instanceof Error ? error : new Error(String(error))),
  );
  return out;
}
