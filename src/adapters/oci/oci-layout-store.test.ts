import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InputError, NotFoundError } from '../../domain/errors.ts';
import { MediaType, sha256Digest } from './media-types.ts';
import { OciLayoutStore, parseOciLayoutRef } from './oci-layout-store.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'slipway-layout-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('OciLayoutStore', () => {
  it('round-trips blobs and tags, with index.json sorted by tag and byte-stable', async () => {
    const store = new OciLayoutStore(join(dir, 'a'));
    const one = await store.putJson(MediaType.ociManifest, { schemaVersion: 2, layers: [] });
    const two = await store.putBytes(MediaType.ociManifest, Buffer.from('{"schemaVersion":2,"x":1}'));
    await store.tag('zeta', one);
    await store.tag('alpha', two);
    await store.tag('zeta', two);
    expect(await store.tags()).toEqual(['alpha', 'zeta']);
    expect((await store.resolve('zeta')).digest).toBe(two.digest);
    expect((await store.resolve(one.digest)).digest).toBe(one.digest);
    expect((await store.readBlob(two.digest)).toString()).toBe('{"schemaVersion":2,"x":1}');
    expect(JSON.parse(await readFile(join(dir, 'a', 'oci-layout'), 'utf8'))).toEqual({ imageLayoutVersion: '1.0.0' });

    const other = new OciLayoutStore(join(dir, 'b'));
    await other.tag('alpha', await other.putBytes(MediaType.ociManifest, Buffer.from('{"schemaVersion":2,"x":1}')));
    await other.tag('zeta', await other.putBytes(MediaType.ociManifest, Buffer.from('{"schemaVersion":2,"x":1}')));
    expect(await readFile(join(dir, 'b', 'index.json'), 'utf8')).toBe(await readFile(join(dir, 'a', 'index.json'), 'utf8'));
  });

  it('checks streamed blobs against their digest and leaves nothing behind on a mismatch', async () => {
    const store = new OciLayoutStore(dir);
    const bytes = Buffer.from('layer bytes');
    await store.putStream(sha256Digest(bytes), bytes.length, Readable.from([bytes]));
    expect(await store.hasBlob(sha256Digest(bytes))).toBe(true);
    const wrong = sha256Digest(Buffer.from('something else'));
    await expect(store.putStream(wrong, bytes.length, Readable.from([bytes]))).rejects.toThrow(/arrived as/);
    expect(await store.hasBlob(wrong)).toBe(false);
  });

  it('explains unknown tags and refuses bad names', async () => {
    const store = new OciLayoutStore(dir);
    await store.tag('v1', await store.putJson(MediaType.ociManifest, {}));
    await expect(store.resolve('v2')).rejects.toMatchObject({ hint: 'Tags there: v1.' });
    await expect(store.resolve('v2')).rejects.toBeInstanceOf(NotFoundError);
    await expect(store.tag('../x', await store.putJson(MediaType.ociManifest, {}))).rejects.toBeInstanceOf(InputError);
    expect(() => store.blobPath('sha256:../../etc')).toThrow(InputError);
    await writeFile(join(dir, 'index.json'), '{"schemaVersion":2,"manifests":[]}');
    await expect(new OciLayoutStore(join(dir, 'missing')).resolve('v1')).rejects.toThrow(/not an OCI image layout/);
  });

  it('keeps every tag when several processes tag images in one layout at once', async () => {
    const layout = join(dir, 'shared');
    const module = new URL('./oci-layout-store.ts', import.meta.url).pathname;
    // Each process stores its own manifest and a shared one, then tags its own, ten times over.
    const program = `
      const { OciLayoutStore } = await import(${JSON.stringify(module)});
      const store = new OciLayoutStore(process.argv[1]);
      for (let i = 0; i < 10; i++) {
        await store.putJson('application/vnd.oci.image.manifest.v1+json', { schemaVersion: 2, shared: true });
        const own = await store.putJson('application/vnd.oci.image.manifest.v1+json', { schemaVersion: 2, app: process.argv[2], i });
        await store.tag(process.argv[2] + '_' + i, own);
      }`;
    const apps = ['a', 'b', 'c', 'd', 'e', 'f'];
    const codes = await Promise.all(apps.map((app) => new Promise<{ code: number | null; stderr: string }>((resolve, reject) => {
      const child = spawn(process.execPath, ['--input-type=module', '-e', program, layout, app], { stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (d) => (stderr += d));
      child.once('error', reject);
      child.once('close', (code) => resolve({ code, stderr }));
    })));
    expect(codes).toEqual(apps.map(() => ({ code: 0, stderr: '' })));
    const store = new OciLayoutStore(layout);
    expect(await store.tags()).toEqual(apps.flatMap((app) => Array.from({ length: 10 }, (_, i) => `${app}_${i}`)).sort());
    // One blob per distinct manifest, and no lock or partial file left behind.
    expect(await readdir(join(layout, 'blobs', 'sha256'))).toHaveLength(apps.length * 10 + 1);
    expect((await readdir(layout)).sort()).toEqual(['blobs', 'index.json', 'oci-layout']);
  }, 60_000);

  it('removes the tags asked for and keeps the others and every blob', async () => {
    const store = new OciLayoutStore(join(dir, 'u'));
    const one = await store.putJson(MediaType.ociManifest, { schemaVersion: 2, n: 1 });
    await store.tag('notes_aaaa', one);
    await store.tag('notes_bbbb', one);
    await store.tag('notes-api_cccc', one);
    expect(await store.untag((tag) => tag.startsWith('notes_'))).toEqual(['notes_aaaa', 'notes_bbbb']);
    expect(await store.tags()).toEqual(['notes-api_cccc']);
    expect(await store.hasBlob(one.digest)).toBe(true);
    expect(await new OciLayoutStore(join(dir, 'none')).untag(() => true)).toEqual([]);
  });

  it('parses oci: references', () => {
    expect(parseOciLayoutRef('oci:/srv/images:node')).toEqual({ dir: '/srv/images', reference: 'node' });
    expect(parseOciLayoutRef('oci:/srv/images')).toEqual({ dir: '/srv/images', reference: 'latest' });
    expect(parseOciLayoutRef('oci:/srv/a:b/images')).toEqual({ dir: '/srv/a:b/images', reference: 'latest' });
    const digest = `sha256:${'b'.repeat(64)}`;
    expect(parseOciLayoutRef(`oci:/srv/images@${digest}`)).toEqual({ dir: '/srv/images', reference: digest });
    expect(parseOciLayoutRef('registry.lan/x:1')).toBeUndefined();
  });
});
