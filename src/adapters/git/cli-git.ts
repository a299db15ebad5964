import { join } from 'node:path';
import { CancelledError, ConfigError, ExternalServiceError, InputError, assertSafeRelativePath } from '../../domain/index.ts';
import type { CommitInfo, CommitRequest, CommitResult, GitRepo, RepoFile } from '../../ports/index.ts';
import { CachedClone } from './cached-clone.ts';
import { ConfinedTree } from './confined-tree.ts';
import { gitAuth, type GitAuth, type GitHttpsOptions, type GitSshOptions } from './git-auth.ts';
import { gitEnvironment } from './git-process.ts';
import { DEFAULT_PUSH_RETRY, PushRetry, type PushRetryPolicy } from './push-retry.ts';
import { parseRemoteUrl, type RemoteUrl } from './remote-url.ts';
import { sleep as delay } from '../http/index.ts';
import { withFileLock } from '../os/index.ts';
import { commitMessage, validateCommitRequest } from './trailers.ts';

export interface CliGitOptions {
  /**
   * Any git remote: a path or file:// URL of a bare repository, https, or ssh (`git@host:owner/repo.git`).
   * Credentials in an https URL are taken out of it and sent like `https.token`.
   */
  url: string;
  branch: string;
  /** Where clones are kept between commits, one per remote; several processes may share it. */
  cacheDir: string;
  author: { name: string; email: string };
  /** Environment for every git call (e.g. PATH, HOME); nothing else is inherited. */
  env?: Record<string, string>;
  /** A deploy key for an ssh remote. */
  ssh?: GitSshOptions;
  /** A token for an https remote, sent in a header that never appears on a command line. */
  https?: GitHttpsOptions;
  /** How many times to push when other writers keep moving the branch (default 30). */
  maxPushAttempts?: number;
  /** How long to keep retrying such pushes, from the first attempt (default 60 s). */
  pushDeadlineMs?: number;
  /** Bounds of the random pause between push attempts (default 25 ms to 10 s; within them a pause follows how long an attempt takes). */
  pushRetryDelayMs?: { min?: number; max?: number };
  gitBinary?: string;
  /** How long to wait for another process using the same cache clone (default 120 s). */
  lockTimeoutMs?: number;
}

const BRANCH = /^(?!-)(?!.*\.\.)(?!.*\/\/)(?!.*\.lock$)(?!.*\/$)[A-Za-z0-9._/-]{1,200}$/;

/**
 * The GitRepo port over the git command line. Each commit fetches the branch into a cached clone,
 * applies the change on a fresh checkout, commits it with trailers and pushes; when another writer
 * pushed first it starts again from the new head, so no one's change is lost, pausing a random,
 * growing while between attempts (see PushRetry) until `maxPushAttempts` or `pushDeadlineMs` runs out.
 * Credentials (`ssh` deploy key, `https` token) reach git through its environment, never its argv.
 * @example
 * const repo = new CliGit({ url: '/srv/git/gitops.git', branch: 'main', cacheDir: '/var/cache/slipway/git', author: { name: 'Slipway', email: 'slipway@home.lan' } });
 * const { sha } = await repo.commit({ message: 'Deploy pomodoro', trailers: { 'Slipway-App': 'pomodoro' }, apply: (t) => t.write('apps/pomodoro/app.yaml', yaml) });
 * const overSsh = new CliGit({ url: 'git@git.home.lan:ops/gitops.git', ssh: { keyFile: '/etc/slipway/deploy_ed25519', knownHostsFile: '/etc/slipway/known_hosts' }, branch: 'main', cacheDir, author });
 * const overHttps = new CliGit({ url: 'https://git.home.lan/ops/gitops.git', https: { token }, branch: 'main', cacheDir, author });
 */
export class CliGit implements GitRepo {
  readonly displayUrl: string;
  readonly #remote: RemoteUrl;
  readonly #branch: string;
  readonly #author: { name: string; email: string };
  readonly #retry: PushRetryPolicy;
  readonly #auth: GitAuth;
  readonly #lockPath: string;
  readonly #lockTimeoutMs: number;
  readonly #clone: CachedClone;

