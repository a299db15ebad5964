import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ExternalServiceError } from '../domain/index.ts';

const run = promisify(execFile);

/** Creates a bare repository (the embedded default's apps or GitOps repo) unless it exists. */
export async function ensureBareRepo(dir: string, branch: string): Promise<void> {
  if (existsSync(join(dir, 'HEAD'))) return;
  await mkdir(dir, { recursive: true });
  try {
    await run('git', ['init', '--quiet', '--bare', `--initial-branch=${branch}`, dir]);
  } catch (error) {
    throw new ExternalServiceError('git', `could not create the repository ${dir}: ${(error as Error).message}`, { hint: 'Install git (apt-get install git) and check that $SLIPWAY_HOME is writable.' });
  }
}
