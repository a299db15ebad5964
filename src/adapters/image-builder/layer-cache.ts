import { createHash } from 'node:crypto';
// `fs.promises` is reached through the module, not imported by name: bundled, it then loads on
// first use, and a build whose layer and base come from the caches never loads it.
import { createReadStream, readFileSync, statSync, promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { contextReadError } from './context-errors.ts';
import { GZIP_LEVEL, GZIP_OS_BYTE } from './gzip-pinned.ts';
import { Batches, CALLS_PER_BATCH, writeLayerFile, type LayerInfo } from './tar-layer.ts';
import type { TarEntry } from './tar-writer.ts';

/** A layer ready to upload: its identity and the file holding its compressed bytes. */
export interface CachedLayer extends LayerInfo {
  /** Path of the gzip blob in the cache. */
  path: string;
  /** True when the layer came from the cache and nothing was compressed. */
  hit: boolean;
}

const SMALL_FILE = 1024 * 1024;

/** Bumped whenever the tar or gzip output for the same inputs would change. */
export const FORMAT = 'slipway-layer-v1';

/**
 * Remembers app layers by their inputs (entry list, file contents, modes, times, compression) so that
 * an unchanged rebuild neither re-tars nor recompresses. Layout under `dir`:
 * `layers/<key>.json` (the {@link LayerInfo}) and `blobs/sha256/<hex>` (the gzip bytes). Entries are
 * written atomically (temp file + rename), so concurrent builders at worst do the same work twice.
 * @example
 * const cache = new LayerCache('/var/cache/slipway');
 * const layer = await cache.layer(entries, { mtime: 0 });
 */
export class LayerCache {
  readonly dir: string;

  constructor(dir: string) {
    this.dir = dir;
  }

  /** The cached layer for these entries, written first when missing. */
  async layer(entries: TarEntry[], options: { mtime: number; signal?: AbortSignal }): Promise<CachedLayer> {
    const key = await inputKey(entries, options.mtime);
    const found = this.lookup(key);
    if (found) return found;
    const tmp = join(this.dir, 'tmp');
    await fsp.mkdir(tmp, { recursive: true });
    await fsp.mkdir(join(this.dir, 'blobs', 'sha256'), { recursive: true });
    await fsp.mkdir(join(this.dir, 'layers'), { recursive: true });
    const scratch = join(tmp, `${key}-${process.pid}-${Math.random().toString(36).slice(2)}.tar.gz`);
    try {
      const info = await writeLayerFile(entries, scratch, { mtime: options.mtime, level: GZIP_LEVEL, ...(options.signal ? { signal: options.signal } : {}) });
      const path = this.blobPath(info.digest);
      await fsp.rename(scratch, path);
      const record = join(this.dir, 'layers', `${key}.json`);
      await fsp.writeFile(`${record}.${process.pid}.tmp`, JSON.stringify(info));
      await fsp.rename(`${record}.${process.pid}.tmp`, record);
      return { ...info, path, hit: false };
    } finally {
      await fsp.rm(scratch, { force: true });
    }
  }

  blobPath(digest: string): string {
    return join(this.dir, 'blobs', 'sha256', digest.replace(/^sha256:/, ''));
  }

  private lookup(key: string): CachedLayer | undefined {
    let info: LayerInfo;
    try {
      info = JSON.parse(readFileSync(join(this.dir, 'layers', `${key}.json`), 'utf8')) as LayerInfo;
    } catch {
      return undefined;
    }
    const path = this.blobPath(info.digest);
    // A blob of the wrong size (a crash, a pruned cache) means rebuild rather than upload garbage.
    const size = statSync(path, { throwIfNoEntry: false })?.size ?? -1;
    return size === info.size ? { ...info, path, hit: true } : undefined;
  }
}

/**
 * Hash of everything that decides the layer's bytes. File contents are hashed (apps are small), so
 * a touched-but-unchanged file still hits; modes enter as normalised in the entries. Small files are
 * read with synchronous calls in batches (see {@link Batches}); large ones are streamed.
 */
export async function inputKey(entries: TarEntry[], mtime: number): Promise<string> {
  const hash = createHash('sha256');
  hash.update(`${FORMAT}\0gzip:${GZIP_LEVEL}:${GZIP_OS_BYTE}\0mtime:${mtime}\0`);
  const batches = new Batches(CALLS_PER_BATCH);
  for (const entry of entries) {
    hash.update(`${entry.type}\0${entry.path}\0${entry.mode.toString(8)}\0${entry.linkname ?? ''}\0`);
    if (entry.type !== 'file') continue;
    if (entry.content) {
      hash.update(`${entry.content.length}\0`);
      hash.update(entry.content);
    } else if (entry.source && (entry.size ?? 0) <= SMALL_FILE) {
      let content: Buffer;
      try {
        content = readFileSync(entry.source);
      } catch (error) {
        throw contextReadError(error, entry.source);
      }
      hash.update(`${content.length}\0`);
      hash.update(content);
      // A read counts as one call per 64 KiB: a batch reads at most a few MiB.
      await batches.tick(1 + (content.length >> 16));
    } else if (entry.source) {
      hash.update(`${entry.size ?? 0}\0`);
      try {
        for await (const chunk of createReadStream(entry.source)) hash.update(chunk as Buffer);
      } catch (error) {
        throw contextReadError(error, entry.source);
      }
    }
    hash.update('\0');
  }
  return hash.digest('hex');
}
