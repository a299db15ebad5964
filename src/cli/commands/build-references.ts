import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseOciLayoutRef } from '../../adapters/oci/oci-layout-store.ts';
import { parsePlatform } from '../../adapters/image-builder/platform.ts';
import { isDigest, parseImageRef, validateDigest, validateTag } from '../../adapters/registry/image-ref.ts';
import { InputError } from '../../domain/errors.ts';
import type { BuildRequest, Platform } from '../../ports/index.ts';

/**
 * `oci:<dir>[:<tag>]` or `oci:<dir>@sha256:…`, checked strictly: a directory must be named, the tag
 * must be a valid tag, and the directory, when it exists, must be one. `digestAllowed` is false for
 * a build's target, which gets a tag.
 * @example parseOciLayout('oci:./images:v1', '--image', false) // { dir: './images', reference: 'v1' }
 */
export function parseOciLayout(text: string, flag: string, digestAllowed: boolean): { dir: string; reference: string } {
  const layout = parseOciLayoutRef(text)!;
  const example = `e.g. ${flag} oci:./images:v1`;
  // parseOciLayoutRef reads `oci::v1` as a directory named `:v1`: an empty name before the tag is a mistake.
  if (layout.dir === '' || /^[:@]/.test(text.slice('oci:'.length))) throw new InputError(`${flag} ${text} names no directory before the tag`, { hint: example });
  if (/[\u0000-\u001f\u007f]/.test(layout.dir)) throw new InputError(`${flag}: the directory of ${JSON.stringify(text)} contains control characters`, { hint: example });
  if (isDigest(layout.reference)) {
    if (!digestAllowed) throw new InputError(`${flag} must name a tag, not a digest`, { hint: example });
    validateDigest(layout.reference, text);
  } else validateTag(layout.reference, text);
  const stat = statSync(resolve(layout.dir), { throwIfNoEntry: false });
  if (stat && !stat.isDirectory()) throw new InputError(`${flag} ${text}: ${resolve(layout.dir)} is a file, not an OCI layout directory`, { hint: example });
  return layout;
}

/** Where the build goes: an OCI layout directory or a registry repository with a tag. */
export function parseBuildTarget(image: string): BuildRequest['target'] {
  if (image.startsWith('oci:')) {
    const layout = parseOciLayout(image, '--image', false);
    return { kind: 'oci-layout', dir: resolve(layout.dir), tag: layout.reference };
  }
  const ref = parseImageRef(image);
  if (ref.digest) throw new InputError('--image must name a tag, not a digest', { hint: 'e.g. --image registry.lan/apps/pomodoro:v2' });
  return { kind: 'registry', ref };
}

/** Checks a base image given as `host`, `oci:<dir>:<tag>` or a registry reference; a refusal names `flag`. */
export function checkBase(base: string, flag: string): void {
  if (base === 'host') return;
  try {
    if (base.startsWith('oci:')) parseOciLayout(base, flag, true);
    else parseImageRef(base);
  } catch (error) {
    if (!(error instanceof InputError) || error.message.startsWith(flag)) throw error;
    throw new InputError(`${flag}: ${error.message}`, error.hint ? { hint: error.hint } : {});
  }
}

/** `--platform linux/amd64,linux/arm64`, each of the form os/arch[/variant], at least one. */
export function parsePlatforms(list: string): Platform[] {
  const platforms = list.split(',').map((p) => p.trim()).filter(Boolean);
  if (platforms.length === 0) throw new InputError(`--platform ${JSON.stringify(list)} names no platform`, { hint: 'e.g. --platform linux/amd64,linux/arm64' });
  for (const platform of platforms) parsePlatform(platform);
  return platforms as Platform[];
}
