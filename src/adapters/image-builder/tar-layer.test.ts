import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmod, mkdir, mkdtemp, readFile, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InputError } from '../../domain/errors.ts';
import { GZIP_OS_BYTE } from './gzip-pinned.ts';
import { collectContextEntries, workdirInLayer, writeLayerFile } from './tar-layer.ts';

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'slipway-tar-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function makeApp(root: string, options: { mtime?: number; mode?: number } = {}): Promise<void> {
  await mkdir(join(root, 'public', 'css'), { recursive: true });
  await mkdir(join(root, '.git'), { recursive: true });
  await mkdir(join(root, 'node_modules', '.cache'), { recursive: true });
  await writeFile(join(root, 'server.js'), 'console.log("hi")\n');
  await writeFile(join(root, 'public', 'index.html'), '<h1>pomodoro</h1>\n');
  await writeFile(join(root, 'public', 'css', 'a.css'), 'body{}\n');
  await writeFile(join(root, 'run.sh'), '#!/bin/sh\n');
  await writeFile(join(root, '.git', 'HEAD'), 'ref: refs/heads/main\n');
  await writeFile(join(root, 'node_modules', '.cache', 'x'), 'cache');
  await writeFile(join(root, 'node_modules', 'kept.js'), 'module.exports = 1\n');
  // A name too long for ustar's name+prefix split forces a pax record.
  await writeFile(join(root, `${'n'.repeat(120)}.txt`), 'long\n');
  await chmod(join(root, 'run.sh'), 0o700);
  await chmod(join(root, 'server.js'), options.mode ?? 0o600);
  await symlink('public/index.html', join(root, 'index.html'));
  if (options.mtime !== undefined) {
    for (const f of ['server.js', 'public/index.html', 'run.sh', 'public']) await utimes(join(root, f), options.mtime, options.mtime);
  }
}

async function build(root: string, out: string, mtime = 0) {
  const entries = await collectContextEntries(root, { workdir: '/app' });
  return { entries, info: await writeLayerFile(entries, out, { mtime }) };
}

