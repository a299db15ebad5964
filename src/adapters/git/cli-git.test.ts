import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { CancelledError, ExternalServiceError, InputError } from '../../domain/index.ts';
import { createBareRepo, logWithTrailers, readFileAtHead } from '../../../test/support/git-fixtures.ts';
import { IDEMPOTENCY, PARENT, addApp, gitRepo, listedApps, removeApp, tempRoot, trailersFor } from './cli-git.test-support.ts';

const root = tempRoot();
afterAll(() => rmSync(root, { recursive: true, force: true }));
let counter = 0;
/** A fresh empty bare remote and cache dir per test. */
async function fresh(): Promise<{ remote: string; cache: string }> {
  const n = ++counter;
  return { remote: await createBareRepo(join(root, `remote-${n}.git`)), cache: join(root, `cache-${n}`) };
}

describe('CliGit', () => {
  it('makes the first commit in an empty bare repository, with the exact bytes written', async () => {
    const { remote, cache } = await fresh();
    const repo = gitRepo(remote, cache);
    const result = await repo.commit({
      message: 'Deploy demo',
      trailers: trailersFor('demo', 'run-1'),
      apply: async (tree) => {
        // A repository attribute asking for line-ending conversion must not change what Slipway writes.
        await tree.write('.gitattributes', '* text eol=crlf\n');
        await tree.write('apps/demo/crlf.txt', 'a\r\nb\r\n');
        await tree.write('apps/demo/blob.bin', new Uint8Array([0, 255, 13, 10, 1]));
        await addApp(tree, 'demo');
      },
    });
    expect(result).toMatchObject({ created: true, attempts: 1 });
    const log = await logWithTrailers(remote);
    expect(log.map((c) => c.sha)).toEqual([result.sha]);
    expect(await readFileAtHead(remote, 'apps/demo/crlf.txt')).toBe('a\r\nb\r\n');
    const blob = execFileSync('git', ['--git-dir', remote, 'cat-file', 'blob', 'HEAD:apps/demo/blob.bin']);
    expect([...blob]).toEqual([0, 255, 13, 10, 1]);
    expect(listedApps(await readFileAtHead(remote, PARENT))).toEqual(['demo']);
  });

  it('updates a file that apply reads and rewrites (file:// URL), on top of the previous commit', async () => {
    const { remote, cache } = await fresh();
    const repo = gitRepo(pathToFileURL(remote).href, cache);
    const first = await repo.commit({ message: 'Deploy one', trailers: trailersFor('one', 'run-1'), apply: (t) => addApp(t, 'one') });
    const second = await repo.commit({ message: 'Deploy two', trailers: trailersFor('two', 'run-2'), apply: (t) => addApp(t, 'two') });
    expect(second.created).toBe(true);
    expect(listedApps(await readFileAtHead(remote, PARENT))).toEqual(['one', 'two']);
    const parents = execFileSync('git', ['--git-dir', remote, 'rev-parse', `${second.sha}^`]).toString().trim();
    expect(parents).toBe(first.sha);
  });

  it('removes a directory and reports history per path, newest first', async () => {
    const { remote, cache } = await fresh();
    const repo = gitRepo(remote, cache);
    await repo.commit({ message: 'Deploy a', trailers: trailersFor('a', 'run-1'), apply: (t) => addApp(t, 'a') });
    await repo.commit({ message: 'Deploy b', trailers: trailersFor('b', 'run-2'), apply: (t) => addApp(t, 'b') });
    const removed = await repo.commit({ message: 'Remove a', trailers: trailersFor('a', 'run-3', 'remove'), apply: (t) => removeApp(t, 'a') });
    expect(removed.created).toBe(true);
    expect(await readFileAtHead(remote, 'apps/a/deployment.yaml')).toBeUndefined();
    expect(await readFileAtHead(remote, 'apps/b/deployment.yaml')).toContain('name: b');
    expect(listedApps(await readFileAtHead(remote, PARENT))).toEqual(['b']);
    const history = await repo.log({ path: 'apps/a' });
    expect(history.map((c) => c.subject)).toEqual(['Remove a', 'Deploy a']);
    expect(history[0]).toMatchObject({ sha: removed.sha, author: 'Slipway', trailers: trailersFor('a', 'run-3', 'remove') });
    expect(new Date(history[0]!.date).toISOString()).not.toBe('Invalid Date');
    expect(await repo.log({ limit: 1 })).toHaveLength(1);
  });

  it('writes trailers that git itself parses, and keeps a trailer-like body line out of them', async () => {
    const { remote, cache } = await fresh();
    const repo = gitRepo(remote, cache);
    await repo.commit({
      message: 'Deploy demo\n\nImage: 127.0.0.1:5000/demo@sha256:abc',
      trailers: { ...trailersFor('demo', 'run-9'), 'Slipway-Source': 'deadbeef' },
      apply: (t) => addApp(t, 'demo'),
    });
    const [commit] = await logWithTrailers(remote);
    expect(commit?.subject).toBe('Deploy demo');
    expect(commit?.trailers).toEqual({ ...trailersFor('demo', 'run-9'), 'Slipway-Source': 'deadbeef' });
    const body = execFileSync('git', ['--git-dir', remote, 'log', '-1', '--format=%B']).toString();
    expect(body).toContain('Image: 127.0.0.1:5000/demo@sha256:abc');
  });

  it('returns the existing commit when one already carries the idempotency trailers', async () => {
    const { remote, cache } = await fresh();
    const request = { message: 'Deploy demo', trailers: trailersFor('demo', 'run-1'), idempotencyTrailers: IDEMPOTENCY };
    const first = await gitRepo(remote, cache).commit({ ...request, apply: (t) => addApp(t, 'demo') });
    // Another commit in between, and a second instance with its own cache: the check reads the remote.
    await gitRepo(remote, join(cache, 'x')).commit({ message: 'Deploy other', trailers: trailersFor('other', 'run-2'), apply: (t) => addApp(t, 'other') });
    let applied = 0;
    const again = await gitRepo(remote, join(cache, 'y')).commit({ ...request, apply: async (t) => { applied++; await t.write('changed', 'x'); } });
    expect(again).toEqual({ sha: first.sha, created: false, attempts: 1 });
    expect(applied).toBe(0);
    const runs = (await logWithTrailers(remote)).filter((c) => c.trailers['Slipway-Run'] === 'run-1');
    expect(runs).toHaveLength(1);
  });

  it('does not commit when the change changes nothing', async () => {
    const { remote, cache } = await fresh();
    const repo = gitRepo(remote, cache);
    const first = await repo.commit({ message: 'Deploy demo', trailers: trailersFor('demo', 'run-1'), apply: (t) => addApp(t, 'demo') });
    const same = await repo.commit({ message: 'Deploy demo again', trailers: trailersFor('demo', 'run-2'), apply: (t) => addApp(t, 'demo') });
    expect(same).toEqual({ sha: first.sha, created: false, attempts: 1 });
    expect(await logWithTrailers(remote)).toHaveLength(1);
    const empty = await fresh();
    expect(await gitRepo(empty.remote, empty.cache).commit({ message: 'Nothing', trailers: {}, apply: async () => undefined })).toEqual({ sha: '', created: false, attempts: 1 });
    expect(await logWithTrailers(empty.remote)).toEqual([]);
    expect(await gitRepo(empty.remote, empty.cache).log()).toEqual([]);
  });

  it('confines apply to the work tree: no absolute paths, no .., no .git, no symbolic links out', async () => {
    const { remote, cache } = await fresh();
    const outside = join(root, 'outside');
    mkdirSync(outside);
    // Seed the remote with a symbolic link pointing outside the tree.
    const seed = join(root, 'seed');
    execFileSync('git', ['init', '--quiet', '-b', 'main', seed]);
    symlinkSync(outside, join(seed, 'escape'));
    execFileSync('git', ['-C', seed, 'add', '-A']);
    execFileSync('git', ['-C', seed, '-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '--quiet', '-m', 'seed']);
    execFileSync('git', ['-C', seed, 'push', '--quiet', remote, 'main']);
    const repo = gitRepo(remote, cache);
    for (const path of ['../x', '/etc/x', '.git/config', 'a/../../x', 'a\u0000b', 'escape/x']) {
      await expect(repo.commit({ message: 'bad', trailers: {}, apply: (t) => t.write(path, 'x') }), path).rejects.toBeInstanceOf(InputError);
    }
    await expect(repo.commit({ message: 'bad', trailers: {}, apply: (t) => t.remove('escape/x') })).rejects.toBeInstanceOf(InputError);
    expect(existsSync(join(outside, 'x'))).toBe(false);
    // A link at the end of a path is replaced by the file, never written through.
    await repo.commit({ message: 'replace link', trailers: {}, apply: async (t) => { expect(await t.read('escape')).toBeUndefined(); await t.write('escape', 'now a file\n'); } });
    expect(await readFileAtHead(remote, 'escape')).toBe('now a file\n');
    expect(await logWithTrailers(remote)).toHaveLength(2);
  });

  it('fails with an ExternalServiceError that names the remote but never its credentials', async () => {
    const repo = gitRepo('https://user:secret-token@127.0.0.1:1/x.git', join(root, 'cache-bad'));
    expect(repo.displayUrl).toBe('https://127.0.0.1:1/x.git');
    const error = await repo.commit({ message: 'x', trailers: {}, apply: async () => undefined }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ExternalServiceError);
    const { message, hint } = error as ExternalServiceError;
    expect(message).toContain('127.0.0.1:1');
    expect(message).toMatch(/could not fetch .*: the git server cannot be reached/);
    expect(`${message} ${hint}`).not.toContain('secret-token');
    expect(hint).toMatch(/reachable from this machine/);
    await expect(gitRepo(join(root, 'missing.git'), join(root, 'cache-missing')).log()).rejects.toThrow(/does not appear to be a git repository/);
  });

  it('does not retry a push the remote refuses for a reason other than a race', async () => {
    const { remote, cache } = await fresh();
    writeFileSync(join(remote, 'hooks', 'pre-receive'), '#!/bin/sh\necho "branch main is protected" >&2\nexit 1\n', { mode: 0o755 });
    let applied = 0;
    const error = await gitRepo(remote, cache).commit({ message: 'x', trailers: {}, apply: async (t) => { applied++; await t.write('x', 'x'); } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ExternalServiceError);
    expect((error as Error).message).toMatch(/could not push to branch 'main'.*branch main is protected/);
    expect(applied).toBe(1);
  });

  it('stops at once when cancelled and leaves the clone usable', async () => {
    const { remote, cache } = await fresh();
    const repo = gitRepo(remote, cache);
    const controller = new AbortController();
    const cancelled = repo.commit({ message: 'x', trailers: {}, apply: async (t) => { await addApp(t, 'x'); controller.abort(); } }, controller.signal);
    await expect(cancelled).rejects.toBeInstanceOf(CancelledError);
    expect(await logWithTrailers(remote)).toEqual([]);
    // A git that hangs (here: a stand-in program that sleeps) is killed on abort.
    const hanging = gitRepo(remote, cache, { gitBinary: join(root, 'hanging-git') });
    execFileSync('sh', ['-c', `printf '#!/bin/sh\\nexec sleep 30\\n' > "$1" && chmod +x "$1"`, 'sh', join(root, 'hanging-git')]);
    const started = Date.now();
    await expect(hanging.commit({ message: 'x', trailers: {}, apply: async () => undefined }, AbortSignal.timeout(300))).rejects.toBeInstanceOf(CancelledError);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect((await repo.commit({ message: 'Deploy y', trailers: {}, apply: (t) => addApp(t, 'y') })).created).toBe(true);
  });
});
