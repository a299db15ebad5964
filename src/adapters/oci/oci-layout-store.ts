// `fs.promises` is reached through the module, not imported by name: bundled, it then loads on
// first use, and a build whose layer and base come from the caches never loads it.
import { createReadStream, createWriteStream, promises as fsp } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { InputError, NotFoundError } from '../../domain/errors.ts';
import type { Descriptor } from '../../ports/index.ts';
import { HashTap } from './hash-tap.ts';
import { withFileLock } from '../os/index.ts';
import { canonicalJson, isSha256Digest, MediaType, sha256Digest } from './media-types.ts';

export const REF_NAME_ANNOTATION = 'org.opencontainers.image.ref.name';

interface LayoutIndex {
  schemaVersion: 2;
  mediaType?: string;
  manifests: Descriptor[];
}

/**
 * An OCI image layout directory (`oci-layout`, `index.json`, `blobs/sha256/…`), readable by skopeo,
 * umoci and podman as `oci:<dir>:<tag>`. Blobs are written to a temporary name and renamed, digests
 * are checked before a blob gets its name, and `index.json` is rewritten whole, sorted by tag, so
 * the same content always gives the same bytes. Several processes may write to one layout at once:
 * blobs land whole under their digest, and tags change `index.json` under a lock file.
 * @example
 * const store = new OciLayoutStore('/var/lib/slipway/images');
 * await store.tag('pomodoro-1', await store.putJson(MediaType.ociManifest, manifest));
 */
export class OciLayoutStore {
  readonly dir: string;

  constructor(dir: string) {
    this.dir = dir;
  }

  /** Creates the layout's skeleton when missing. */
  async init(): Promise<void> {
    await fsp.mkdir(join(this.dir, 'blobs', 'sha256'), { recursive: true });
    const marker = join(this.dir, 'oci-layout');
    if (!(await exists(marker))) await this.atomicWrite(marker, canonicalJson({ imageLayoutVersion: '1.0.0' }));
    // Created only where none exists, so a tag another process has just written is never reset.
    if (!(await exists(join(this.dir, 'index.json')))) await this.createOnly(join(this.dir, 'index.json'), indexBytes([]));
  }

  blobPath(digest: string): string {
    if (!isSha256Digest(digest)) throw new InputError(`not a sha256 digest: ${JSON.stringify(digest)}`);
    return join(this.dir, 'blobs', 'sha256', digest.slice('sha256:'.length));
  }

  async hasBlob(digest: string): Promise<boolean> {
    return exists(this.blobPath(digest));
  }

  openBlob(digest: string): Readable {
    return createReadStream(this.blobPath(digest));
  }

  async readBlob(digest: string): Promise<Buffer> {
    try {
      return await fsp.readFile(this.blobPath(digest));
    } catch {
      throw new NotFoundError(`blob ${digest} is not in the OCI layout ${this.dir}`);
    }
  }

  /** Stores bytes as a blob and returns its descriptor. */
  async putBytes(mediaType: string, bytes: Buffer): Promise<Descriptor> {
    const digest = sha256Digest(bytes);
    await this.init();
    if (!(await this.hasBlob(digest))) await this.atomicWrite(this.blobPath(digest), bytes);
    return { mediaType, digest, size: bytes.length };
  }

  /** Stores a JSON document in canonical form. */
  async putJson(mediaType: string, value: unknown): Promise<Descriptor> {
    return this.putBytes(mediaType, canonicalJson(value));
  }

  /** Copies a file that is known to hold `digest` (e.g. a cached layer) into the layout. */
  async putFile(digest: string, file: string): Promise<void> {
    await this.init();
    const target = this.blobPath(digest);
    if (await exists(target)) return;
    const partial = `${target}.partial-${process.pid}-${Math.random().toString(36).slice(2)}`;
    await fsp.copyFile(file, partial);
    await fsp.rename(partial, target);
  }

  /** Streams a blob in, checking its digest and size before it gets its name. */
  async putStream(digest: string, size: number, stream: Readable, signal?: AbortSignal): Promise<void> {
    await this.init();
    const target = this.blobPath(digest);
    if (await exists(target)) {
      stream.destroy();
      return;
    }
    const partial = `${target}.partial-${process.pid}-${Math.random().toString(36).slice(2)}`;
    const tap = new HashTap();
    try {
      await pipeline(stream, tap, createWriteStream(partial), signal ? { signal } : {});
      const actual = tap.digest();
      if (actual !== digest || tap.bytes !== size) throw new InputError(`blob ${digest} arrived as ${actual} (${tap.bytes} of ${size} bytes)`);
      await fsp.rename(partial, target);
    } finally {
      await fsp.rm(partial, { force: true });
    }
  }

  /** The descriptors in `index.json`. */
  async entries(): Promise<Descriptor[]> {
    let text: string;
    try {
      text = await fsp.readFile(join(this.dir, 'index.json'), 'utf8');
    } catch {
      throw new NotFoundError(`${this.dir} is not an OCI image layout (no index.json)`, { hint: 'Build into it first, or check the path.' });
    }
    return (JSON.parse(text) as LayoutIndex).manifests ?? [];
  }

