/** How much of a program's output a failure carries: enough for a model or a person to act on. */
export const DETAIL_MAX_LINES = 60;
export const DETAIL_MAX_BYTES = 4096;

/**
 * Keeps only the end of a stream of output, so a chatty or looping program cannot fill memory.
 * @example
 * const tail = new OutputTail();
 * child.stdout.on('data', (chunk) => tail.append(chunk));
 * tail.text(); // the last 64 KiB at most
 */
export class OutputTail {
  private buffer = '';
  private readonly limit: number;

  constructor(limit = 64 * 1024) {
    this.limit = limit;
  }

  append(chunk: Buffer | string): void {
    this.buffer += typeof chunk === 'string' ? chunk : chunk.toString('utf8');
    // Trim in batches: slicing on every chunk would copy the buffer each time.
    if (this.buffer.length > this.limit * 2) this.buffer = this.buffer.slice(-this.limit);
  }

  text(): string {
    return this.buffer.length > this.limit ? this.buffer.slice(-this.limit) : this.buffer;
  }
}

/**
 * The last lines of `text`, at most `maxLines` lines and about `maxBytes` bytes, with a marker when
 * something was cut. Errors are at the end of a program's output, so the end is what is kept.
 * @example boundDetail('a\nb\nc', { maxLines: 2 }) // '…\nb\nc'
 */
export function boundDetail(text: string, limits: { maxLines?: number; maxBytes?: number } = {}): string {
  const maxLines = limits.maxLines ?? DETAIL_MAX_LINES;
  const maxBytes = limits.maxBytes ?? DETAIL_MAX_BYTES;
  const lines = text.replace(/\s+$/, '').split('\n');
  let cut = lines.length > maxLines;
  let kept = lines.slice(-maxLines).join('\n');
  if (Buffer.byteLength(kept) > maxBytes) {
    cut = true;
    const bytes = Buffer.from(kept);
    // Decoding from an arbitrary byte may split a character; the replacement char is dropped.
    kept = bytes.subarray(bytes.length - maxBytes).toString('utf8').replace(/^\uFFFD+/, '');
    const newline = kept.indexOf('\n');
    if (newline >= 0 && newline < 200) kept = kept.slice(newline + 1);
  }
  return cut ? `…\n${kept}` : kept;
}

/** Replaces every occurrence of `path` in `text` with `label`, so details do not depend on where the sandbox ran. */
export function replacePath(text: string, path: string, label: string): string {
  return path.length > 1 ? text.split(path).join(label) : text;
}
