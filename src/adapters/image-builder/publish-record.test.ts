import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileKey } from './file-key.ts';
import { PublishRecords, SETTLED_MS, settledListing, type PublishRecord } from './publish-record.ts';
import type { TarEntry } from './tar-writer.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'slipway-records-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const entry = (path: string, changedMs: number, stamp = `1:10:${changedMs}000000:${changedMs}000000`): TarEntry => ({ path, type: 'file', mode: 0o644, source: `/x/${path}`, size: 10, stamp, changedMs });

describe('fileKey', () => {
  it('is FNV-1a 64 in hex (the published test vectors)', () => {
    expect(fileKey('')).toBe('cbf29ce484222325');
    expect(fileKey('a')).toBe('af63dc4c8601ec8c');
    expect(fileKey('foobar')).toBe('85944171f73967e8');
  });
});

describe('settledListing', () => {
  it('lists paths, modes and stamps, and refuses a directory changed within the settling time', () => {
    const now = 1_800_000_000_000;
    const old = [entry('app/a.js', now - 60_000), entry('app/b.js', now - SETTLED_MS - 1)];
    const listing = settledListing(old, now);
    expect(listing).toContain('app/a.js');
    expect(listing).toContain(old[0]?.stamp);
    expect(settledListing([...old, entry('app/c.js', now - 5)], now)).toBeUndefined();
    expect(settledListing([...old, entry('app/c.js', now - 5)], now, 1)).toBeDefined();
    // Any change of a stamp (same path, size and mode) gives another listing.
    expect(settledListing([old[0] as TarEntry, entry('app/b.js', now - SETTLED_MS - 1, 'other')], now)).not.toBe(listing);
  });
});

describe('PublishRecords', () => {
  const record: PublishRecord = { identity: '{"contextDir":"/apps/pomodoro"}', listing: 'file\0app/a.js', baseDigest: `sha256:${'b'.repeat(64)}`, digest: `sha256:${'c'.repeat(64)}`, mediaType: 'application/vnd.oci.image.manifest.v1+json', bytes: Buffer.from('{}').toString('base64'), platforms: ['linux/amd64'], layers: 2, blobs: 3 };

  it('reads a record back only for the same identity', async () => {
    const records = new PublishRecords(dir);
    await records.save(record);
    expect(records.read(record.identity)).toEqual(record);
    expect(records.read('{"contextDir":"/apps/other"}')).toBeUndefined();
    expect((await readdir(dir)).filter((name) => !name.endsWith('.json'))).toEqual([]);
  });

  it('treats a file named like the identity but holding another as a miss', async () => {
    const records = new PublishRecords(dir);
    await records.save({ ...record, identity: 'someone else' });
    // Same file name for the wrong identity: not taken.
    await writeFile(join(dir, `${fileKey(record.identity)}.json`), JSON.stringify({ ...record, identity: 'collided' }));
    expect(records.read(record.identity)).toBeUndefined();
    await writeFile(join(dir, `${fileKey(record.identity)}.json`), 'not json');
    expect(records.read(record.identity)).toBeUndefined();
  });
});
