import { InputError } from '../../domain/errors.ts';
import type { ImageRef } from '../../ports/image-registry.ts';

/** Where Docker Hub's registry API lives; `docker.io` and `index.docker.io` are names for it. */
export const DOCKER_HUB_REGISTRY = 'registry-1.docker.io';
const DOCKER_HUB_ALIASES = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io', 'registry.hub.docker.com']);

// The grammar of github.com/distribution/reference, in pieces a message can name.
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const HOST = /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*|\[[0-9a-fA-F:.]+\])(?::[0-9]{1,5})?$/;
const DIGESTS: Record<string, RegExp> = { sha256: /^[a-f0-9]{64}$/, sha512: /^[a-f0-9]{128}$/ };
const MAX_NAME = 255;

/** Maps Docker Hub's other names to the host its API answers on; other hosts are kept as given. */
export function normalizeRegistryHost(host: string): string {
  const lower = host.toLowerCase();
  return DOCKER_HUB_ALIASES.has(lower) ? DOCKER_HUB_REGISTRY : host;
}

/**
 * Parses `host[:port]/repo[:tag][@sha256:…]`. Without a host the reference means Docker Hub, and a
 * one-part name gets `library/` (as `docker pull` does); without tag or digest the tag is `latest`.
 *
 * @example
 * parseImageRef('node:24')
 * // { registry: 'registry-1.docker.io', repository: 'library/node', tag: '24' }
 * parseImageRef('127.0.0.1:5000/dynamic-apps/pomodoro@sha256:…')
 */
export function parseImageRef(text: string): ImageRef {
  let rest = text.trim();
  if (rest === '') throw new InputError('The image reference is empty.', { hint: 'Write it like registry.example.com/team/app:1.0.' });
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(rest)) {
    if (!rest.startsWith('docker://')) {
      throw new InputError(`The image reference "${text}" starts with a URL scheme.`, { hint: 'Leave out http:// or https://: write host/repository:tag.' });
    }
    rest = rest.slice('docker://'.length);
  }
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    validateDigest(digest, text);
  }
  let registry = DOCKER_HUB_REGISTRY;
  const slash = rest.indexOf('/');
  const first = slash >= 0 ? rest.slice(0, slash) : '';
  // As Docker decides it: the first part is a host when it has a dot or a port, or is localhost.
  if (slash >= 0 && (/[.:]/.test(first) || first === 'localhost' || first !== first.toLowerCase())) {
    if (!HOST.test(first)) throw new InputError(`The registry host "${first}" in "${text}" is not a valid host[:port].`);
    registry = normalizeRegistryHost(first);
    rest = rest.slice(slash + 1);
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon >= 0) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    validateTag(tag, text);
  }
  const repository = registry === DOCKER_HUB_REGISTRY && !rest.includes('/') ? `library/${rest}` : rest;
  validateRepository(repository, text);
  return { registry, repository, ...(tag !== undefined ? { tag } : {}), ...(digest !== undefined ? { digest } : {}), ...(tag === undefined && digest === undefined ? { tag: 'latest' } : {}) };
}

/**
 * Writes an image reference back as text (`host/repo:tag@digest`), keeping the full Docker Hub host
 * so the text means the same thing everywhere.
 *
 * @example
 * formatImageRef({ registry: '127.0.0.1:5000', repository: 'apps/web', tag: '1.0' }) // '127.0.0.1:5000/apps/web:1.0'
 */
export function formatImageRef(ref: ImageRef): string {
  return `${ref.registry}/${ref.repository}${ref.tag ? `:${ref.tag}` : ''}${ref.digest ? `@${ref.digest}` : ''}`;
}

/**
 * Throws an InputError naming what is wrong unless `repository` is a valid repository path
 * (lowercase components separated by `/`).
 *
 * @example
 * validateRepository('dynamic-apps/pomodoro') // ok
 */
export function validateRepository(repository: string, context = repository): void {
  if (repository === '') throw new InputError(`The image reference "${context}" has no repository name.`);
  if (repository.length > MAX_NAME) throw new InputError(`The repository name in "${context}" is longer than ${MAX_NAME} characters.`);
  for (const component of repository.split('/')) {
    if (component === '') throw new InputError(`The repository "${repository}" in "${context}" has an empty path component (//, or a leading or trailing /).`);
    if (component !== component.toLowerCase()) {
      throw new InputError(`The repository "${repository}" in "${context}" has uppercase letters.`, { hint: 'Repository names are lowercase.' });
    }
    if (!PATH_COMPONENT.test(component)) {
      throw new InputError(`The repository path component "${component}" in "${context}" is not valid.`, {
        hint: 'Use lowercase letters and digits, separated by single ., _, __ or dashes.',
      });
    }
  }
}

/**
 * Throws an InputError naming the tag unless it is up to 128 letters, digits, `_`, `.` or `-`, not
 * starting with `.` or `-`.
 * @example validateTag('v2') // ok
 */
export function validateTag(tag: string, context = tag): void {
  if (!TAG.test(tag)) {
    throw new InputError(`The tag "${tag}" in "${context}" is not valid.`, { hint: 'A tag has up to 128 letters, digits, _, . or -, and does not start with . or -.' });
  }
}

/**
 * Throws an InputError unless `digest` is `sha256:` + 64 hex digits (or `sha512:` + 128).
 *
 * @example
 * validateDigest('sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855')
 */
export function validateDigest(digest: string, context = digest): void {
  const colon = digest.indexOf(':');
  const pattern = DIGESTS[digest.slice(0, colon)];
  if (colon < 0 || !pattern || !pattern.test(digest.slice(colon + 1))) {
    throw new InputError(`The digest "${digest}" in "${context}" is not valid.`, { hint: 'A digest is sha256: followed by 64 lowercase hex digits.' });
  }
}

/** True when a manifest reference (the part after `:` or `@`) is a digest rather than a tag. */
export function isDigest(reference: string): boolean {
  return /^sha(256|512):/.test(reference);
}
