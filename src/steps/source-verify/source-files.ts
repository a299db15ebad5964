import { createHash } from 'node:crypto';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { assertSafeRelativePath, safePathProblem, type GeneratedFile } from '../../domain/index.ts';
import { MAX_FILES, MAX_TOTAL_BYTES } from '../source-generate/index.ts';
import { compareCodeUnits } from '../../domain/compare.ts';

/** A written file's digest, as steps pass it on (see `FileDigest`). */
export interface FileDigestValue {
  path: string;
  sha256: string;
  size: number;
}

/**
 * What is wrong with a generator's files (unsafe or repeated paths, too many, too big), in words a
 * model can act on; undefined when nothing is.
 * @example sourceFilesProblem([{ path: '../x', content: '' }]) // 'refused file paths:\n"../x": it climbs …'
 */
export function sourceFilesProblem(files: readonly GeneratedFile[]): string | undefined {
  if (files.length === 0) return 'the app has no files.';
  if (files.length > MAX_FILES) return `the app has ${files.length} files; at most ${MAX_FILES} are allowed.`;
  const total = files.reduce((n, f) => n + Buffer.byteLength(f.content), 0);
  if (total > MAX_TOTAL_BYTES) return `the app's files hold ${total} bytes; at most ${MAX_TOTAL_BYTES} are allowed.`;
  const seen = new Set<string>();
  const problems: string[] = [];
  for (const file of files) {
    const problem = safePathProblem(file.path);
    const path = file.path.replace(/^\.\//, '');
    if (problem) problems.push(`${JSON.stringify(file.path)}: ${problem}`);
    else if (seen.has(path)) problems.push(`${JSON.stringify(file.path)}: the app has this file twice`);
    seen.add(path);
  }
  return problems.length > 0 ? `refused file paths:\n${problems.join('\n')}` : undefined;
}

/**
 * Writes files into a fresh `dir` (whatever was there is removed first, so a resumed run starts
 * clean), every path checked, and returns their digests sorted by path.
 * @example const digests = await writeSourceFiles('/work/run-1/source-attempt-2', files);
 */
export async function writeSourceFiles(dir: string, files: readonly GeneratedFile[]): Promise<FileDigestValue[]> {
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const digests: FileDigestValue[] = [];
  for (const file of [...files].sort((a, b) => compareCodeUnits(a.path, b.path))) {
    const path = assertSafeRelativePath(file.path);
    const target = join(dir, path);
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, file.content, { flag: 'wx' });
    digests.push(digestOf(path, file.content));
  }
  return digests;
}

/** Reads the files a previous step wrote (paths re-checked: step outputs are stored and may be resumed). */
export async function readSourceFiles(dir: string, files: readonly { path: string }[]): Promise<GeneratedFile[]> {
  return Promise.all(files.map(async (f) => ({ path: f.path, content: await readFile(join(dir, assertSafeRelativePath(f.path)), 'utf8') })));
}

/** The digest record of one file's content. */
export function digestOf(path: string, content: string): FileDigestValue {
  return { path, sha256: createHash('sha256').update(content).digest('hex'), size: Buffer.byteLength(content) };
}

/** Paths added, changed or removed between two versions of an app, sorted. */
export function changedPaths(before: readonly GeneratedFile[], after: readonly GeneratedFile[]): string[] {
  const old = new Map(before.map((f) => [f.path.replace(/^\.\//, ''), f.content]));
  const now = new Map(after.map((f) => [f.path.replace(/^\.\//, ''), f.content]));
  const changed = new Set<string>();
  for (const [path, content] of now) if (old.get(path) !== content) changed.add(path);
  for (const path of old.keys()) if (!now.has(path)) changed.add(path);
  return [...changed].sort(compareCodeUnits);
}
