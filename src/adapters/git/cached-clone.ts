import { existsSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ExternalServiceError } from '../../domain/index.ts';
import type { CommitInfo, RepoFile } from '../../ports/index.ts';
import { diagnose, type DiagnosisContext } from './git-diagnosis.ts';
import { runGit, stderrTail, type GitOutput, type GitProcessOptions } from './git-process.ts';
import { redactRemote, type RemoteUrl } from './remote-url.ts';
import { LOG_FORMAT, hasAllTrailers, parseLogOutput } from './trailers.ts';

/**
 * Attributes for every path in the cache clone, ahead of any `.gitattributes` in the repository:
 * no line-ending conversion, filters or keyword expansion, so commits hold exactly the bytes written.
 */
const EXACT_BYTES_ATTRIBUTES = '* -text -filter -ident -working-tree-encoding\n';

/** The id of the empty tree (the cache clone is always created with SHA-1 object names). */
const EMPTY_TREE = '4b825dc642cb6eb9a060e54bf8d69288fbee4904';

export type PushOutcome = 'pushed' | 'rejected';

/**
 * One working clone of a remote branch, kept between commits. It never stores the remote URL (it
 * may carry a token): every fetch and push names it on the command line. Callers hold the repo lock.
 */
export class CachedClone {
  readonly dir: string;
  readonly #remote: RemoteUrl;
  readonly #branch: string;
  readonly #proc: GitProcessOptions;
  readonly #trackingRef: string;
  readonly #secrets: readonly string[];
  readonly #context: DiagnosisContext;

  constructor(options: { dir: string; remote: RemoteUrl; branch: string; proc: GitProcessOptions; secrets?: readonly string[]; context?: DiagnosisContext }) {
    this.dir = options.dir;
    this.#remote = options.remote;
    this.#branch = options.branch;
    this.#proc = options.proc;
    this.#secrets = options.secrets ?? [];
    this.#context = options.context ?? { auth: 'none' };
    this.#trackingRef = `refs/slipway/remote/${options.branch}`;
  }

  /** Creates the clone if missing (or broken), and clears a lock left by a git that was killed. */
  async prepare(signal?: AbortSignal): Promise<void> {
    if (!existsSync(join(this.dir, '.git', 'HEAD'))) {
      await rm(this.dir, { recursive: true, force: true });
      await mkdir(this.dir, { recursive: true });
      await this.#git(['init', '--quiet', '--object-format=sha1', '.'], 'create the cache clone', signal);
    }
    await mkdir(join(this.dir, '.git', 'info'), { recursive: true });
    await writeFile(join(this.dir, '.git', 'info', 'attributes'), EXACT_BYTES_ATTRIBUTES);
    // Safe: we hold the repo lock, so no other git works in this clone.
    await rm(join(this.dir, '.git', 'index.lock'), { force: true });
  }

