import { ExternalServiceError } from '../../domain/index.ts';
import type { LineCounts, SourceDiffer } from '../../ports/index.ts';
import { gitEnvironment, runGit } from './git-process.ts';

/**
 * Line counts between two folders from `git diff --no-index --numstat`: git's own diff, so the
 * numbers match what `git show --stat` says of the commit. Renames are not looked for: a moved file
 * counts as one removed and one added, as the change summary lists it.
 * @example const counts = await new GitDirDiffer().lineCounts('/work/run-1/current', '/work/run-1/source');
 */
export class GitDirDiffer implements SourceDiffer {
  private readonly env: Record<string, string>;

  constructor(options: { path?: string } = {}) {
    this.env = gitEnvironment(options.path ? { PATH: options.path } : {});
  }

  async lineCounts(before: string, after: string, signal?: AbortSignal): Promise<Map<string, LineCounts>> {
    const out = await runGit({ binary: 'git', env: this.env }, ['diff', '--no-index', '--numstat', '--no-renames', '-z', '--', before, after], { signal });
    // 1 means "they differ", 0 "they are the same"; git also exits 1 when it cannot read a folder,
    // which it says on stderr.
    const failed = out.code > 1 || (out.code === 1 && /^(error|fatal):/m.test(out.stderr));
    if (failed) throw new ExternalServiceError('git', `git diff could not compare two versions of the app: ${out.stderr.trim()}`);
    return parseNumstat(out.stdout, before, after);
  }
}

/**
 * `added\tremoved\t\0old\0new\0` records (`-\t-` for binary files, /dev/null for a missing side),
 * keyed by the path inside the folders.
 */
export function parseNumstat(text: string, before: string, after: string): Map<string, LineCounts> {
  const fields = text.split('\0');
  const counts = new Map<string, LineCounts>();
  const inside = (path: string) => [`${before}/`, `${after}/`].map((dir) => (path.startsWith(dir) ? path.slice(dir.length) : undefined)).find((p) => p !== undefined);
  for (let i = 0; i + 2 < fields.length; i += 3) {
    const [added, removed] = fields[i]!.split('\t');
    const path = inside(fields[i + 2]!) ?? inside(fields[i + 1]!);
    if (path === undefined) continue;
    counts.set(path, added === '-' ? {} : { added: Number(added), removed: Number(removed) });
  }
  return counts;
}
