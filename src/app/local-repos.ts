import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { ExternalServiceError } from '../domain/index.ts';

const run = promisify(execFile);

/**
 * Creates a bare repository (the embedded default's apps or GitOps repo) unless it exists. Several
 * Slipway processes may start at once in a fresh home, so the repository is made in a temporary
 * directory beside it and renamed into place: whoever renames first wins, and the others find a
 * complete repository there and use it.
 */
export async function ensureBareRepo(dir: string, branch: string): Promise<void> {
  if (existsSync(join(dir, 'HEAD'))) return;
  await mkdir(dirname(dir), { recursive: true });
  const staging = await mkdtemp(join(dirname(dir), `.${basename(dir)}.new-`));
  try {
    await run('git', ['init', '--quiet', '--bare', `--initial-branch=${branch}`, staging]);
    await rename(staging, dir);
  } catch (error) {
    // Another process put a complete repository there first (rename onto a non-empty directory fails).
    if (existsSync(join(dir, 'HEAD'))) return;
    throw new ExternalServiceError('git', `could not create the repository ${dir}: ${(error as Error).message}`, { hint: 'Install git (apt-get install git) and check that $SLIPWAY_HOME is writable.' });
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}
