import { InputError } from '../../domain/errors.ts';
import type { BuildRequest, Descriptor } from '../../ports/index.ts';
import { MediaType, ociLayerMediaType } from '../oci/index.ts';
import { withDefaultVariant, type OciPlatform } from './platform.ts';

/** The part of an image config Slipway reads and writes (the rest of a base's config is dropped). */
export interface ContainerConfig {
  User?: string;
  ExposedPorts?: Record<string, object>;
  Env?: string[];
  Entrypoint?: string[] | null;
  Cmd?: string[] | null;
  WorkingDir?: string;
  Labels?: Record<string, string> | null;
  Volumes?: Record<string, object> | null;
  StopSignal?: string;
}

export interface HistoryEntry {
  created?: string;
  created_by?: string;
  comment?: string;
  empty_layer?: boolean;
  author?: string;
}

export interface ImageConfigFile {
  architecture: string;
  os: string;
  variant?: string;
  'os.version'?: string;
  'os.features'?: string[];
  created?: string;
  author?: string;
  config?: ContainerConfig;
  rootfs: { type: 'layers'; diff_ids: string[] };
  history?: HistoryEntry[];
}

export interface ManifestDocument {
  schemaVersion: 2;
  mediaType?: string;
  config: Descriptor;
  layers: Descriptor[];
  annotations?: Record<string, string>;
}

export interface IndexDocument {
  schemaVersion: 2;
  mediaType?: string;
  manifests: Descriptor[];
  annotations?: Record<string, string>;
}

/** What the request says about the app image, resolved (defaults applied, instant formatted). */
export interface AppImageSettings extends Pick<BuildRequest, 'workdir' | 'entrypoint' | 'cmd' | 'env' | 'exposedPorts' | 'user' | 'labels'> {
  /** RFC 3339 instant for `created`, history and the created label. */
  created: string;
  baseName?: string;
  baseDigest?: string;
}

/** Apps run as this user unless the request names another (non-root) one. */
export const DEFAULT_USER = '1000:1000';

export const OCI_ANNOTATION = {
  created: 'org.opencontainers.image.created',
  source: 'org.opencontainers.image.source',
  revision: 'org.opencontainers.image.revision',
  baseName: 'org.opencontainers.image.base.name',
  baseDigest: 'org.opencontainers.image.base.digest',
} as const;

/**
 * Formats seconds since the epoch as RFC 3339 without fractions.
 * @example isoInstant(0) // '1970-01-01T00:00:00Z'
 */
export function isoInstant(epochSeconds: number): string {
  if (!Number.isInteger(epochSeconds) || epochSeconds < 0) throw new InputError(`sourceDateEpoch ${epochSeconds} is not a whole number of seconds since 1970`);
  return new Date(epochSeconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * The user apps run as: the given one, or {@link DEFAULT_USER}; root (by name or uid 0) is refused,
 * because cluster policies (runAsNonRoot) would refuse to start it anyway.
 * @example resolveUser(undefined) // '1000:1000'
 */
export function resolveUser(user: string | undefined): string {
  const value = (user ?? DEFAULT_USER).trim();
  const name = value.split(':')[0] ?? '';
  if (value === '' || name === '' || name === 'root' || /^0+$/.test(name)) {
    throw new InputError(`refused to run the app as ${JSON.stringify(user)}: images built by Slipway run as a non-root user`, { hint: `Leave user unset (it defaults to ${DEFAULT_USER}) or name a non-zero uid.` });
  }
  return value;
}

/**
 * Merges environment variables: the base's in their order (values replaced where the request sets
 * them), then the request's new keys sorted by name.
 * @example mergeEnv(['PATH=/bin', 'A=1'], { A: '2', Z: '3', B: '4' }) // ['PATH=/bin', 'A=2', 'B=4', 'Z=3']
 */
export function mergeEnv(base: readonly string[], add: Record<string, string> = {}): string[] {
  const seen = new Set<string>();
  const merged = base.map((line) => {
    const key = line.includes('=') ? line.slice(0, line.indexOf('=')) : line;
    seen.add(key);
    return Object.hasOwn(add, key) ? `${key}=${add[key]}` : line;
  });
  for (const key of Object.keys(add).sort()) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) throw new InputError(`environment variable name ${JSON.stringify(key)} is not valid`);
    if (!seen.has(key)) merged.push(`${key}=${add[key]}`);
  }
  return merged;
}

/**
 * The app image's config: the base's, with our layer appended to `rootfs` and `history` and the
 * run settings (entrypoint, env, user, workdir, ports, labels) applied.
 */