  /** Fetches the branch; returns its head commit and tree, or undefined when the remote has no such branch yet. */
  async fetch(signal?: AbortSignal): Promise<{ commit: string; tree: string } | undefined> {
    const refspec = `+refs/heads/${this.#branch}:${this.#trackingRef}`;
    const out = await runGit(this.#proc, ['fetch', '--quiet', '--no-tags', '--no-write-fetch-head', '--no-recurse-submodules', this.#remote.forGit, refspec], { cwd: this.dir, signal });
    if (out.code !== 0) {
      if (/couldn't find remote ref/i.test(out.stderr)) {
        await this.#git(['update-ref', '-d', this.#trackingRef], 'forget the branch', signal);
        return undefined;
      }
      throw this.#error(`could not fetch branch '${this.#branch}'`, out, 'Check the remote URL, that Slipway can reach it, and its credentials (token or deploy key).');
    }
    const [commit = '', tree = ''] = (await this.#git(['rev-parse', `${this.#trackingRef}^{commit}`, `${this.#trackingRef}^{tree}`], 'read the fetched branch', signal)).split('\n');
    return { commit, tree };
  }

  /** Makes the work tree exactly the given commit (or empty when there is none). */
  async resetTo(head: string | undefined, signal?: AbortSignal): Promise<void> {
    if (head) await this.#git(['checkout', '--quiet', '--force', '--detach', head], 'check out the branch', signal);
    else await this.#git(['read-tree', '--empty'], 'empty the index', signal);
    await this.#git(['clean', '-ffdxq'], 'clean the work tree', signal);
  }

  /** The newest commit up to `head` carrying every wanted trailer value, if any. */
  async findByTrailers(head: string, wanted: Record<string, string>, signal?: AbortSignal): Promise<string | undefined> {
    // --grep narrows the walk cheaply; git's own trailer parser then decides.
    const greps = Object.values(wanted).map((v) => `--grep=${v}`);
    const out = await this.#git(['log', '--fixed-strings', '--all-match', ...greps, `--format=${LOG_FORMAT}`, head, '--'], 'search the history', signal);
    return parseLogOutput(out).find((c) => hasAllTrailers(c.trailerPairs, wanted))?.sha;
  }

  /** Stages the whole work tree (ignored files too: Slipway wrote them on purpose) and writes its tree. */
  async stageAll(signal?: AbortSignal): Promise<{ tree: string; empty: boolean }> {
    await this.#git(['add', '--all', '--force', '.'], 'stage the change', signal);
    const tree = (await this.#git(['write-tree'], 'write the tree', signal)).trim();
    return { tree, empty: tree === EMPTY_TREE };
  }

  /** Writes a commit object (no hooks, message taken verbatim) and returns its id. */
  async commitTree(tree: string, parent: string | undefined, message: string, author: { name: string; email: string }, signal?: AbortSignal): Promise<string> {
    const args = ['-c', `user.name=${author.name}`, '-c', `user.email=${author.email}`, 'commit-tree', tree, ...(parent ? ['-p', parent] : []), '-F', '-'];
    const out = await runGit(this.#proc, args, { cwd: this.dir, input: message, signal });
    if (out.code !== 0) throw this.#error('could not write the commit', out, 'Check the configured git author name and email.');
    return out.stdout.trim();
  }

  /** Pushes `commit` to the branch; 'rejected' when someone else moved the branch first. */
  async push(commit: string, signal?: AbortSignal): Promise<PushOutcome> {
    const out = await runGit(this.#proc, ['push', '--porcelain', '--quiet', '--no-recurse-submodules', this.#remote.forGit, `${commit}:refs/heads/${this.#branch}`], { cwd: this.dir, signal });
    if (out.code === 0) return 'pushed';
    if (isLostRace(out.stdout + out.stderr)) return 'rejected';
    throw this.#error(`could not push to branch '${this.#branch}'`, out, 'Check that the credentials (token or deploy key) allow writing and that the branch is not protected against Slipway.');
  }

  /** Commits on the fetched branch, newest first. */
  async log(head: string, options: { path?: string; limit?: number }, signal?: AbortSignal): Promise<CommitInfo[]> {
    const args = ['log', `--format=${LOG_FORMAT}`, ...(options.limit ? [`--max-count=${options.limit}`] : []), head, '--', ...(options.path ? [options.path] : [])];
    return parseLogOutput(await this.#git(args, 'read the history', signal)).map(({ trailerPairs: _, ...info }) => info);
  }

  /** Files under `dir` in `head`'s tree, with sizes; paths relative to `dir`, sorted. */
  async listFiles(head: string, dir: string, signal?: AbortSignal): Promise<RepoFile[]> {
    const out = await this.#git(['ls-tree', '-r', '-l', '-z', '--full-tree', head, '--', `${dir}/`], 'list the files', signal);
    const files: RepoFile[] = [];
    // Each entry: "<mode> <type> <object> <size>\t<path>", NUL-terminated (so any file name comes through as it is).
    for (const entry of out.split('\0')) {
      const match = /^\d+ blob [0-9a-f]+ +(\d+)\t(.+)$/s.exec(entry);
      if (match && match[2]!.startsWith(`${dir}/`)) files.push({ path: match[2]!.slice(dir.length + 1), size: Number(match[1]) });
    }
    return files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }

  /** A file's bytes in `head`'s tree, or undefined when it holds no file at `path`. */
  async readFile(head: string, path: string, signal?: AbortSignal): Promise<Uint8Array | undefined> {
    const type = await runGit(this.#proc, ['cat-file', '-t', `${head}:${path}`], { cwd: this.dir, signal });
    if (type.code !== 0 || type.stdout.trim() !== 'blob') return undefined;
    const out = await runGit(this.#proc, ['cat-file', 'blob', `${head}:${path}`], { cwd: this.dir, signal });
    if (out.code !== 0) throw this.#error(`could not read ${path}`, out, `The cache clone in ${this.dir} may be damaged; delete it and retry.`);
    return new Uint8Array(out.stdoutBytes);
  }

  async #git(args: string[], what: string, signal?: AbortSignal): Promise<string> {
    const out = await runGit(this.#proc, args, { cwd: this.dir, signal });
    if (out.code !== 0) throw this.#error(`could not ${what}`, out, `The cache clone in ${this.dir} may be damaged; delete it and retry.`);
    return out.stdout;
  }

  #error(what: string, out: GitOutput, hint: string): ExternalServiceError {
    let detail = redactRemote(stderrTail(out.stderr) || `git exited with code ${out.code}`, this.#remote);
    for (const secret of this.#secrets) detail = detail.split(secret).join('***');
    const known = diagnose(out.stderr, this.#context);
    const message = known ? `${what} of ${this.#remote.display}: ${known.problem} (${detail})` : `${what} of ${this.#remote.display}: ${detail}`;
    return new ExternalServiceError('git', message, { hint: known?.hint ?? hint });
  }
}

/**
 * A push that lost a race with another writer: rejected as non-fast-forward, or the remote could not
 * take the ref lock / found the ref moved (a concurrent push to the same repository).
 */
function isLostRace(output: string): boolean {
  return /\[rejected\]|non-fast-forward|fetch first|cannot lock ref|failed to update ref|reference already exists|is at [0-9a-f]+ but expected|stale info/i.test(output);
}
