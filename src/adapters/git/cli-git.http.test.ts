import { execFile } from 'node:child_process';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExternalServiceError } from '../../domain/index.ts';
import { logWithTrailers, readFileAtHead } from '../../../test/support/git-fixtures.ts';
import { startGitHttpServer, type GitHttpServer } from '../../../test/support/git-server.ts';
import { IDEMPOTENCY, PARENT, addApp, gitRepo, listedApps, tempRoot, trailersFor } from './cli-git.test-support.ts';

const run = promisify(execFile);
const TOKEN = 'tok-7f3a9c1e5b2d4680';
const ENCODED = Buffer.from(`x-access-token:${TOKEN}`).toString('base64');
const root = tempRoot();
let open: GitHttpServer;
let guarded: GitHttpServer;
let bearer: GitHttpServer;
/** Command lines of the git processes running while the guarded server answered. */
const clientArgv: string[] = [];

/** Every process's command line, as `ps` shows it to any user of the machine. */
function commandLines(): string[] {
  return readdirSync('/proc').filter((d) => /^\d+$/.test(d)).flatMap((pid) => {
    try {
      return [readFileSync(`/proc/${pid}/cmdline`, 'latin1').split('\0').join(' ')];
    } catch {
      return []; // exited meanwhile
    }
  });
}

beforeAll(async () => {
  open = await startGitHttpServer();
  guarded = await startGitHttpServer({
    auth: { username: 'x-access-token', password: TOKEN },
    onRequest: () => void clientArgv.push(...commandLines().filter((l) => /\bgit\b|git-remote-http/.test(l))),
  });
  bearer = await startGitHttpServer({ auth: { bearer: TOKEN } });
});
afterAll(async () => {
  await Promise.all([open?.stop(), guarded?.stop(), bearer?.stop()]);
  rmSync(root, { recursive: true, force: true });
});

let counter = 0;
const cache = () => join(root, `cache-${++counter}`);

