import { join } from 'node:path';
import { CancelledError, ConfigError, ExternalServiceError, assertSafeRelativePath } from '../../domain/index.ts';
import type { CommitInfo, CommitRequest, CommitResult, GitRepo } from '../../ports/index.ts';
import { CachedClone } from './cached-clone.ts';
import { ConfinedTree } from './confined-tree.ts';
import { gitEnvironment } from './git-process.ts';
import { parseRemoteUrl, type RemoteUrl } from './remote-url.ts';
import { delay, withRepoLock } from './repo-lock.ts';
import { commitMessage, validateCommitRequest } from './trailers.ts';

export interface CliGitOptions {
  /** Any git remote: a path or file:// URL of a bare repository, https (a token may be in the URL), ssh. */
  url: string;
  branch: string;
  /** Where clones are kept between commits, one per remote; several processes may share it. */
  cacheDir: string;
  author: { name: string; email: string };
  /** Environment for every git call (e.g. PATH, GIT_SSH_COMMAND, HOME); nothing else is inherited. */
  env?: Record<string, string>;
  /** How many times to push when other writers keep moving the branch (default 8). */
  maxPushAttempts?: number;
  gitBinary?: string;
  /** How long to wait for another process using the same cache clone (default 120 s). */
  lockTimeoutMs?: number;
}

const BRANCH = /^(?!-)(?!.*\.\.)(?!.*\/\/)(?!.*\.lock$)(?!.*\/$)[A-Za-z0-9._/-]{1,200}$/;

/**
 * The GitRepo port over the git command line. Each commit fetches the branch into a cached clone,
 * applies the change on a fresh checkout, commits it with trailers and pushes; when another writer
 * pushed first it starts again from the new head, so no one's change is lost.
 * @example
 * const repo = new CliGit({ url: '/srv/git/gitops.git', branch: 'main', cacheDir: '/var/cache/slipway/git', author: { name: 'Slipway', email: 'slipway@home.lan' } });
 * const { sha } = await repo.commit({ message: 'Deploy pomodoro', trailers: { 'Slipway-App': 'pomodoro' }, apply: (t) => t.write('apps/pomodoro/app.yaml', yaml) });
 */
export class CliGit implements GitRepo {
  readonly displayUrl: string;
  readonly #remote: RemoteUrl;
  readonly #branch: string;
  readonly #author: { name: string; email: string };
  readonly #maxAttempts: number;
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
    this.#maxAttempts = Math.max(1, options.maxPushAttempts ?? 8);
    this.#lockTimeoutMs = options.lockTimeoutMs ?? 120_000;
    const dir = join(options.cacheDir, this.#remote.cacheKey);
    this.#lockPath = `${dir}.lock`;
    const proc = { binary: options.gitBinary ?? 'git', env: gitEnvironment(options.env) };
    this.#clone = new CachedClone({ dir, remote: this.#remote, branch: options.branch, proc });
  }

  async commit(request: CommitRequest, signal?: AbortSignal): Promise<CommitResult> {
    validateCommitRequest(request);
    const wanted = Object.fromEntries((request.idempotencyTrailers ?? []).map((k) => [k, request.trailers[k]!.trim()]));
    const message = commitMessage(request.message, request.trailers);
    return this.#locked(signal, async () => {
      for (let attempt = 1; ; attempt++) {
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
        if (attempt >= this.#maxAttempts) {
          throw new ExternalServiceError('git', `push to branch '${this.#branch}' of ${this.displayUrl} was rejected ${attempt} times: other writers kept changing it`, {
            hint: 'Retry the run; if it keeps happening, raise git maxPushAttempts or look for a process that rewrites the branch.',
          });
        }
        // "Full jitter": a random pause below a growing cap spreads writers that collided apart.
        await delay(Math.random() * Math.min(5_000, 200 * 2 ** (attempt - 1)), signal);
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

  #locked<T>(signal: AbortSignal | undefined, task: () => Promise<T>): Promise<T> {
    return withRepoLock(
      this.#lockPath,
      async () => {
        await this.#clone.prepare(signal);
        return task();
      },
      { timeoutMs: this.#lockTimeoutMs, signal },
    );
  }
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new CancelledError();
}
