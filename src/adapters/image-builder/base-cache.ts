// `fs.promises` is reached through the module, not imported by name: bundled, it then loads on
// first use, and a build whose layer and base come from the caches never loads it.
import { readFileSync, promises as fsp } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import type { ImageRef, ImageRegistry, ManifestResponse } from '../../ports/index.ts';
import type { BaseImageSource } from './base-image-source.ts';
import { fileKey } from './file-key.ts';
import { sha256Digest } from '../oci/index.ts';

const DIGEST = /^sha256:[a-f0-9]{64}$/;

/** A tag's file: named by its full name's {@link fileKey}, and holding the name to check against. */
function tagFileName(name: string): string {
  return `${fileKey(name)}.txt`;
}

/**
 * Content-addressed copies of base image manifests and configs under `dir`
 * (`manifests/<hex>.json`, `configs/<hex>`), and the digest each tag named when last asked
 * (`tags/<file key of the name>.txt`: the digest, then the name). What is stored under a digest never changes, so a
 * hit is only re-hashed, never re-fetched. They are small, so they are read with one synchronous call
 * each. Writes are atomic (temp file + rename).
 */
export class BaseMetadataCache {
  readonly dir: string;
  // What was read and verified once is not read and hashed again by this instance: a build reads
  // the same base for its guess and for the registry's answer.
  readonly #manifests = new Map<string, ManifestResponse>();
  readonly #configs = new Map<string, Buffer>();

  constructor(dir: string) {
    this.dir = dir;
  }

  async manifest(digest: string): Promise<ManifestResponse | undefined> {
    const known = this.#manifests.get(digest);
    if (known || !DIGEST.test(digest)) return known;
    try {
      const record = JSON.parse(readFileSync(join(this.dir, 'manifests', `${digest.slice(7)}.json`), 'utf8')) as { mediaType?: unknown; data?: unknown };
      if (typeof record.mediaType !== 'string' || typeof record.data !== 'string') return undefined;
      const bytes = Buffer.from(record.data, 'base64');
      if (sha256Digest(bytes) !== digest) return undefined;
      const manifest = { mediaType: record.mediaType, digest, bytes };
      this.#manifests.set(digest, manifest);
      return manifest;
    } catch {
      return undefined;
    }
  }

  async config(digest: string): Promise<Buffer | undefined> {
    const known = this.#configs.get(digest);
    if (known || !DIGEST.test(digest)) return known;
    let bytes: Buffer;
    try {
      bytes = readFileSync(join(this.dir, 'configs', digest.slice(7)));
    } catch {
      return undefined;
    }
    if (sha256Digest(bytes) !== digest) return undefined;
    this.#configs.set(digest, bytes);
    return bytes;
  }

  async saveManifest(manifest: ManifestResponse): Promise<void> {
    if (!DIGEST.test(manifest.digest) || sha256Digest(manifest.bytes) !== manifest.digest) return;
    await this.#write('manifests', `${manifest.digest.slice(7)}.json`, JSON.stringify({ mediaType: manifest.mediaType, data: manifest.bytes.toString('base64') }));
  }

  async saveConfig(digest: string, bytes: Buffer): Promise<void> {
    if (!DIGEST.test(digest) || sha256Digest(bytes) !== digest) return;
    await this.#write('configs', digest.slice(7), bytes);
  }

  /** The digest `name` (a `registry/repository:tag`) named when last asked, if it was ever asked. */
  lastDigest(name: string): string | undefined {
    try {
      const [digest, named] = readFileSync(join(this.dir, 'tags', tagFileName(name)), 'utf8').split('\n');
      return named === name && digest && DIGEST.test(digest) ? digest : undefined;
    } catch {
      return undefined;
    }
  }

  /** Remembers which digest `name` names now (written only when it changed). */
  async rememberDigest(name: string, digest: string): Promise<void> {
    if (!DIGEST.test(digest) || this.lastDigest(name) === digest) return;
    await this.#write('tags', tagFileName(name), `${digest}\n${name}\n`);
  }

  async #write(folder: string, name: string, data: string | Buffer): Promise<void> {
    const dir = join(this.dir, folder);
    await fsp.mkdir(dir, { recursive: true });
    const scratch = join(dir, `.${name}.${process.pid}.${Math.random().toString(36).slice(2)}`);
    await fsp.writeFile(scratch, data);
    await fsp.rename(scratch, join(dir, name));
  }
}

