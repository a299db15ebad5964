import { createReadStream } from 'node:fs';
import { InputError } from '../../domain/errors.ts';

/**
 * One entry of a layer tar. Paths are relative POSIX paths without a leading slash; directories end
 * with `/`. Content comes from a file on disk (`source`, streamed) or from memory (`content`).
 */
export interface TarEntry {
  path: string;
  type: 'file' | 'dir' | 'symlink';
  /** Permission bits only (e.g. 0o644); owner is always 0:0. */
  mode: number;
  size?: number;
  source?: string;
  content?: Buffer;
  linkname?: string;
  /**
   * For entries listed from disk: the file's identity when listed (inode, size, modification and
   * change times in ns), so a cache can tell an unchanged file without reading it...
   */
  stamp?: string;
  /** ...and when it last changed (ms since 1970), to tell a change too recent to be sure of. */
  changedMs?: number;
}

const BLOCK = 512;
const ZERO_BLOCK = Buffer.alloc(BLOCK);
const MAX_OCTAL_SIZE = 0o77777777777;

/**
 * Streams a POSIX tar (ustar, with pax `path`/`linkpath` records only when a name does not fit) for
 * the given entries, in the given order. Every header has uid/gid 0, empty uname/gname and the same
 * mtime, so equal inputs give equal bytes whatever the files' owners and times on disk.
 * @example Readable.from(tarStream([{ path: 'app/', type: 'dir', mode: 0o755 }], 0))
 */
export async function* tarStream(entries: Iterable<TarEntry> | AsyncIterable<TarEntry>, mtime: number): AsyncGenerator<Buffer> {
  for await (const entry of entries) {
    const size = entry.type === 'file' ? entrySize(entry) : 0;
    yield* headerBlocks(entry, size, mtime);
    if (entry.type !== 'file') continue;
    let written = 0;
    if (entry.content) {
      written = entry.content.length;
      if (written > 0) yield entry.content;
    } else if (entry.source) {
      for await (const chunk of createReadStream(entry.source)) {
        const buf = chunk as Buffer;
        // A file that grows while it is archived would corrupt the tar; stop at the announced size.
        const take = Math.min(buf.length, size - written);
        if (take > 0) yield take === buf.length ? buf : buf.subarray(0, take);
        written += take;
      }
    }
    if (written !== size) {
      throw new InputError(`${entry.path} changed while the layer was written (${written} of ${size} bytes)`, { hint: 'Build again once the app directory is no longer being written to.' });
    }
    const pad = (BLOCK - (size % BLOCK)) % BLOCK;
    if (pad > 0) yield ZERO_BLOCK.subarray(0, pad);
  }
  // End of archive: two zero blocks.
  yield Buffer.alloc(BLOCK * 2);
}

function entrySize(entry: TarEntry): number {
  const size = entry.content ? entry.content.length : entry.size ?? 0;
  if (size > MAX_OCTAL_SIZE) throw new InputError(`${entry.path} is larger than 8 GiB; layers hold small app files`);
  return size;
}

function headerBlocks(entry: TarEntry, size: number, mtime: number): Buffer[] {
  const blocks: Buffer[] = [];
  const split = splitUstarName(entry.path);
  const linkname = entry.linkname ?? '';
  const linkFits = Buffer.byteLength(linkname) <= 100 && isAscii(linkname);
  if (!split || !linkFits) {
    const records: string[] = [];
    if (!split) records.push(paxRecord('path', entry.path));
    if (!linkFits) records.push(paxRecord('linkpath', linkname));
    const body = Buffer.from(records.join(''), 'utf8');
    // The pax header's own name is fixed so that it does not depend on the process id (as GNU tar's does).
    blocks.push(header({ name: 'PaxHeaders/entry', prefix: '', mode: 0o644, size: body.length, mtime, typeflag: 'x', linkname: '' }));
    blocks.push(body);
    const pad = (BLOCK - (body.length % BLOCK)) % BLOCK;
    if (pad > 0) blocks.push(Buffer.alloc(pad));
  }
  const typeflag = entry.type === 'file' ? '0' : entry.type === 'dir' ? '5' : '2';
  const names = split ?? { name: truncateAscii(entry.path, 100), prefix: '' };
  blocks.push(header({ ...names, mode: entry.mode, size, mtime, typeflag, linkname: linkFits ? linkname : truncateAscii(linkname, 100) }));
  return blocks;
}

interface HeaderFields {
  name: string;
  prefix: string;
  mode: number;
  size: number;
  mtime: number;
  typeflag: string;
  linkname: string;
}

function header(fields: HeaderFields): Buffer {
  const block = Buffer.alloc(BLOCK);
  block.write(fields.name, 0, 100, 'utf8');
  writeOctal(block, fields.mode & 0o7777, 100, 8);
  writeOctal(block, 0, 108, 8);
  writeOctal(block, 0, 116, 8);
  writeOctal(block, fields.size, 124, 12);
  writeOctal(block, fields.mtime, 136, 12);
  block.fill(0x20, 148, 156); // checksum is computed with its own field as spaces
  block.write(fields.typeflag, 156, 1, 'ascii');
  block.write(fields.linkname, 157, 100, 'utf8');
  block.write('ustar\u000000', 257, 8, 'ascii');
  // uname/gname stay empty (NUL): numeric ids only, nothing from the build machine's user database.
  writeOctal(block, 0, 329, 8);
  writeOctal(block, 0, 337, 8);
  block.write(fields.prefix, 345, 155, 'utf8');
  let sum = 0;
  for (const byte of block) sum += byte;
  block.write(sum.toString(8).padStart(6, '0') + '\u0000 ', 148, 8, 'ascii');
  return block;
}

function writeOctal(block: Buffer, value: number, offset: number, length: number): void {
  block.write(Math.floor(value).toString(8).padStart(length - 1, '0') + '\u0000', offset, length, 'ascii');
}

/** Splits a path into ustar's `prefix` (155) and `name` (100) fields, or undefined when it cannot. */
function splitUstarName(path: string): { name: string; prefix: string } | undefined {
  if (!isAscii(path)) return undefined;
  if (path.length <= 100) return { name: path, prefix: '' };
  // Directories end with '/', which must stay in the name part.
  for (let i = path.length - 1; i > 0; i--) {
    if (path[i] !== '/' || i === path.length - 1) continue;
    const prefix = path.slice(0, i);
    const name = path.slice(i + 1);
    if (prefix.length <= 155 && name.length <= 100 && name.length > 0) return { name, prefix };
    if (prefix.length <= 155) return undefined;
  }
  return undefined;
}

function paxRecord(key: string, value: string): string {
  // A record is "<length> <key>=<value>\n" where <length> counts itself.
  const rest = ` ${key}=${value}\n`;
  const restBytes = Buffer.byteLength(rest);
  let length = restBytes + 1;
  while (String(length).length + restBytes !== length) length = String(length).length + restBytes;
  return `${length}${rest}`;
}

function isAscii(text: string): boolean {
  return /^[\u0020-\u007e]*$/.test(text);
}

function truncateAscii(text: string, max: number): string {
  return text.replace(/[^\u0020-\u007e]/g, '_').slice(0, max);
}
