import { InputError } from '../../domain/errors.ts';

/** An OCI platform as manifests and configs spell it. */
export interface OciPlatform {
  os: string;
  architecture: string;
  variant?: string;
}

/**
 * Parses `os/arch[/variant]`; arm64 gets variant `v8` when none is given, as registries and
 * container runtimes write it.
 * @example parsePlatform('linux/arm64') // { os: 'linux', architecture: 'arm64', variant: 'v8' }
 */
export function parsePlatform(text: string): OciPlatform {
  const parts = text.split('/');
  const [os, architecture, variant] = parts;
  if (parts.length < 2 || parts.length > 3 || !os || !architecture || parts.some((p) => !/^[a-z0-9_.-]+$/.test(p))) {
    throw new InputError(`platform ${JSON.stringify(text)} is not of the form os/arch[/variant]`, { hint: "Use e.g. 'linux/amd64' or 'linux/arm64'." });
  }
  return withDefaultVariant({ os, architecture, ...(variant ? { variant } : {}) });
}

/** Adds `v8` to arm64 when no variant is set, so that the two spellings compare equal. */
export function withDefaultVariant(platform: OciPlatform): OciPlatform {
  if (platform.architecture === 'arm64' && !platform.variant) return { ...platform, variant: 'v8' };
  return platform;
}

export function formatPlatform(platform: OciPlatform): string {
  return [platform.os, platform.architecture, platform.variant].filter(Boolean).join('/');
}

/** True when an image built for `offered` runs on `wanted`. */
export function platformMatches(wanted: OciPlatform, offered: OciPlatform): boolean {
  const a = withDefaultVariant(wanted);
  const b = withDefaultVariant(offered);
  return a.os === b.os && a.architecture === b.architecture && (a.variant ?? '') === (b.variant ?? '');
}

/**
 * Parses, de-duplicates and orders requested platforms, so that the same set always yields the same
 * index whatever order it was asked in.
 * @example normalisePlatforms(['linux/arm64', 'linux/amd64']).map(formatPlatform) // ['linux/amd64', 'linux/arm64/v8']
 */
export function normalisePlatforms(platforms: readonly string[]): OciPlatform[] {
  if (platforms.length === 0) throw new InputError('no platform requested', { hint: "Ask for at least one, e.g. 'linux/amd64'." });
  const byName = new Map<string, OciPlatform>();
  for (const text of platforms) {
    const platform = parsePlatform(text);
    byName.set(formatPlatform(platform), platform);
  }
  return [...byName.keys()].sort().map((key) => byName.get(key) as OciPlatform);
}
