import { createHash } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { HashTap } from './hash-tap.ts';

describe('HashTap', () => {
  it('passes bytes through unchanged while counting and hashing them', async () => {
    const tap = new HashTap();
    const out: Buffer[] = [];
    await pipeline(Readable.from([Buffer.from('hello '), Buffer.from('world')]), tap, new Writable({ write: (chunk, _e, cb) => (out.push(chunk), cb()) }));
    expect(Buffer.concat(out).toString()).toBe('hello world');
    expect(tap.bytes).toBe(11);
    expect(tap.digest()).toBe(`sha256:${createHash('sha256').update('hello world').digest('hex')}`);
  });
});
