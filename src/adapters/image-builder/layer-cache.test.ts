import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inputKey } from './layer-cache.ts';
import type { TarEntry } from './tar-writer.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'slipway-layer-key-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const file = (path: string, source: string, size: number): TarEntry => ({ path, type: 'file', mode: 0o644, size, source });

describe('inputKey', () => {
  it('hashes the same bytes to the same key whether they are in memory, read whole or streamed', async () => {
    const small = Buffer.from('console.log("hi")\n');
    const large = Buffer.alloc(3 * 1024 * 1024 + 7, 'x');
    await writeFile(join(dir, 'small.js'), small);
    await writeFile(join(dir, 'large.bin'), large);
    const fromDisk: TarEntry[] = [{ path: 'app/', type: 'dir', mode: 0o755 }, file('app/large.bin', join(dir, 'large.bin'), large.length), file('app/small.js', join(dir, 'small.js'), small.length)];
    const inMemory: TarEntry[] = [{ path: 'app/', type: 'dir', mode: 0o755 }, { path: 'app/large.bin', type: 'file', mode: 0o644, content: large }, { path: 'app/small.js', type: 'file', mode: 0o644, content: small }];
    expect(await inputKey(fromDisk, 0)).toBe(await inputKey(inMemory, 0));
  });

  it('changes with any file, large or small, in a context wider than the read-ahead window', async () => {
    const entries: TarEntry[] = [];
    for (let i = 0; i < 40; i++) {
      const name = `f${String(i).padStart(2, '0')}.txt`;
      await writeFile(join(dir, name), `file ${i}\n`);
      entries.push(file(`app/${name}`, join(dir, name), `file ${i}\n`.length));
    }
    await writeFile(join(dir, 'big.bin'), Buffer.alloc(2 * 1024 * 1024, 1));
    entries.push(file('app/big.bin', join(dir, 'big.bin'), 2 * 1024 * 1024));
    const before = await inputKey(entries, 0);
    expect(await inputKey(entries, 0)).toBe(before);
    await writeFile(join(dir, 'f33.txt'), 'file 3e\n');
    const afterSmall = await inputKey(entries, 0);
    expect(afterSmall).not.toBe(before);
    const big = Buffer.alloc(2 * 1024 * 1024, 1);
    big[big.length - 1] = 2;
    await writeFile(join(dir, 'big.bin'), big);
    expect(await inputKey(entries, 0)).not.toBe(afterSmall);
  });
});
