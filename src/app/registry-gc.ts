import { RegistryError } from '../adapters/registry/index.ts';
import { compareVersions } from '../domain/index.ts';
import { ConflictError, InputError } from '../domain/errors.ts';
import type { ImageRegistry, RegistryCatalog } from '../ports/image-registry.ts';
import type { PinnedImages } from './pinned-images.ts';

/** One image (manifest) in an app's repository, with every tag naming it and why it stays or goes. */
export interface GcImage {
  repository: string;
  app: string;
  digest: string;
  tags: string[];
  /** Why it stays (`pinned by prod/notes`, `newest 5 of dev`, `not a version tag`); absent when it goes. */
  kept?: string;
}

/** What `slipway gc` did, or with `dryRun` would do. */
export interface GcReport {
  registry: string;
  /** The repositories looked at: `<prefix>/<app>`. */
  prefix: string;
  keep: number;
  dryRun: boolean;
  deleted: GcImage[];
  kept: GcImage[];
  /** Bytes of the layers and configs only the deleted images used: what the registry frees after its own garbage collection. */
  bytes: number;
  /** What to run on the registry so the deleted images' blobs leave the disk. */
  next: string;
}

/** `v1.2.0-a3f5c2b-prod`: a version, the source commit, the environment's tag suffix. */
const VERSION_TAG = /^(v(?:0|[1-9]\d*)\.(?:0|[1-9]\d*)\.(?:0|[1-9]\d*))-[0-9a-f]{7}-([a-z0-9][a-z0-9-]*)$/;
const INDEX_TYPES = new Set(['application/vnd.oci.image.index.v1+json', 'application/vnd.docker.distribution.manifest.list.v2+json']);

export const REGISTRY_GC_HINT = 'Free the blobs on the registry\'s disk with its garbage collection: `registry garbage-collect --delete-untagged /etc/docker/registry/config.yml` '
  + '(in a container: `docker exec <registry> registry garbage-collect --delete-untagged /etc/docker/registry/config.yml`; Debian\'s package: `docker-registry garbage-collect …`), best while nothing pushes.';

export interface GcDeps {
  registry: ImageRegistry & RegistryCatalog;
  /** host[:port] of Slipway's registry. */
  host: string;
  /** Slipway's repository prefix (`registry.repository`, e.g. `dynamic-apps`). */
  prefix: string;
  /** What the GitOps repo runs and pins. */
  pinned: PinnedImages;
  /** Apps Slipway knows of beyond the GitOps repo (say, one whose first deploy is under way). */
  known: Set<string>;
  /** Tag suffix → environment name, to name groups in reasons. */
  envOfSuffix: Map<string, string>;
}

/**
 * Deletes from Slipway's registry what no environment needs: every image of an app that no longer
 * exists, and of the others every image beyond the newest `keep` versions per environment that no
 * environment's manifests pin. An image is deleted by digest (its tags go with it), so it stays when
 * any of its tags is kept. With `dryRun` it only reports.
 * @example const report = await collectRegistryGarbage(deps, { keep: 5, dryRun: true });
 */
export async function collectRegistryGarbage(deps: GcDeps, options: { keep: number; dryRun: boolean; signal?: AbortSignal }): Promise<GcReport> {
  if (!Number.isInteger(options.keep) || options.keep < 0) throw new InputError(`keep must be a whole number of versions, 0 or more (not ${options.keep})`, { hint: 'e.g. --keep 5' });
  const { registry, host, prefix, signal } = { ...deps, signal: options.signal };
  const images: GcImage[] = [];
  for (const repository of await registry.listRepositories(host, signal)) {
    const app = repository.startsWith(`${prefix}/`) ? repository.slice(prefix.length + 1) : undefined;
    if (!app || app.includes('/')) continue;
    images.push(...decide(app, repository, await imagesOf(deps, repository, signal), deps, options.keep));
  }
  const deleted = images.filter((image) => image.kept === undefined);
  const kept = images.filter((image) => image.kept !== undefined);
  const bytes = await freedBytes(deps, deleted, kept, signal);
  if (!options.dryRun) {
    for (const image of deleted) await deleteImage(deps, image, signal);
  }
  return { registry: host, prefix, keep: options.keep, dryRun: options.dryRun, deleted, kept, bytes, next: REGISTRY_GC_HINT };
}

