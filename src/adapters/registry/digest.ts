import { createHash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';

/**
 * The digest of `bytes` with the algorithm `like` names (sha256 unless it says sha512).
 *
 * @example
 * digestOf(Buffer.from('')) // 'sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'
 */
export function digestOf(bytes: Buffer, like = 'sha256:'): string {
  const algorithm = like.startsWith('sha512:') ? 'sha512' : 'sha256';
  return `${algorithm}:${createHash(algorithm).update(bytes).digest('hex')}`;
}

/**
 * A pass-through stream that hashes what flows through and fails — instead of ending — when the
 * bytes do not hash to `expected` (or exceed / fall short of `size`), so a consumer never takes
 * a damaged blob for a whole one.
 *
 * @example
 * source.pipe(digestVerifier('sha256:…', { onMismatch: (actual) => new Error(`got ${actual}`) }))
 */
export function digestVerifier(
  expected: string,
  options: { size?: number; onMismatch: (actual: string, bytes: number) => Error },
): Transform {
  const algorithm = expected.startsWith('sha512:') ? 'sha512' : 'sha256';
  const hash = createHash(algorithm);
  let bytes = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback) {
      bytes += chunk.length;
      if (options.size !== undefined && bytes > options.size) {
        callback(options.onMismatch('(more bytes than its size)', bytes));
        return;
      }
      hash.update(chunk);
      callback(null, chunk);
    },
    flush(callback: TransformCallback) {
      const actual = `${algorithm}:${hash.digest('hex')}`;
      if (actual !== expected || (options.size !== undefined && bytes !== options.size)) callback(options.onMismatch(actual, bytes));
      else callback();
    },
  });
}
