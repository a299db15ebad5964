import { z } from 'zod';
import { compareCodeUnits } from '../../domain/compare.ts';
import type { LineCounts } from '../../ports/index.ts';

export const FileChange = z.object({
  path: z.string(),
  change: z.enum(['added', 'changed', 'removed']),
  /** Lines added and removed; absent for binary files. */
  linesAdded: z.number().optional(),
  linesRemoved: z.number().optional(),
});
export type FileChange = z.infer<typeof FileChange>;

/** What a change did to an app's files: each file, and the totals. */
export const DiffSummary = z.object({
  files: z.array(FileChange),
  added: z.number(),
  changed: z.number(),
  removed: z.number(),
  linesAdded: z.number(),
  linesRemoved: z.number(),
});
export type DiffSummary = z.infer<typeof DiffSummary>;

/**
 * The summary of two versions' files (by digest), with the line counts a differ gave, files sorted.
 * @example summarizeDiff([{ path: 'a', sha256: '1' }], [{ path: 'a', sha256: '2' }], new Map([['a', { added: 1, removed: 1 }]])).changed // 1
 */
export function summarizeDiff(before: ReadonlyArray<{ path: string; sha256: string }>, after: ReadonlyArray<{ path: string; sha256: string }>, counts: ReadonlyMap<string, LineCounts>): DiffSummary {
  const old = new Map(before.map((f) => [f.path, f.sha256]));
  const now = new Map(after.map((f) => [f.path, f.sha256]));
  const files: FileChange[] = [];
  const lines = (path: string) => {
    const c = counts.get(path);
    return c?.added === undefined ? {} : { linesAdded: c.added, linesRemoved: c.removed ?? 0 };
  };
  for (const [path, sha] of now) {
    if (!old.has(path)) files.push({ path, change: 'added', ...lines(path) });
    else if (old.get(path) !== sha) files.push({ path, change: 'changed', ...lines(path) });
  }
  for (const path of old.keys()) if (!now.has(path)) files.push({ path, change: 'removed', ...lines(path) });
  files.sort((a, b) => compareCodeUnits(a.path, b.path));
  const count = (change: FileChange['change']) => files.filter((f) => f.change === change).length;
  return {
    files, added: count('added'), changed: count('changed'), removed: count('removed'),
    linesAdded: files.reduce((n, f) => n + (f.linesAdded ?? 0), 0),
    linesRemoved: files.reduce((n, f) => n + (f.linesRemoved ?? 0), 0),
  };
}

/**
 * One line: `3 files changed: +1 added, 2 changed, 0 removed (+40 −12 lines)`.
 * @example diffHeadline(summary) // '1 file changed: +0 added, 1 changed, 0 removed (+3 −1 lines)'
 */
export function diffHeadline(summary: DiffSummary): string {
  const n = summary.files.length;
  return `${n} ${n === 1 ? 'file' : 'files'} changed: +${summary.added} added, ${summary.changed} changed, ${summary.removed} removed (+${summary.linesAdded} −${summary.linesRemoved} lines)`;
}

/**
 * The headline, then one line per file (`changed  public/app.js  +3 −1`), as the commit body and
 * the CLI show it.
 */
export function diffText(summary: DiffSummary): string {
  const width = Math.max(0, ...summary.files.map((f) => f.path.length));
  const rows = summary.files.map((f) => {
    const counts = f.linesAdded === undefined ? 'binary' : `+${f.linesAdded} −${f.linesRemoved ?? 0}`;
    return `  ${f.change.padEnd(7)}  ${f.path.padEnd(width)}  ${counts}`;
  });
  return [diffHeadline(summary), ...rows].join('\n');
}
