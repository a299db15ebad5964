import { promises as fsp, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileKey } from './file-key.ts';
import type { TarEntry } from './tar-writer.ts';

/**
 * How recent a change to the app directory may be for its listing to stand for its contents:
 * file times have a coarse tick (a few ms on Linux, 2 s on FAT), and a file changed twice within
 * one tick keeps its times. A directory changed less than this before it was listed is hashed on
 * every build until it has been still for that long.
 */
export const SETTLED_MS = 2000;

/** Bumped whenever the config or manifest written for the same inputs would change. */
export const RECORD_FORMAT = 'slipway-publish-v1';

/** What a registry push left, enough to push the same image under another tag. */
export interface PublishRecord {
  /** What decides the image (app directory, settings, base, target): see {@link PublishRecords}. */
  identity: string;
  /** The app directory as listed: paths, modes and each file's inode, size and times. */
  listing: string;
  /** The digest the base reference named. */
  baseDigest: string;
  /** The tagged manifest (one platform) or index (several). */
  digest: string;
  mediaType: string;
  /** Its bytes, base64. */
  bytes: string;
  platforms: string[];
  layers: number;
  /** How many blobs the image has (all of them already in the repository). */
  blobs: number;
}

/**
 * The app directory's listing as one string, or undefined when something in it changed too
 * recently (see {@link SETTLED_MS}) for the listing to vouch for the contents.
 */
export function settledListing(entries: TarEntry[], listedAt: number, settledMs = SETTLED_MS): string | undefined {
  const lines: string[] = [];
  for (const entry of entries) {
    if (entry.changedMs !== undefined && entry.changedMs >= listedAt - settledMs) return undefined;
    lines.push(`${entry.type}\0${entry.path}\0${entry.mode.toString(8)}\0${entry.linkname ?? ''}\0${entry.stamp ?? ''}`);
  }
  return lines.join('\n');
}

/**
 * The last registry push per app directory, settings, base and target, under `dir`
 * (`<file key of the identity>.json`). When the directory lists the same (unchanged files, by
 * inode, size and times, as `git status` tells them) and the registry still has the base digest
 * and the image, the builder pushes the recorded manifest under the new tag and is done: no file
 * is read or hashed, and no manifest is written anew.
 */
export class PublishRecords {
  readonly dir: string;

  constructor(dir: string) {
    this.dir = dir;
  }

  /** The record for `identity`, if there is one (its listing is for the caller to compare). */
  read(identity: string): PublishRecord | undefined {
    let record: PublishRecord;
    try {
      record = JSON.parse(readFileSync(join(this.dir, `${fileKey(identity)}.json`), 'utf8')) as PublishRecord;
    } catch {
      return undefined;
    }
    const complete = typeof record.digest === 'string' && typeof record.bytes === 'string' && typeof record.mediaType === 'string' && typeof record.baseDigest === 'string';
    return complete && typeof record.listing === 'string' && record.identity === identity ? record : undefined;
  }

  /** Replaces the record for its identity (atomically: temp file + rename). */
  async save(record: PublishRecord): Promise<void> {
    await fsp.mkdir(this.dir, { recursive: true });
    const file = join(this.dir, `${fileKey(record.identity)}.json`);
    const scratch = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}`;
    await fsp.writeFile(scratch, JSON.stringify(record));
    await fsp.rename(scratch, file);
  }
}
