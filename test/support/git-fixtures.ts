/**
 * Git fixtures for tests: real bare repositories in temp dirs, read back with the real git so a test
 * checks what actually landed in the repository (not what an adapter believes it wrote).
 */
import { execFile } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { promisify } from 'node:util';

const exec = promisify(execFile);

/** git with no user or system configuration, so a developer's settings cannot change a test. */
function git(args: string[]): Promise<{ stdout: string; stderr: string }> {
  return exec('git', args, {
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LC_ALL: 'C', GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null' },
    maxBuffer: 64 * 1024 * 1024,
  });
}

/**
 * Creates an empty bare repository whose HEAD names `branch` (no commits yet). Returns `dir`.
 * @example const remote = await createBareRepo(join(tmp, 'gitops.git'));
 */
export async function createBareRepo(dir: string, branch = 'main'): Promise<string> {
  await mkdir(dir, { recursive: true });
  await git(['init', '--quiet', '--bare', `--initial-branch=${branch}`, dir]);
  return dir;
}

/**
 * A file's content at the bare repository's HEAD (or `ref`), or undefined when the file or the branch
 * does not exist.
 * @example expect(await readFileAtHead(remote, 'apps/kustomization.yaml')).toContain('- demo');
 */
export async function readFileAtHead(bareDir: string, path: string, ref = 'HEAD'): Promise<string | undefined> {
  try {
    return (await git(['--git-dir', bareDir, 'show', `${ref}:${path}`])).stdout;
  } catch {
    return undefined;
  }
}

export interface LoggedCommit {
  sha: string;
  subject: string;
  /** Trailers as git itself parses them (`%(trailers)`); a repeated name keeps the last value. */
  trailers: Record<string, string>;
  /** Paths the commit touched. */
  files: string[];
}

/**
 * The bare repository's history at HEAD (or `ref`), newest first; [] when the branch has no commits.
 * @example expect((await logWithTrailers(remote))[0]?.trailers['Slipway-App']).toBe('demo');
 */
export async function logWithTrailers(bareDir: string, ref = 'HEAD'): Promise<LoggedCommit[]> {
  const exists = await git(['--git-dir', bareDir, 'rev-parse', '--verify', '--quiet', `${ref}^{commit}`]).then(() => true, () => false);
  if (!exists) return [];
  const { stdout } = await git(['--git-dir', bareDir, 'log', '--name-only', '--format=%x1e%H%x1f%s%x1f%(trailers:only,unfold)%x1f', ref, '--']);
  return stdout
    .split('\u001e')
    .filter((r) => r.trim() !== '')
    .map((record) => {
      const [sha = '', subject = '', block = '', names = ''] = record.split('\u001f');
      const trailers: Record<string, string> = {};
      for (const line of block.split('\n')) {
        const colon = line.indexOf(':');
        if (colon > 0) trailers[line.slice(0, colon).trim()] = line.slice(colon + 1).trim();
      }
      return { sha, subject, trailers, files: names.split('\n').filter((n) => n !== '') };
    });
}
