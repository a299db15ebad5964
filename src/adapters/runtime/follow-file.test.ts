import { appendFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { followFile } from './follow-file.ts';

const dir = mkdtempSync(join(tmpdir(), 'slipway-follow-'));

async function collect(lines: AsyncIterable<string>, until: (seen: string[]) => boolean, stop?: AbortController): Promise<string[]> {
  const seen: string[] = [];
  for await (const line of lines) {
    seen.push(line);
    if (until(seen)) {
      stop?.abort();
      break;
    }
  }
  return seen;
}

describe('followFile', () => {
  it('gives the last lines, and the unfinished one at the end when not following', async () => {
    const file = join(dir, 'plain.log');
    writeFileSync(file, 'one\ntwo\nthree\nfour\npartial');
    expect(await collect(followFile(file, { tail: 2, follow: false }), () => false)).toEqual(['three', 'four', 'partial']);
    expect(await collect(followFile(file, { tail: 0, follow: false }), () => false)).toEqual(['partial']);
    expect(await collect(followFile(join(dir, 'absent.log'), { tail: 5, follow: false }), () => false)).toEqual([]);
  });

  it('leaves out the lines `keep` refuses before counting the tail, and among the lines appended later', async () => {
    const file = join(dir, 'kept.log');
    writeFileSync(file, 'a1\nb1\na2\nb2\nb3\n');
    const keep = (line: string) => line.startsWith('a');
    expect(await collect(followFile(file, { tail: 2, follow: false, keep }), () => false)).toEqual(['a1', 'a2']);
    const stop = new AbortController();
    setTimeout(() => appendFileSync(file, 'b4\na3\n'), 100);
    const seen = await collect(followFile(file, { tail: 1, follow: true, signal: stop.signal, pollMs: 20, keep }), (lines) => lines.length === 2, stop);
    expect(seen).toEqual(['a2', 'a3']);
  });

  it('follows lines appended later, a line only once it is complete, and stops when aborted', async () => {
    const file = join(dir, 'growing.log');
    writeFileSync(file, 'old\n');
    const stop = new AbortController();
    setTimeout(() => appendFileSync(file, 'new one\nhalf'), 100);
    setTimeout(() => appendFileSync(file, ' and the rest\n'), 250);
    const seen = await collect(followFile(file, { tail: 10, follow: true, signal: stop.signal, pollMs: 20 }), (lines) => lines.length === 3, stop);
    expect(seen).toEqual(['old', 'new one', 'half and the rest']);
  });

  it('waits for a file that does not exist yet, and reads a recreated file from its start', async () => {
    const file = join(dir, 'later.log');
    const stop = new AbortController();
    setTimeout(() => writeFileSync(file, 'first long line of the first life\n'), 80);
    setTimeout(() => writeFileSync(file, 'second\n'), 250);
    const seen = await collect(followFile(file, { tail: 10, follow: true, signal: stop.signal, pollMs: 20 }), (lines) => lines.includes('second'), stop);
    expect(seen).toEqual(['first long line of the first life', 'second']);
  });

  it('ends at once when the signal aborts while it waits', async () => {
    const stop = new AbortController();
    setTimeout(() => stop.abort(), 50);
    const started = Date.now();
    expect(await collect(followFile(join(dir, 'quiet.log'), { tail: 1, follow: true, signal: stop.signal, pollMs: 10_000 }), () => false)).toEqual([]);
    expect(Date.now() - started).toBeLessThan(2000);
  });
});
