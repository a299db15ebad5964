/**
 * Image builders: {@link SlipwayBuilder} (daemonless: base image + one reproducible app layer, to a
 * registry or an OCI layout) and {@link BuildahBuilder} (apps with a Dockerfile).
 */
export { SlipwayBuilder, type BuildProgressEvent, type SlipwayBuilderOptions } from './slipway-builder.ts';
export { BuildahBuilder, type BuildahBuilderOptions } from './buildah-builder.ts';
export { findInPath } from '../os/index.ts';
export { OciLayoutStore, parseOciLayoutRef, REF_NAME_ANNOTATION } from '../oci/index.ts';
export { LayerCache, type CachedLayer } from './layer-cache.ts';
export { collectContextEntries, writeLayerFile, DEFAULT_SOURCE_DATE_EPOCH, type LayerInfo } from './tar-layer.ts';
export { tarStream, type TarEntry } from './tar-writer.ts';
export { GZIP_OS_BYTE, GZIP_LEVEL } from './gzip-pinned.ts';
export { MediaType, canonicalJson, sha256Digest } from '../oci/index.ts';
export { DEFAULT_USER, resolveUser, mergeEnv } from './oci-image.ts';
export { parsePlatform, formatPlatform, normalisePlatforms, type OciPlatform } from './platform.ts';
export { ensureHostBaseImage, HOST_BASE_FORMAT, type HostBaseImage, type HostBaseImageOptions } from './host-base-image.ts';
