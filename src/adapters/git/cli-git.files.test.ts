import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InputError } from '../../domain/index.ts';
import { createBareRepo } from '../../../test/support/git-fixtures.ts';
import { gitRepo, tempRoot, trailersFor } from './cli-git.test-support.ts';

const root = tempRoot();
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('CliGit reads the branch head', () => {
  it('lists a folder (relative, sorted, with sizes) and reads text and binary files as committed', async () => {
    const remote = await createBareRepo(join(root, 'files.git'));
    const repo = gitRepo(remote, join(root, 'cache'));
    expect(await repo.listFiles('notes')).toEqual([]);
    expect(await repo.readFile('notes/server.js')).toBeUndefined();
    await repo.commit({
      message: 'Deploy notes', trailers: trailersFor('notes', 'run-1'),
      apply: async (tree) => {
        await tree.write('notes/server.js', 'console.log(1);\n');
        await tree.write('notes/public/a b.png', new Uint8Array([137, 80, 0, 255]));
        await tree.write('notes-other/x.txt', 'not in notes\n');
        await tree.write('other/notes/y.txt', 'nor this\n');
      },
    });
    expect(await repo.listFiles('notes')).toEqual([{ path: 'public/a b.png', size: 4 }, { path: 'server.js', size: 16 }]);
    expect(new TextDecoder().decode(await repo.readFile('notes/server.js'))).toBe('console.log(1);\n');
    expect([...(await repo.readFile('notes/public/a b.png'))!]).toEqual([137, 80, 0, 255]);
    // A folder is not a file.
    expect(await repo.readFile('notes/public')).toBeUndefined();
    // A commit pushed by another writer is seen: the head is fetched on each call.
    const other = gitRepo(remote, join(root, 'cache-other'));
    await other.commit({ message: 'Change notes', trailers: trailersFor('notes', 'run-2'), apply: (tree) => tree.remove('notes/public') });
    expect(await repo.listFiles('notes')).toEqual([{ path: 'server.js', size: 16 }]);
  });

  it('reads a folder and a file as an earlier commit had them, and refuses anything but a full commit id', async () => {
    const repo = gitRepo(await createBareRepo(join(root, 'earlier.git')), join(root, 'cache-earlier'));
    const first = await repo.commit({ message: 'v1', trailers: trailersFor('notes', 'run-1'), apply: (tree) => tree.write('notes/server.js', 'v1\n') });
    await repo.commit({ message: 'v2', trailers: trailersFor('notes', 'run-2'), apply: async (tree) => {
      await tree.write('notes/server.js', 'v2, longer\n');
      await tree.write('notes/new.txt', 'new\n');
    } });
    expect(await repo.listFiles('notes', { at: first.sha })).toEqual([{ path: 'server.js', size: 3 }]);
    expect(new TextDecoder().decode(await repo.readFile('notes/server.js', { at: first.sha }))).toBe('v1\n');
    expect(new TextDecoder().decode(await repo.readFile('notes/server.js'))).toBe('v2, longer\n');
    await expect(repo.readFile('notes/server.js', { at: '--output=/tmp/x' })).rejects.toBeInstanceOf(InputError);
    await expect(repo.listFiles('notes', { at: 'HEAD~1' })).rejects.toBeInstanceOf(InputError);
  });

  it('refuses a path that climbs out of the repository', async () => {
    const repo = gitRepo(await createBareRepo(join(root, 'escape.git')), join(root, 'cache-escape'));
    await expect(repo.readFile('notes/../../etc/passwd')).rejects.toBeInstanceOf(InputError);
    await expect(repo.listFiles('/etc')).rejects.toBeInstanceOf(InputError);
  });
});