describe('app layer tar', () => {
  it('gives the same bytes for the same files, whatever their times and modes on disk', async () => {
    await makeApp(join(dir, 'a'), { mtime: 1_000_000, mode: 0o600 });
    await makeApp(join(dir, 'b'), { mtime: 1_700_000_000, mode: 0o664 });
    const a = await build(join(dir, 'a'), join(dir, 'a.tgz'));
    const a2 = await build(join(dir, 'a'), join(dir, 'a2.tgz'));
    const b = await build(join(dir, 'b'), join(dir, 'b.tgz'));
    const bytesA = await readFile(join(dir, 'a.tgz'));
    expect(bytesA.equals(await readFile(join(dir, 'a2.tgz')))).toBe(true);
    expect(bytesA.equals(await readFile(join(dir, 'b.tgz')))).toBe(true);
    expect(a.info).toEqual(a2.info);
    expect(b.info).toEqual(a.info);
    expect(a.info.digest).toBe(`sha256:${createHash('sha256').update(bytesA).digest('hex')}`);
    expect(a.info.diffId).toBe(`sha256:${createHash('sha256').update(gunzipSync(bytesA)).digest('hex')}`);
    expect(a.info.size).toBe(bytesA.length);
  });

  it('changes when a file changes or when the epoch changes', async () => {
    await makeApp(join(dir, 'a'));
    const first = await build(join(dir, 'a'), join(dir, '1.tgz'));
    const later = await build(join(dir, 'a'), join(dir, '2.tgz'), 1_700_000_000);
    await writeFile(join(dir, 'a', 'server.js'), 'console.log("bye")\n');
    const edited = await build(join(dir, 'a'), join(dir, '3.tgz'));
    expect(later.info.diffId).not.toBe(first.info.diffId);
    expect(edited.info.diffId).not.toBe(first.info.diffId);
  });

  it('pins the gzip header: no mtime, no name, a fixed OS byte', async () => {
    await makeApp(join(dir, 'a'));
    await build(join(dir, 'a'), join(dir, 'a.tgz'));
    const head = (await readFile(join(dir, 'a.tgz'))).subarray(0, 10);
    expect([...head.subarray(0, 4)]).toEqual([0x1f, 0x8b, 8, 0]);
    expect(head.readUInt32LE(4)).toBe(0);
    expect(head[9]).toBe(GZIP_OS_BYTE);
  });

  it('lists explicit parents, normalised modes, root ownership and skips .git and caches (GNU tar agrees)', async () => {
    await makeApp(join(dir, 'a'));
    await build(join(dir, 'a'), join(dir, 'a.tgz'), 1_700_000_000);
    const listing = execFileSync('tar', ['--numeric-owner', '--full-time', '-tvzf', join(dir, 'a.tgz')], { encoding: 'utf8', env: { PATH: '/usr/bin:/bin', TZ: 'UTC' } });
    const lines = listing.trim().split('\n').map((l) => l.split(/\s+/));
    const byName = new Map(lines.map((cols) => [cols[5], cols]));
    const names = lines.map((cols) => cols[5]);
    expect(names[0]).toBe('app/');
    expect(names).toContain(`app/${'n'.repeat(120)}.txt`);
    expect(names).toContain('app/node_modules/kept.js');
    expect(names.some((n) => n?.includes('.git') || n?.includes('.cache'))).toBe(false);
    expect(byName.get('app/server.js')?.[0]).toBe('-rw-r--r--');
    expect(byName.get('app/run.sh')?.[0]).toBe('-rwxr-xr-x');
    expect(byName.get('app/public/')?.[0]).toBe('drwxr-xr-x');
    expect(byName.get('app/index.html')?.[0]).toBe('lrwxrwxrwx');
    expect(byName.get('app/index.html')?.[7]).toBe('public/index.html');
    for (const cols of lines) {
      expect(cols[1]).toBe('0/0');
      expect(`${cols[3]} ${cols[4]}`).toBe('2023-11-14 22:13:20');
    }
  });

  it('puts every parent of a deep workdir first', async () => {
    await writeFile(join(dir, 'x.js'), '1');
    const entries = await collectContextEntries(dir, { workdir: '/srv/apps/pomodoro/' });
    expect(entries.map((e) => e.path)).toEqual(['srv/', 'srv/apps/', 'srv/apps/pomodoro/', 'srv/apps/pomodoro/x.js']);
  });

  it('refuses links that leave the app directory, and bad workdirs', async () => {
    await symlink('../../etc/passwd', join(dir, 'escape'));
    await expect(collectContextEntries(dir, { workdir: '/app' })).rejects.toThrow(/points outside/);
    await rm(join(dir, 'escape'));
    await symlink('/etc/passwd', join(dir, 'absolute'));
    await expect(collectContextEntries(dir, { workdir: '/app' })).rejects.toBeInstanceOf(InputError);
    expect(() => workdirInLayer('app')).toThrow(InputError);
    expect(() => workdirInLayer('/app/../etc')).toThrow(InputError);
    expect(() => workdirInLayer('/')).toThrow(InputError);
  });
});

describe('listing and hashing a large app directory', () => {
  it('lets the event loop run between batches of file-system calls', async () => {
    const { inputKey } = await import('./layer-cache.ts');
    for (let d = 0; d < 4; d++) {
      await mkdir(join(dir, `d${d}`));
      await Promise.all(Array.from({ length: 200 }, (_, f) => writeFile(join(dir, `d${d}`, `f${f}.js`), `module.exports = ${d * 1000 + f};\n`)));
    }
    let turns = 0;
    let ticking = true;
    const tick = () => {
      turns += 1;
      if (ticking) setImmediate(tick);
    };
    setImmediate(tick);
    const entries = await collectContextEntries(dir, { workdir: '/app' });
    const afterListing = turns;
    await inputKey(entries, 0);
    ticking = false;
    expect(entries.filter((e) => e.type === 'file')).toHaveLength(800);
    // ~800 lstat calls and 800 reads in batches of 256: other work ran between the batches.
    expect(afterListing).toBeGreaterThanOrEqual(3);
    expect(turns - afterListing).toBeGreaterThanOrEqual(3);
  });
});
