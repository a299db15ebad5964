import { realpathSync } from 'node:fs';
import { ExternalServiceError } from '../../domain/index.ts';
import { gitEnvironment, runGit, stderrTail } from './git-process.ts';

/** Who a commit is by (slipway.yaml's `git.author`). */
export interface CommitAuthor {
  name: string;
  email: string;
}

/**
 * Commits what changed under some paths of a working tree a person checked out (the GitOps repo),
 * as Slipway's author, leaving anything else they staged or changed out of the commit. Nothing
 * changed there → no commit.
 * @example await commitPaths('/home/me/gitops', ['kubernetes/slipway'], 'Bootstrap the cluster side', { name: 'Slipway', email: 'slipway@localhost' }) // 'a3f5c2b…' or undefined
 * @returns the new commit's sha, or undefined when there was nothing to commit.
 */
export async function commitPaths(dir: string, paths: readonly string[], message: string, author: CommitAuthor): Promise<string | undefined> {
  const env = gitEnvironment({
    GIT_AUTHOR_NAME: author.name,
    GIT_AUTHOR_EMAIL: author.email,
    GIT_COMMITTER_NAME: author.name,
    GIT_COMMITTER_EMAIL: author.email,
  });
  const git = (args: string[]) => runGit({ binary: 'git', env }, args, { cwd: dir });
  const added = await git(['add', '--all', '--', ...paths]);
  if (added.code !== 0) throw new ExternalServiceError('git', `git add in ${dir} failed: ${stderrTail(added.stderr)}`);
  const staged = await git(['diff', '--cached', '--quiet', '--', ...paths]);
  if (staged.code === 0) return undefined;
  if (staged.code !== 1) throw new ExternalServiceError('git', `git diff in ${dir} failed: ${stderrTail(staged.stderr)}`);
  // `commit -- <paths>` commits those paths only, whatever else is staged.
  const committed = await git(['commit', '--quiet', '--no-verify', '-m', message, '--', ...paths]);
  if (committed.code !== 0) throw new ExternalServiceError('git', `git commit in ${dir} failed: ${stderrTail(committed.stderr)}`);
  const head = await git(['rev-parse', 'HEAD']);
  return head.stdout.trim();
}

/**
 * Whether `dir` is the top of a git working tree (what `git rev-parse --show-toplevel` says of it).
 * @example await isWorkTreeTop('/home/me/gitops') // true
 */
export async function isWorkTreeTop(dir: string): Promise<boolean> {
  const out = await runGit({ binary: 'git', env: gitEnvironment() }, ['rev-parse', '--show-toplevel'], { cwd: dir });
  if (out.code !== 0) return false;
  return out.stdout.trim() === realpathSync(dir);
}

/**
 * The unified diff (git's, per file, without colour) from the files under `<dir>/a` to those under
 * `<dir>/b`, read as `a/<path>` and `b/<path>` as in any patch; '' when they are the same.
 * @example await unifiedDiff('/tmp/bootstrap-diff') // 'diff --git a/kubernetes/slipway/… b/kubernetes/slipway/…'
 */
export async function unifiedDiff(dir: string): Promise<string> {
  const out = await runGit({ binary: 'git', env: gitEnvironment() }, ['diff', '--no-index', '--no-color', '--no-ext-diff', '--no-prefix', '--', 'a', 'b'], { cwd: dir });
  // 1 means "they differ"; git also exits 1 when it cannot read a folder, which it says on stderr.
  if (out.code > 1 || (out.code === 1 && /^(error|fatal):/m.test(out.stderr))) throw new ExternalServiceError('git', `git diff failed: ${stderrTail(out.stderr)}`);
  // git names a file only one side has by that side twice (`b/x b/x`); a patch names both sides.
  return out.stdout.replace(/^diff --git [ab]\/(\S+) [ab]\/(\S+)$/gm, 'diff --git a/$1 b/$2');
}