/**
 * A base image in a registry, read through a {@link BaseMetadataCache}: a tag costs one manifest
 * HEAD (the registry says which digest the tag names now, so a moved tag is followed at once), and
 * manifests and configs already seen are read from disk. Layers are never cached here: they are
 * mounted or streamed by the push.
 */
export class CachedRegistryBaseSource implements BaseImageSource {
  readonly name: string;
  readonly location: { registry: string; repository: string };
  readonly #registry: ImageRegistry;
  readonly #cache: BaseMetadataCache;
  readonly #asked = new Map<string, Promise<string | undefined>>();

  constructor(registry: ImageRegistry, ref: ImageRef, cache: BaseMetadataCache) {
    this.#registry = registry;
    this.#cache = cache;
    this.location = { registry: ref.registry, repository: ref.repository };
    this.name = `${ref.registry}/${ref.repository}${ref.tag ? `:${ref.tag}` : ''}`;
  }

  /**
   * The digest `reference` names now: a digest names itself; a tag costs one HEAD, asked once per
   * source object (a build shares it) and remembered for {@link cachedView}. Undefined when the
   * registry does not say (or has no such tag).
   */
  currentDigest(reference: string, signal?: AbortSignal): Promise<string | undefined> {
    if (DIGEST.test(reference)) return Promise.resolve(reference);
    let asked = this.#asked.get(reference);
    if (!asked) {
      asked = (async () => {
        const head = await this.#registry.headManifest(this.location.registry, this.location.repository, reference, signal);
        if (head?.digest) await this.#cache.rememberDigest(this.name, head.digest);
        return head?.digest;
      })();
      this.#asked.set(reference, asked);
    }
    return asked;
  }

  async getManifest(reference: string, signal?: AbortSignal): Promise<ManifestResponse> {
    const { registry, repository } = this.location;
    // A registry that does not say the digest on HEAD (or has no such tag) gets a plain GET,
    // whose error names what is missing.
    const digest = await this.currentDigest(reference, signal);
    const cached = digest ? await this.#cache.manifest(digest) : undefined;
    if (cached) return cached;
    const fetched = await this.#registry.getManifest(registry, repository, digest ?? reference, signal);
    await this.#cache.saveManifest(fetched);
    return fetched;
  }

  async getConfig(digest: string, signal?: AbortSignal): Promise<Buffer> {
    const cached = await this.#cache.config(digest);
    if (cached) return cached;
    const bytes = await buffer(await this.openBlob(digest, signal));
    await this.#cache.saveConfig(digest, bytes);
    return bytes;
  }

  openBlob(digest: string, signal?: AbortSignal): Promise<Readable> {
    return this.#registry.getBlob(this.location.registry, this.location.repository, digest, signal);
  }

  /**
   * This base as it was when last resolved, read from the cache without asking the registry: the
   * tag's last digest, and the manifests and config stored under it. A builder can prepare and
   * check blobs with it while the registry is asked whether the tag still names that digest.
   * Reading anything the cache lacks fails with {@link NotCachedError}.
   */
  cachedView(): BaseImageSource {
    return new CachedView(this, this.#cache);
  }
}

/** Raised by a cached view for what the cache does not hold; the builder then waits for the registry. */
export class NotCachedError extends Error {
  constructor(what: string) {
    super(`${what} is not in the base image cache`);
    this.name = 'NotCachedError';
  }
}

class CachedView implements BaseImageSource {
  readonly name: string;
  readonly location: { registry: string; repository: string };
  readonly #source: CachedRegistryBaseSource;
  readonly #cache: BaseMetadataCache;

  constructor(source: CachedRegistryBaseSource, cache: BaseMetadataCache) {
    this.#source = source;
    this.#cache = cache;
    this.name = source.name;
    this.location = source.location;
  }

  async getManifest(reference: string): Promise<ManifestResponse> {
    const digest = DIGEST.test(reference) ? reference : this.#cache.lastDigest(this.name);
    const cached = digest ? await this.#cache.manifest(digest) : undefined;
    if (!cached) throw new NotCachedError(`manifest ${digest ?? reference} of ${this.name}`);
    return cached;
  }

  async getConfig(digest: string): Promise<Buffer> {
    const cached = await this.#cache.config(digest);
    if (!cached) throw new NotCachedError(`config ${digest} of ${this.name}`);
    return cached;
  }

  openBlob(digest: string, signal?: AbortSignal): Promise<Readable> {
    return this.#source.openBlob(digest, signal);
  }
}