describe('CliGit over smart HTTP', () => {
  it('commits and pushes without credentials, and reads the history back', async () => {
    const { dir, url } = await open.createRepo('plain.git');
    const repo = gitRepo(url, cache());
    const first = await repo.commit({ message: 'Deploy one', trailers: trailersFor('one', 'run-1'), apply: (t) => addApp(t, 'one') });
    const second = await repo.commit({ message: 'Deploy two', trailers: trailersFor('two', 'run-2'), apply: (t) => addApp(t, 'two') });
    expect([first.created, second.created]).toEqual([true, true]);
    expect(listedApps(await readFileAtHead(dir, PARENT))).toEqual(['one', 'two']);
    expect((await repo.log()).map((c) => c.sha)).toEqual([second.sha, first.sha]);
    expect(open.requests.some((r) => r.method === 'POST' && r.path === '/plain.git/git-receive-pack' && r.status === 200)).toBe(true);
  });

  it('pushes with a token that never appears on any command line (option or URL)', async () => {
    const { dir, url } = await guarded.createRepo('token.git');
    clientArgv.length = 0;
    await gitRepo(url, cache(), { https: { token: TOKEN } }).commit({ message: 'Deploy a', trailers: {}, apply: (t) => addApp(t, 'a') });
    const withUser = url.replace('http://', `http://x-access-token:${TOKEN}@`);
    await gitRepo(withUser, cache()).commit({ message: 'Deploy b', trailers: {}, apply: (t) => addApp(t, 'b') });
    expect(listedApps(await readFileAtHead(dir, PARENT))).toEqual(['a', 'b']);
    // The scan did see the client (git and its http helper, naming the URL) while it talked to the server...
    expect(clientArgv.some((l) => l.includes('git-remote-http') && l.includes('/token.git'))).toBe(true);
    expect(clientArgv.some((l) => l.includes('receive-pack') || l.includes(' push '))).toBe(true);
    // ...and the token was in none of them, neither plain nor encoded.
    expect(clientArgv.filter((l) => l.includes(TOKEN) || l.includes(ENCODED))).toEqual([]);
  });

  it('names a wrong or missing token clearly, without the token', async () => {
    const { url } = await guarded.createRepo('wrong.git');
    const wrong = 'tok-wrong-0000000000';
    const error = await gitRepo(url, cache(), { https: { token: wrong } }).commit({ message: 'x', trailers: {}, apply: (t) => addApp(t, 'x') }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ExternalServiceError);
    const { message, hint } = error as ExternalServiceError;
    expect(message).toMatch(/could not fetch branch 'main' of http:\/\/127\.0\.0\.1:\d+\/wrong\.git: the git server refused the token \(HTTP 401\)/);
    expect(hint).toMatch(/token is wrong, expired or revoked.*https\.token/);
    for (const secret of [wrong, Buffer.from(`x-access-token:${wrong}`).toString('base64')]) expect(`${message} ${hint}`).not.toContain(secret);
    const missing = await gitRepo(url, cache()).log().catch((e: unknown) => e);
    expect((missing as ExternalServiceError).message).toContain('wants credentials (HTTP 401)');
    expect((missing as ExternalServiceError).hint).toMatch(/Set git https\.token/);
    expect(guarded.requests.filter((r) => r.path === '/wrong.git/info/refs').map((r) => r.status)).toEqual([401, 401]);
  });

  it('sends a Bearer token when asked to', async () => {
    const { dir, url } = await bearer.createRepo('bearer.git');
    await gitRepo(url, cache(), { https: { token: TOKEN, scheme: 'bearer' } }).commit({ message: 'Deploy b', trailers: {}, apply: (t) => addApp(t, 'b') });
    expect(listedApps(await readFileAtHead(dir, PARENT))).toEqual(['b']);
    await expect(gitRepo(url, cache(), { https: { token: TOKEN } }).log()).rejects.toThrow(/refused the token/);
  });

  it('resumes without duplicates: a new instance with its own cache finds the commit by its trailers', async () => {
    const { dir, url } = await guarded.createRepo('resume.git');
    const request = { message: 'Deploy demo', trailers: trailersFor('demo', 'run-1'), idempotencyTrailers: IDEMPOTENCY };
    const first = await gitRepo(url, cache(), { https: { token: TOKEN } }).commit({ ...request, apply: (t) => addApp(t, 'demo') });
    await gitRepo(url, cache(), { https: { token: TOKEN } }).commit({ message: 'Deploy other', trailers: trailersFor('other', 'run-2'), apply: (t) => addApp(t, 'other') });
    let applied = 0;
    const again = await gitRepo(url, cache(), { https: { token: TOKEN } }).commit({ ...request, apply: async (t) => { applied++; await addApp(t, 'demo'); } });
    expect(again).toEqual({ sha: first.sha, created: false, attempts: 1 });
    expect(applied).toBe(0);
    expect((await logWithTrailers(dir)).filter((c) => c.trailers['Slipway-Run'] === 'run-1')).toHaveLength(1);
  });

  it('serves gzip-compressed request bodies (a fetch with many local commits to negotiate)', async () => {
    const { url } = await open.createRepo('gzip.git');
    await gitRepo(url, cache()).commit({ message: 'Deploy g', trailers: {}, apply: (t) => addApp(t, 'g') });
    const local = join(root, 'gzip-local');
    const git = (...args: string[]) => run('git', ['-C', local, '-c', 'user.name=t', '-c', 'user.email=t@t', ...args], { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', GIT_CONFIG_GLOBAL: '/dev/null' } });
    await run('git', ['init', '--quiet', '-b', 'main', local]);
    // Forty unrelated commits make the client announce forty "have" lines: a body git compresses.
    for (let i = 0; i < 40; i++) await git('commit', '--quiet', '--allow-empty', '-m', `local ${i}`);
    const before = open.requests.length;
    await git('fetch', '--quiet', url, 'main');
    expect((await git('log', '--format=%s', '-1', 'FETCH_HEAD')).stdout.trim()).toBe('Deploy g');
    expect(open.requests.slice(before).some((r) => r.gzip && r.status === 200)).toBe(true);
  });
});
