import { open } from 'node:fs/promises';
import { setTimeout as delay } from 'node:timers/promises';

/** How much of the file's end is read for the first lines: a log may be large, the tail asked for is not. */
const TAIL_WINDOW = 1024 * 1024;

/**
 * A text file's lines, as `tail -n <tail> [-F]` gives them: the last `tail` lines, then (with `follow`)
 * each line appended after, read every `pollMs` until `signal` aborts. Polling rather than fs.watch:
 * it works the same on every file system, and a log grows slowly. A file that is not there yet is
 * waited for; one that shrank (rotated or recreated) is read again from its start. `keep`, called with
 * every line in order, leaves lines out before the tail is counted (e.g. lines older than a time).
 * @example for await (const line of followFile('/home/me/.slipway/logs/notes.log', { tail: 200, follow: true, signal })) send(line);
 */
export async function* followFile(path: string, options: { tail: number; follow: boolean; signal?: AbortSignal; pollMs?: number; keep?: (line: string) => boolean }): AsyncGenerator<string> {
  const { signal } = options;
  const pollMs = options.pollMs ?? 250;
  const keep = options.keep ?? (() => true);
  let position = 0;
  let pending = '';
  const size = await sizeOf(path);
  if (size !== undefined) {
    const start = Math.max(0, size - TAIL_WINDOW);
    const text = await readRange(path, start, size);
    position = size;
    const lines = text.split('\n');
    pending = lines.pop() ?? '';
    // A window that starts mid-file starts mid-line: that partial first line is dropped.
    if (start > 0) lines.shift();
    const kept = lines.filter(keep);
    yield* options.tail > 0 ? kept.slice(-options.tail) : [];
  }
  if (!options.follow) {
    if (pending && keep(pending)) yield pending;
    return;
  }
  while (!signal?.aborted) {
    try {
      await delay(pollMs, undefined, signal ? { signal } : {});
    } catch {
      return;
    }
    const now = await sizeOf(path);
    if (now === undefined) continue;
    if (now < position) {
      position = 0;
      pending = '';
    }
    if (now === position) continue;
    const lines = (pending + (await readRange(path, position, now))).split('\n');
    position = now;
    pending = lines.pop() ?? '';
    yield* lines.filter(keep);
  }
}

async function sizeOf(path: string): Promise<number | undefined> {
  try {
    const handle = await open(path, 'r');
    try {
      return (await handle.stat()).size;
    } finally {
      await handle.close();
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

async function readRange(path: string, start: number, end: number): Promise<string> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(end - start);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, start);
    return buffer.subarray(0, bytesRead).toString('utf8');
  } finally {
    await handle.close();
  }
}
