// `fs.promises` is reached through the module, not imported by name: bundled, it then loads on
// first use, and a build whose layer and base come from the caches never loads it.
import { createWriteStream, lstatSync, readdirSync, readlinkSync, promises as fsp } from 'node:fs';
import { join, posix } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { InputError } from '../../domain/errors.ts';
import { contextReadError, entryName } from './context-errors.ts';
import { HashTap } from '../oci/index.ts';
import { pinnedGzipStages, GZIP_LEVEL } from './gzip-pinned.ts';
import { tarStream, type TarEntry } from './tar-writer.ts';

/**
 * File times in layers and `created` in configs when the request names no SOURCE_DATE_EPOCH:
 * 0 (1970-01-01T00:00:00Z), as ko and `buildah --timestamp 0` use, so that images built from the
 * same files are byte-identical whenever and wherever they are built.
 */
export const DEFAULT_SOURCE_DATE_EPOCH = 0;

/** What a written layer is known by. */
export interface LayerInfo {
  /** sha256 of the uncompressed tar: the config's `rootfs.diff_ids` entry. */
  diffId: string;
  /** sha256 of the gzip bytes: the manifest's layer descriptor digest. */
  digest: string;
  /** Size of the gzip bytes. */
  size: number;
  uncompressedSize: number;
}

export interface CollectOptions {
  /** Absolute directory in the image the context's files go to, e.g. `/app`. */
  workdir: string;
  /** Extra relative paths (files or directories) to leave out. */
  exclude?: string[];
}

/** Left out of every app layer: version control and tool caches, never needed at run time. */
const ALWAYS_EXCLUDED_NAMES = new Set(['.git']);
const ALWAYS_EXCLUDED_PATHS = ['node_modules/.cache'];

/**
 * Normalises an image workdir (`/app`, `/srv/app/`) to its tar form without slashes at the ends.
 * @example workdirInLayer('/srv/app/') // 'srv/app'
 */
export function workdirInLayer(workdir: string): string {
  const trimmed = workdir.replace(/^\/+|\/+$/g, '');
  const segments = trimmed.split('/');
  if (!workdir.startsWith('/') || trimmed === '' || segments.some((s) => s === '' || s === '.' || s === '..') || /[\u0000-\u001f]/.test(trimmed)) {
    throw new InputError(`workdir ${JSON.stringify(workdir)} is not an absolute path below /`, { hint: "Use a path such as '/app'." });
  }
  return trimmed;
}

/** File-system calls made back to back before the walk lets other work run (see {@link Batches}). */
export const CALLS_PER_BATCH = 256;

/**
 * Lists the tar entries for a context directory placed at `workdir`: the workdir and its parents
 * first, then every file and directory depth-first with names in byte order. Modes are normalised
 * (directories 0755, files 0644, or 0755 when any execute bit is set) so that umask and checkout
 * differences do not change the layer. Symlinks are kept as links and never followed; a link that
 * leads outside the context is refused.
 * @example await collectContextEntries('/tmp/app', { workdir: '/app' })
 */
export async function collectContextEntries(contextDir: string, options: CollectOptions): Promise<TarEntry[]> {
  const root = workdirInLayer(options.workdir);
  const excluded = new Set([...ALWAYS_EXCLUDED_PATHS, ...(options.exclude ?? []).map((p) => p.replace(/^\.?\/+|\/+$/g, ''))]);
  const entries: TarEntry[] = [];
  const parts = root.split('/');
  for (let i = 1; i <= parts.length; i++) entries.push({ path: `${parts.slice(0, i).join('/')}/`, type: 'dir', mode: 0o755 });
  const rootStat = lstatSync(contextDir, { throwIfNoEntry: false });
  if (!rootStat?.isDirectory()) throw new InputError(`app directory ${contextDir} does not exist or is not a directory`);
  await walk(contextDir, '', { root, excluded, out: entries, batches: new Batches(CALLS_PER_BATCH) });
  return entries;
}

/**
 * Counts calls and lets the event loop run after every `size` of them. The walk and the layer key
 * use the synchronous file-system calls: for the small files apps are made of, a thread-pool round
 * trip per call costs far more than the call, and batches keep a large context from holding up
 * other work (requests in flight, a server's other runs) for more than a moment.
 */
