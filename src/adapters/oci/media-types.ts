import { createHash } from 'node:crypto';

/** OCI and Docker media types Slipway reads; it writes the OCI ones. */
export const MediaType = {
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  ociLayerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
  dockerLayerGzip: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
} as const;

export function isIndexMediaType(mediaType: string): boolean {
  return mediaType === MediaType.ociIndex || mediaType === MediaType.dockerList;
}

export function isManifestMediaType(mediaType: string): boolean {
  return mediaType === MediaType.ociManifest || mediaType === MediaType.dockerManifest;
}

/**
 * The layer media type to use in an OCI manifest for a base layer. A Docker gzip layer holds the
 * very same bytes as an OCI gzip layer (the image spec lists them as compatible), so it is renamed
 * to keep the manifest all-OCI; anything else (zstd, foreign layers) is kept as it is.
 */
export function ociLayerMediaType(mediaType: string): string {
  return mediaType === MediaType.dockerLayerGzip ? MediaType.ociLayerGzip : mediaType;
}

/**
 * JSON with object keys in byte order at every level and no whitespace: the same value always
 * gives the same bytes, and so the same digest.
 * @example canonicalJson({ b: 1, a: [2] }).toString() // '{"a":[2],"b":1}'
 */
export function canonicalJson(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(sortKeys(value)), 'utf8');
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)))) {
      const item = (value as Record<string, unknown>)[key];
      if (item !== undefined) out[key] = sortKeys(item);
    }
    return out;
  }
  return value;
}

/** `sha256:<hex>` of some bytes. */
export function sha256Digest(bytes: Buffer): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

/** Checks the `sha256:<64 hex>` form before a digest is used in a path or a URL. */
export function isSha256Digest(digest: string): boolean {
  return /^sha256:[a-f0-9]{64}$/.test(digest);
}
