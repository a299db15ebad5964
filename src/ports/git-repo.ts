/** A working view of a repository's tree, given to a commit's `apply` function. Paths are POSIX, relative. */
export interface RepoTree {
  read(path: string): Promise<string | undefined>;
  write(path: string, content: string | Uint8Array): Promise<void>;
  /** Removes a file or a directory (recursively). Missing paths are fine. */
  remove(path: string): Promise<void>;
  /** Direct entries of a directory (names only), sorted; [] when it does not exist. */
  list(dir: string): Promise<string[]>;
}

export interface CommitRequest {
  /** Subject line, then optional body after a blank line. */
  message: string;
  /** Git trailers appended to the message, e.g. { 'Slipway-App': 'x', 'Slipway-Run': 'run-…' }. */
  trailers: Record<string, string>;
  /**
   * Trailer names that identify this change. If a commit on the branch already carries all of them
   * with the same values, it is returned instead of committing again (resume without duplicates).
   */
  idempotencyTrailers?: string[];
  /** Writes the change. Called again on a fresh tree when a push is rejected and retried. */
  apply(tree: RepoTree): Promise<void>;
}

export interface CommitResult {
  sha: string;
  /** False when an equivalent commit already existed, or when the change changed nothing. */
  created: boolean;
  /** Push attempts it took (1 when nobody else pushed in between). */
  attempts: number;
}

export interface CommitInfo {
  sha: string;
  subject: string;
  author: string;
  date: string;
  trailers: Record<string, string>;
}

/** A file at the branch head, as `listFiles` gives it. */
export interface RepoFile {
  /** POSIX, relative to the folder listed. */
  path: string;
  /** In bytes. */
  size: number;
}

/** A Git repository Slipway writes to: source repo or GitOps repo. */
export interface GitRepo {
  /** The remote, with any credentials removed, for messages. */
  readonly displayUrl: string;
  commit(request: CommitRequest, signal?: AbortSignal): Promise<CommitResult>;
  /** Commits on the branch, newest first, optionally only those touching `path`. */
  log(options?: { path?: string; limit?: number }): Promise<CommitInfo[]>;
  /** The files under `dir` at the branch head (or at commit `at`), relative to it, sorted; [] when the folder or the branch does not exist. */
  listFiles(dir: string, options?: { at?: string }): Promise<RepoFile[]>;
  /** A file's bytes at the branch head (or at commit `at`), or undefined when there is none at that path. */
  readFile(path: string, options?: { at?: string }): Promise<Uint8Array | undefined>;
}