/** The repository's images: its tags grouped by the digest each names now. */
async function imagesOf(deps: GcDeps, repository: string, signal?: AbortSignal): Promise<Map<string, string[]>> {
  const byDigest = new Map<string, string[]>();
  for (const tag of (await deps.registry.listTags(deps.host, repository, signal)).sort()) {
    const digest = (await deps.registry.headManifest(deps.host, repository, tag, signal))?.digest;
    if (!digest) continue;
    byDigest.set(digest, [...(byDigest.get(digest) ?? []), tag]);
  }
  return byDigest;
}

/** Marks what stays: pinned digests, the newest `keep` versions of each environment, tags that are not versions. */
function decide(app: string, repository: string, byDigest: Map<string, string[]>, deps: GcDeps, keep: number): GcImage[] {
  const exists = deps.pinned.apps.has(app) || deps.known.has(app);
  const newest = new Map<string, string>();
  if (exists) {
    const bySuffix = new Map<string, Array<{ version: string; digest: string }>>();
    for (const [digest, tags] of byDigest) {
      for (const tag of tags) {
        const match = VERSION_TAG.exec(tag);
        if (match) bySuffix.set(match[2]!, [...(bySuffix.get(match[2]!) ?? []), { version: match[1]!, digest }]);
      }
    }
    for (const [suffix, list] of bySuffix) {
      const versions = [...new Set(list.map((item) => item.version))].sort((a, b) => compareVersions(b, a)).slice(0, keep);
      for (const item of list) if (versions.includes(item.version) && !newest.has(item.digest)) newest.set(item.digest, `newest ${keep} of ${deps.envOfSuffix.get(suffix) ?? suffix}`);
    }
  }
  return [...byDigest].map(([digest, tags]) => {
    const pinnedBy = deps.pinned.digests.get(digest);
    const kept = pinnedBy ? `pinned by ${pinnedBy.join(', ')}`
      : !exists ? undefined
        : newest.get(digest) ?? (tags.some((tag) => !VERSION_TAG.test(tag)) ? 'not a version tag' : undefined);
    return { repository, app, digest, tags, ...(kept ? { kept } : {}) };
  });
}

/** Blob digests → sizes an image uses (its config and layers; an index's, through its manifests). */
async function blobsOf(deps: GcDeps, repository: string, digest: string, signal?: AbortSignal): Promise<Map<string, number>> {
  const manifest = await deps.registry.getManifest(deps.host, repository, digest, signal);
  const parsed = JSON.parse(manifest.bytes.toString('utf8')) as { manifests?: Array<{ digest: string }>; config?: { digest: string; size: number }; layers?: Array<{ digest: string; size: number }> };
  const blobs = new Map<string, number>();
  if (INDEX_TYPES.has(manifest.mediaType)) {
    for (const child of parsed.manifests ?? []) for (const [blob, size] of await blobsOf(deps, repository, child.digest, signal)) blobs.set(blob, size);
    return blobs;
  }
  for (const blob of [...(parsed.config ? [parsed.config] : []), ...(parsed.layers ?? [])]) blobs.set(blob.digest, blob.size);
  return blobs;
}

/** The size of the blobs the deleted images use and no kept image does. */
async function freedBytes(deps: GcDeps, deleted: GcImage[], kept: GcImage[], signal?: AbortSignal): Promise<number> {
  if (deleted.length === 0) return 0;
  const keptBlobs = new Set<string>();
  for (const image of kept) for (const blob of (await blobsOf(deps, image.repository, image.digest, signal)).keys()) keptBlobs.add(blob);
  const freed = new Map<string, number>();
  for (const image of deleted) {
    for (const [blob, size] of await blobsOf(deps, image.repository, image.digest, signal)) if (!keptBlobs.has(blob)) freed.set(blob, size);
  }
  return [...freed.values()].reduce((sum, size) => sum + size, 0);
}

/** Deletes an image by digest; a registry that keeps everything gets the setting that allows deletes. */
async function deleteImage(deps: GcDeps, image: GcImage, signal?: AbortSignal): Promise<void> {
  try {
    await deps.registry.deleteManifest(deps.host, image.repository, image.digest, signal);
  } catch (error) {
    if (error instanceof RegistryError && (error.status === 405 || error.codes.includes('UNSUPPORTED'))) {
      throw new ConflictError(`the registry at ${deps.host} does not allow deleting images (it answered 405 UNSUPPORTED to deleting ${image.repository}@${image.digest})`, {
        hint: 'Enable deletes in the registry\'s config.yml (storage.delete.enabled: true), or set REGISTRY_STORAGE_DELETE_ENABLED=true for the registry container; restart it and run `slipway gc` again (`--dry-run` shows what it would delete).',
        cause: error,
      });
    }
    throw error;
  }
}