export class Batches {
  readonly size: number;
  #count = 0;

  constructor(size: number) {
    this.size = size;
  }

  /** Records `calls` more calls; resolves at once, or on the next turn of the event loop when a batch is full. */
  async tick(calls = 1): Promise<void> {
    this.#count += calls;
    if (this.#count < this.size) return;
    this.#count = 0;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

interface WalkState { root: string; excluded: Set<string>; out: TarEntry[]; batches: Batches }

/** One directory's entries, depth-first in byte order. */
async function walk(dir: string, rel: string, state: WalkState): Promise<void> {
  let raw: Buffer[];
  try {
    raw = readdirSync(dir, { encoding: 'buffer' });
  } catch (error) {
    throw contextReadError(error, dir);
  }
  // Sorted as bytes, and decoded strictly: a name that is not UTF-8 would come back as another name.
  const names = raw.sort(Buffer.compare).map((name) => entryName(name, dir));
  await state.batches.tick();
  for (const name of names) {
    const relPath = rel === '' ? name : `${rel}/${name}`;
    if (ALWAYS_EXCLUDED_NAMES.has(name) || state.excluded.has(relPath)) continue;
    const full = join(dir, name);
    let stat;
    try {
      stat = lstatSync(full, { bigint: true });
    } catch (error) {
      throw contextReadError(error, full);
    }
    await state.batches.tick();
    const inLayer = `${state.root}/${relPath}`;
    const stamp = `${stat.ino}:${stat.size}:${stat.mtimeNs}:${stat.ctimeNs}`;
    const changedMs = Number((stat.mtimeNs > stat.ctimeNs ? stat.mtimeNs : stat.ctimeNs) / 1_000_000n);
    if (stat.isDirectory()) {
      state.out.push({ path: `${inLayer}/`, type: 'dir', mode: 0o755, stamp, changedMs });
      await walk(full, relPath, state);
    } else if (stat.isFile()) {
      state.out.push({ path: inLayer, type: 'file', mode: Number(stat.mode) & 0o111 ? 0o755 : 0o644, size: Number(stat.size), source: full, stamp, changedMs });
    } else if (stat.isSymbolicLink()) {
      const target = readlinkSync(full);
      const resolved = posix.normalize(posix.join(posix.dirname(relPath), target));
      if (posix.isAbsolute(target) || resolved === '..' || resolved.startsWith('../')) {
        throw new InputError(`symlink ${relPath} -> ${target} points outside the app directory`, { hint: 'Replace it with a copy of the file or a relative link inside the app directory.' });
      }
      state.out.push({ path: inLayer, type: 'symlink', mode: 0o777, linkname: target, stamp, changedMs });
    } else {
      throw new InputError(`${relPath} is neither a file, a directory nor a symlink (a socket or a device?)`, { hint: 'Remove it from the app directory before building.' });
    }
  }
}

/**
 * Writes entries as a gzip-compressed tar to `file` in one streaming pass, hashing both the tar
 * (diff_id) and the gzip bytes (digest) on the way; nothing is held in memory. The file appears
 * under its name only once complete.
 * @example const info = await writeLayerFile(entries, '/tmp/layer.tar.gz', { mtime: 0 })
 */
export async function writeLayerFile(entries: Iterable<TarEntry> | AsyncIterable<TarEntry>, file: string, options: { mtime?: number; level?: number; signal?: AbortSignal } = {}): Promise<LayerInfo> {
  const uncompressed = new HashTap();
  const compressed = new HashTap();
  const partial = `${file}.partial-${process.pid}-${Math.random().toString(36).slice(2)}`;
  try {
    await pipeline(
      Readable.from(tarStream(entries, options.mtime ?? DEFAULT_SOURCE_DATE_EPOCH)),
      uncompressed,
      ...pinnedGzipStages(options.level ?? GZIP_LEVEL),
      compressed,
      createWriteStream(partial),
      options.signal ? { signal: options.signal } : {},
    );
    await fsp.rename(partial, file);
  } catch (error) {
    await fsp.rm(partial, { force: true });
    throw error;
  }
  return { diffId: uncompressed.digest(), digest: compressed.digest(), size: compressed.bytes, uncompressedSize: uncompressed.bytes };
}
