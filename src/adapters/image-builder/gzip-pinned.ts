import { Transform, type TransformCallback } from 'node:stream';
import { constants, createGzip, type Gzip } from 'node:zlib';

/**
 * The gzip OS byte (RFC 1952 §2.3.1) written into every layer: 255, "unknown", as Go's
 * compress/gzip writes it. zlib fills it from its build (3 on Unix, other values elsewhere), which
 * would make the same tar hash differently depending on where Slipway runs.
 */
export const GZIP_OS_BYTE = 0xff;

/** Compression level of app layers: zlib's default, a good trade for small text-heavy apps. */
export const GZIP_LEVEL = 6;

/**
 * The two stages of a gzip stream whose header is the same everywhere: zlib's gzip (MTIME 0, no
 * file name) followed by a patch of the OS byte to {@link GZIP_OS_BYTE}. The header has no CRC of its
 * own (FHCRC unset), so patching it is safe.
 * @example await pipeline(tar, ...pinnedGzipStages(), out)
 */
export function pinnedGzipStages(level = GZIP_LEVEL): [Gzip, PatchByte] {
  return [createGzip({ level, memLevel: 8, windowBits: 15, strategy: constants.Z_DEFAULT_STRATEGY }), new PatchByte(9, GZIP_OS_BYTE)];
}

/** Replaces the byte at `offset` of the stream with `value`, wherever the chunk boundaries fall. */
export class PatchByte extends Transform {
  private seen = 0;
  private readonly offset: number;
  private readonly value: number;

  constructor(offset: number, value: number) {
    super();
    this.offset = offset;
    this.value = value;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    const start = this.seen;
    this.seen += chunk.length;
    if (start <= this.offset && this.offset < this.seen) {
      const copy = Buffer.from(chunk);
      copy[this.offset - start] = this.value;
      callback(null, copy);
      return;
    }
    callback(null, chunk);
  }
}