  constructor(options: CliGitOptions) {
    if (!BRANCH.test(options.branch)) {
      throw new ConfigError(`invalid git branch name ${JSON.stringify(options.branch)}`, { hint: 'Use a plain branch name such as main or gitops/apps.' });
    }
    this.#remote = parseRemoteUrl(options.url);
    this.displayUrl = this.#remote.display;
    this.#branch = options.branch;
    this.#author = options.author;
    this.#retry = retryPolicy(options);
    this.#auth = gitAuth(this.#remote, { ssh: options.ssh, https: options.https });
    this.#lockTimeoutMs = options.lockTimeoutMs ?? 120_000;
    const dir = join(options.cacheDir, this.#remote.cacheKey);
    this.#lockPath = `${dir}.lock`;
    const proc = { binary: options.gitBinary ?? 'git', env: gitEnvironment({ ...options.env, ...this.#auth.env }, this.#auth.configEntries) };
    const context = { auth: this.#auth.kind, knownHostsFile: this.#auth.knownHostsFile };
    this.#clone = new CachedClone({ dir, remote: this.#remote, branch: options.branch, proc, secrets: this.#auth.secrets, context });
  }

  async commit(request: CommitRequest, signal?: AbortSignal): Promise<CommitResult> {
    validateCommitRequest(request);
    const wanted = Object.fromEntries((request.idempotencyTrailers ?? []).map((k) => [k, request.trailers[k]!.trim()]));
    const message = commitMessage(request.message, request.trailers);
    return this.#locked(signal, async () => {
      const retry = new PushRetry(this.#retry);
      for (let attempt = 1; ; attempt++) {
        const attemptStarted = Date.now();
        const head = await this.#clone.fetch(signal);
        if (head && Object.keys(wanted).length > 0) {
          const existing = await this.#clone.findByTrailers(head.commit, wanted, signal);
          if (existing) return { sha: existing, created: false, attempts: attempt };
        }
        await this.#clone.resetTo(head?.commit, signal);
        await request.apply(new ConfinedTree(this.#clone.dir));
        throwIfAborted(signal);
        const { tree, empty } = await this.#clone.stageAll(signal);
        // An empty repository that stays empty has no commit to name: sha is ''.
        if (head ? tree === head.tree : empty) return { sha: head?.commit ?? '', created: false, attempts: attempt };
        const sha = await this.#clone.commitTree(tree, head?.commit, message, this.#author, signal);
        if ((await this.#clone.push(sha, signal)) === 'pushed') return { sha, created: true, attempts: attempt };
        const pause = retry.nextDelay(attempt, Date.now() - attemptStarted);
        if (pause === undefined) {
          const seconds = Math.round(retry.elapsedMs() / 1000);
          throw new ExternalServiceError('git', `push to branch '${this.#branch}' of ${this.displayUrl} was rejected ${attempt} times in ${seconds} s: other writers kept changing it`, {
            hint: 'Retry the run; if it keeps happening, raise git maxPushAttempts or pushDeadlineMs, or look for a process that rewrites the branch.',
          });
        }
        await delay(pause, signal);
      }
    });
  }

  async log(options: { path?: string; limit?: number } = {}): Promise<CommitInfo[]> {
    const path = options.path === undefined ? undefined : assertSafeRelativePath(options.path);
    return this.#locked(undefined, async () => {
      const head = await this.#clone.fetch();
      if (!head) return [];
      return this.#clone.log(head.commit, { ...(path ? { path } : {}), ...(options.limit ? { limit: options.limit } : {}) });
    });
  }

  async listFiles(dir: string, options: { at?: string } = {}): Promise<RepoFile[]> {
    const folder = assertSafeRelativePath(dir).replace(/\/+$/, '');
    const at = commitId(options.at);
    return this.#locked(undefined, async () => {
      const head = await this.#clone.fetch();
      return head ? this.#clone.listFiles(at ?? head.commit, folder) : [];
    });
  }

  async readFile(path: string, options: { at?: string } = {}): Promise<Uint8Array | undefined> {
    const file = assertSafeRelativePath(path);
    const at = commitId(options.at);
    return this.#locked(undefined, async () => {
      const head = await this.#clone.fetch();
      return head ? this.#clone.readFile(at ?? head.commit, file) : undefined;
    });
  }

  #locked<T>(signal: AbortSignal | undefined, task: () => Promise<T>): Promise<T> {
    return withFileLock(
      this.#lockPath,
      async () => {
        await this.#auth.check();
        await this.#clone.prepare(signal);
        return task();
      },
      { timeoutMs: this.#lockTimeoutMs, signal },
    );
  }
}

function retryPolicy(options: CliGitOptions): PushRetryPolicy {
  const min = Math.max(0, options.pushRetryDelayMs?.min ?? DEFAULT_PUSH_RETRY.baseDelayMs);
  return {
    maxAttempts: Math.max(1, options.maxPushAttempts ?? DEFAULT_PUSH_RETRY.maxAttempts),
    deadlineMs: Math.max(0, options.pushDeadlineMs ?? DEFAULT_PUSH_RETRY.deadlineMs),
    baseDelayMs: min,
    maxDelayMs: Math.max(min, options.pushRetryDelayMs?.max ?? DEFAULT_PUSH_RETRY.maxDelayMs),
  };
}

/** An earlier commit to read from: a full SHA-1, so nothing else (an option, a range) reaches git's argv. */
function commitId(at: string | undefined): string | undefined {
  if (at !== undefined && !/^[0-9a-f]{40}$/.test(at)) throw new InputError(`not a commit id: ${JSON.stringify(at)}`, { hint: 'Give the full 40-character SHA-1 of a commit.' });
  return at;
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new CancelledError();
}