  /** Tags in `index.json`, sorted. */
  async tags(): Promise<string[]> {
    return (await this.entries()).map((d) => d.annotations?.[REF_NAME_ANNOTATION]).filter((t): t is string => !!t).sort();
  }

  /** The descriptor a tag names, or one found by digest. */
  async resolve(reference: string): Promise<Descriptor> {
    const entries = await this.entries();
    const found = isSha256Digest(reference) ? entries.find((d) => d.digest === reference) : entries.find((d) => d.annotations?.[REF_NAME_ANNOTATION] === reference);
    if (found) return found;
    if (isSha256Digest(reference) && (await this.hasBlob(reference))) {
      const bytes = await this.readBlob(reference);
      const parsed = JSON.parse(bytes.toString('utf8')) as { mediaType?: string; manifests?: unknown };
      return { mediaType: parsed.mediaType ?? (parsed.manifests ? MediaType.ociIndex : MediaType.ociManifest), digest: reference, size: bytes.length };
    }
    const known = await this.tags();
    throw new NotFoundError(`no image ${JSON.stringify(reference)} in the OCI layout ${this.dir}`, { hint: known.length > 0 ? `Tags there: ${known.join(', ')}.` : 'The layout holds no tagged image.' });
  }

  /** Points `tag` at a manifest or index (replacing what it named before). */
  async tag(tag: string, descriptor: Descriptor): Promise<void> {
    if (!/^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/.test(tag)) throw new InputError(`tag ${JSON.stringify(tag)} is not a valid image tag`);
    await this.init();
    const { annotations, ...rest } = descriptor;
    await this.updateIndex((entries) => [
      ...entries.filter((d) => d.annotations?.[REF_NAME_ANNOTATION] !== tag),
      { ...rest, annotations: { ...(annotations ?? {}), [REF_NAME_ANNOTATION]: tag } },
    ]);
  }

  /**
   * Removes the tags `drop` picks; returns them. Their blobs stay: other tags may share them.
   * @example await store.untag((tag) => tag.startsWith('notes_'));
   */
  async untag(drop: (tag: string) => boolean): Promise<string[]> {
    if (!(await exists(join(this.dir, 'index.json')))) return [];
    const dropped: string[] = [];
    await this.updateIndex((entries) => entries.filter((d) => {
      const tag = d.annotations?.[REF_NAME_ANNOTATION];
      if (tag === undefined || !drop(tag)) return true;
      dropped.push(tag);
      return false;
    }));
    return dropped.sort();
  }

  /** Reads, changes and rewrites `index.json` while holding its lock, so concurrent writers keep each other's tags. */
  private async updateIndex(change: (entries: Descriptor[]) => Descriptor[]): Promise<void> {
    // Builds of several apps share one layout and each rewrites index.json whole: without the lock
    // one build's tag could drop another's.
    await withFileLock(join(this.dir, 'index.json.lock'), async () => {
      await this.atomicWrite(join(this.dir, 'index.json'), indexBytes(change(await this.entries())));
    }, { timeoutMs: 60_000, guards: { service: 'images', what: `the image store ${this.dir}`, holder: 'Another Slipway build is tagging an image' } });
  }

  private async createOnly(file: string, bytes: Buffer): Promise<void> {
    const partial = `${file}.partial-${process.pid}-${Math.random().toString(36).slice(2)}`;
    await fsp.writeFile(partial, bytes);
    try {
      await fsp.link(partial, file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    } finally {
      await fsp.rm(partial, { force: true });
    }
  }

  private async atomicWrite(file: string, bytes: Buffer): Promise<void> {
    const partial = `${file}.partial-${process.pid}-${Math.random().toString(36).slice(2)}`;
    await fsp.writeFile(partial, bytes);
    await fsp.rename(partial, file);
  }
}

/** `index.json`'s bytes: entries sorted by tag, then digest, so the same tags give the same bytes. */
function indexBytes(manifests: Descriptor[]): Buffer {
  const key = (d: Descriptor) => `${d.annotations?.[REF_NAME_ANNOTATION] ?? ''}\0${d.digest}`;
  const sorted = [...manifests].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  return canonicalJson({ schemaVersion: 2, mediaType: MediaType.ociIndex, manifests: sorted });
}

async function exists(path: string): Promise<boolean> {
  return fsp.stat(path).then(() => true, () => false);
}

/**
 * Splits an `oci:<dir>[:<tag>]` or `oci:<dir>@sha256:<hex>` reference; the tag defaults to `latest`.
 * @example parseOciLayoutRef('oci:/var/images:node') // { dir: '/var/images', reference: 'node' }
 */
export function parseOciLayoutRef(ref: string): { dir: string; reference: string } | undefined {
  if (!ref.startsWith('oci:')) return undefined;
  const rest = ref.slice('oci:'.length);
  const at = rest.lastIndexOf('@sha256:');
  if (at > 0) return { dir: rest.slice(0, at), reference: rest.slice(at + 1) };
  const colon = rest.lastIndexOf(':');
  // A colon before the last slash belongs to the directory name, not to a tag.
  if (colon > rest.lastIndexOf('/') && colon > 0) return { dir: rest.slice(0, colon), reference: rest.slice(colon + 1) };
  return { dir: rest, reference: 'latest' };
}