export function appImageConfig(base: ImageConfigFile, diffId: string, settings: AppImageSettings): ImageConfigFile {
  const baseConfig = base.config ?? {};
  const ports: Record<string, object> = { ...(baseConfig.ExposedPorts ?? {}) };
  for (const port of settings.exposedPorts ?? []) {
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw new InputError(`exposed port ${port} is not between 1 and 65535`);
    ports[`${port}/tcp`] = {};
  }
  const config: ContainerConfig = {
    // Only the fields the OCI config defines; Docker-only ones (Hostname, Image, …) describe the base's build.
    ...(baseConfig.Volumes ? { Volumes: baseConfig.Volumes } : {}),
    ...(baseConfig.StopSignal ? { StopSignal: baseConfig.StopSignal } : {}),
    User: resolveUser(settings.user),
    Env: mergeEnv(baseConfig.Env ?? [], settings.env),
    Entrypoint: settings.entrypoint.length > 0 ? settings.entrypoint : (baseConfig.Entrypoint ?? null),
    // As with a Dockerfile ENTRYPOINT, a new entrypoint drops the base's CMD unless one is given.
    Cmd: settings.cmd ?? (settings.entrypoint.length > 0 ? null : (baseConfig.Cmd ?? null)),
    WorkingDir: settings.workdir,
    Labels: { ...(baseConfig.Labels ?? {}), ...(settings.labels ?? {}), ...provenance(settings) },
  };
  if (Object.keys(ports).length > 0) config.ExposedPorts = ports;
  if (config.Cmd === null) delete config.Cmd;
  if (config.Entrypoint === null) delete config.Entrypoint;
  const platform = withDefaultVariant({ os: base.os, architecture: base.architecture, ...(base.variant ? { variant: base.variant } : {}) });
  const baseHistory = base.history ?? base.rootfs.diff_ids.map(() => ({ comment: 'base image layer' }));
  return {
    architecture: platform.architecture,
    os: platform.os,
    ...(platform.variant ? { variant: platform.variant } : {}),
    ...(base['os.version'] ? { 'os.version': base['os.version'] } : {}),
    ...(base['os.features'] ? { 'os.features': base['os.features'] } : {}),
    created: settings.created,
    config,
    rootfs: { type: 'layers', diff_ids: [...base.rootfs.diff_ids, diffId] },
    history: [...baseHistory, { created: settings.created, created_by: 'slipway build' }],
  };
}

/** The `org.opencontainers.image.*` entries Slipway adds: when, and what the image was built on. */
function provenance(settings: AppImageSettings): Record<string, string> {
  return {
    [OCI_ANNOTATION.created]: settings.created,
    ...(settings.baseName ? { [OCI_ANNOTATION.baseName]: settings.baseName } : {}),
    ...(settings.baseDigest ? { [OCI_ANNOTATION.baseDigest]: settings.baseDigest } : {}),
  };
}

/** The standard annotations among labels, for manifests and indexes. */
export function imageAnnotations(settings: AppImageSettings): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries({ ...(settings.labels ?? {}), ...provenance(settings) })) {
    if (key.startsWith('org.opencontainers.image.')) out[key] = value;
  }
  return out;
}

/** An OCI manifest: the base's layers (Docker gzip types renamed to OCI), then the app layer. */
export function appImageManifest(baseLayers: readonly Descriptor[], config: Descriptor, layer: Descriptor, annotations: Record<string, string>): ManifestDocument {
  return {
    schemaVersion: 2,
    mediaType: MediaType.ociManifest,
    config: { mediaType: MediaType.ociConfig, digest: config.digest, size: config.size },
    layers: [...baseLayers.map((d) => ({ ...d, mediaType: ociLayerMediaType(d.mediaType) })), layer],
    ...(Object.keys(annotations).length > 0 ? { annotations } : {}),
  };
}

/** An OCI index over per-platform manifests, in the given (normalised) platform order. */
export function imageIndex(manifests: ReadonlyArray<{ digest: string; size: number; platform: OciPlatform }>, annotations: Record<string, string>): IndexDocument {
  return {
    schemaVersion: 2,
    mediaType: MediaType.ociIndex,
    manifests: manifests.map((m) => ({ mediaType: MediaType.ociManifest, digest: m.digest, size: m.size, platform: withDefaultVariant(m.platform) })),
    ...(Object.keys(annotations).length > 0 ? { annotations } : {}),
  };
}
