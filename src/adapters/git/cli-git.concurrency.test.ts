import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBareRepo, logWithTrailers, readFileAtHead } from '../../../test/support/git-fixtures.ts';
import { startGitHttpServer, type GitHttpServer } from '../../../test/support/git-server.ts';
import { IDEMPOTENCY, PARENT, addApp, gitRepo, listedApps, tempRoot, trailersFor } from './cli-git.test-support.ts';

const root = tempRoot();
let http: GitHttpServer | undefined;
beforeAll(async () => {
  http = await startGitHttpServer();
});
afterAll(async () => {
  await http?.stop();
  rmSync(root, { recursive: true, force: true });
});

async function fileRemote(name: string): Promise<{ dir: string; url: string }> {
  const dir = await createBareRepo(join(root, name));
  return { dir, url: pathToFileURL(dir).href };
}

/** Resolves once `count` callers have arrived: makes writers read the same state before anyone pushes. */
function barrier(count: number): () => Promise<void> {
  let arrived = 0;
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return async () => {
    if (++arrived === count) open();
    await opened;
  };
}

async function expectEachAppOnce(remote: string, names: string[]): Promise<void> {
  expect(listedApps(await readFileAtHead(remote, PARENT)).sort()).toEqual([...names].sort());
  for (const name of names) expect(await readFileAtHead(remote, `apps/${name}/deployment.yaml`)).toContain(`name: ${name}`);
  const log = await logWithTrailers(remote);
  expect(log.map((c) => c.trailers['Slipway-App']).sort()).toEqual([...names].sort());
}

describe('CliGit with several writers', () => {
  it('lands two concurrent writers with their own caches: the loser retries on the new head, no lost update', async () => {
    const remote = await createBareRepo(join(root, 'two.git'));
    const meet = barrier(2);
    const write = (name: string) =>
      gitRepo(remote, join(root, `cache-two-${name}`)).commit({
        message: `Deploy ${name}`,
        trailers: trailersFor(name, `run-${name}`),
        idempotencyTrailers: IDEMPOTENCY,
        apply: async (tree) => {
          await addApp(tree, name);
          await meet(); // both have read the same parent list; only one push can win
        },
      });
    const results = await Promise.all([write('alpha'), write('beta')]);
    expect(results.every((r) => r.created)).toBe(true);
    expect(results.map((r) => r.attempts).sort()).toEqual([1, 2]);
    await expectEachAppOnce(remote, ['alpha', 'beta']);
  });

  it('lands a change once when the same run races itself: the loser finds the winner by its trailers', async () => {
    const remote = await createBareRepo(join(root, 'dup.git'));
    const meet = barrier(2);
    const write = (cache: string, file: string) =>
      gitRepo(remote, join(root, cache)).commit({
        message: 'Deploy demo',
        trailers: trailersFor('demo', 'run-same'),
        idempotencyTrailers: IDEMPOTENCY,
        apply: async (tree) => {
          await addApp(tree, 'demo');
          await tree.write(`apps/demo/${file}`, file); // different content, so only the trailers can match
          await meet();
        },
      });
    const results = await Promise.all([write('cache-dup-a', 'a'), write('cache-dup-b', 'b')]);
    expect(results.map((r) => r.created).sort()).toEqual([false, true]);
    expect(new Set(results.map((r) => r.sha)).size).toBe(1);
    expect(results.find((r) => !r.created)?.attempts).toBe(2);
    expect(await logWithTrailers(remote)).toHaveLength(1);
  });

  for (const transport of ['file', 'http'] as const) {
    it(`lands twenty concurrent writers over ${transport === 'file' ? 'file://' : 'smart HTTP'} with the default retry budget, each exactly once`, async () => {
      const { dir, url } = transport === 'file' ? await fileRemote('twenty.git') : await http!.createRepo('twenty.git');
      const names = Array.from({ length: 20 }, (_, i) => `app-${String(i).padStart(2, '0')}`);
      const meet = barrier(names.length);
      const started = Date.now();
      const results = await Promise.all(
        names.map((name) => {
          let first = true;
          return gitRepo(url, join(root, `cache-twenty-${transport}-${name}`)).commit({
            message: `Deploy ${name}`,
            trailers: trailersFor(name, `run-${name}`),
            idempotencyTrailers: IDEMPOTENCY,
            apply: async (tree) => {
              await addApp(tree, name);
              if (first) await meet(); // all twenty read the same list before anyone pushes: worst case
              first = false;
            },
          });
        }),
      );
      const seconds = (Date.now() - started) / 1000;
      const attempts = results.map((r) => r.attempts).sort((a, b) => a - b);
      console.info(`twenty writers over ${transport}: ${seconds.toFixed(1)} s, push attempts ${attempts.join(' ')} (max ${attempts.at(-1)})`);
      expect(results.every((r) => r.created)).toBe(true);
      expect(attempts[0]).toBe(1);
      expect(new Set(results.map((r) => r.sha)).size).toBe(20);
      await expectEachAppOnce(dir, names);
      expect(await logWithTrailers(dir)).toHaveLength(20);
    }, 90_000); // the writers' own deadline is 60 s
  }

  it('serialises instances sharing one cache dir: nobody is rejected, everything lands', async () => {
    const remote = await createBareRepo(join(root, 'shared.git'));
    const cache = join(root, 'cache-shared');
    const names = ['one', 'two', 'three', 'four', 'five', 'six'];
    const results = await Promise.all(
      names.map((name) => gitRepo(remote, cache).commit({ message: `Deploy ${name}`, trailers: trailersFor(name, `run-${name}`), apply: (t) => addApp(t, name) })),
    );
    // Under the lock each writer fetches after the previous push, so no push is ever rejected.
    expect(results.map((r) => r.attempts)).toEqual(names.map(() => 1));
    await expectEachAppOnce(remote, names);
  });

  it('serialises separate processes sharing one cache dir through the lock file', async () => {
    const remote = await createBareRepo(join(root, 'procs.git'));
    const cache = join(root, 'cache-procs');
    const moduleUrl = new URL('./cli-git.test-support.ts', import.meta.url).href;
    const script = `
      const { gitRepo, addApp, trailersFor } = await import(${JSON.stringify(moduleUrl)});
      const [remote, cache, prefix] = process.argv.slice(1);
      const attempts = [];
      for (let i = 0; i < 3; i++) {
        const name = prefix + '-' + i;
        const r = await gitRepo(remote, cache).commit({ message: 'Deploy ' + name, trailers: trailersFor(name, 'run-' + name), apply: (t) => addApp(t, name) });
        attempts.push(r.attempts);
      }
      process.stdout.write(JSON.stringify(attempts));`;
    const child = (prefix: string) =>
      new Promise<number[]>((resolve, reject) => {
        const proc = spawn(process.execPath, ['--input-type=module', '-e', script, remote, cache, prefix], { stdio: ['ignore', 'pipe', 'pipe'] });
        let out = '';
        let err = '';
        proc.stdout.on('data', (d) => (out += d));
        proc.stderr.on('data', (d) => (err += d));
        proc.once('close', (code) => (code === 0 ? resolve(JSON.parse(out) as number[]) : reject(new Error(`writer ${prefix} failed: ${err}`))));
      });
    const attempts = (await Promise.all([child('p'), child('q'), child('r')])).flat();
    expect(attempts).toEqual(Array(9).fill(1));
    await expectEachAppOnce(remote, ['p', 'q', 'r'].flatMap((p) => [0, 1, 2].map((i) => `${p}-${i}`)));
  });
});
