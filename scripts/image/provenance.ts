import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { InputError } from '../../src/domain/errors.ts';

const run = promisify(execFile);

/** What Slipway's image says about where it came from. */
export interface Provenance {
  /** package.json's version, e.g. `0.1.0`. */
  version: string;
  /** The commit the image is built from. */
  revision: string;
  /** The commit's time in seconds: SOURCE_DATE_EPOCH for file times and `created`. */
  sourceDateEpoch: number;
  /** Files that differ from the commit: the image then holds more than `revision` says. */
  dirty: boolean;
  /** Where the sources live (package.json's `repository`), when it names one. */
  source?: string;
}

/**
 * Reads the version from package.json and the commit and its time from git, so that two builds of
 * one commit are byte for byte the same image.
 * @example const { revision, sourceDateEpoch } = await readProvenance('/src/slipway');
 */
export async function readProvenance(root: string): Promise<Provenance> {
  const pkg = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as { version?: string; repository?: string | { url?: string } };
  if (!pkg.version) throw new InputError('package.json has no version', { hint: 'Give it one: the image is tagged and labelled with it.' });
  const git = async (...args: string[]) => {
    try {
      return (await run('git', args, { cwd: root })).stdout.trim();
    } catch (error) {
      throw new InputError(`git ${args[0]} failed in ${root}: ${((error as { stderr?: string }).stderr ?? (error as Error).message).trim()}`, {
        hint: "Build Slipway's image from a git checkout with at least one commit: its commit and time label the image.",
      });
    }
  };
  const [revision, time, status] = await Promise.all([git('rev-parse', 'HEAD'), git('log', '-1', '--format=%ct'), git('status', '--porcelain', '--untracked-files=no')]);
  const repository = (typeof pkg.repository === 'string' ? pkg.repository : pkg.repository?.url) ?? (await git('remote', 'get-url', 'origin').catch(() => undefined));
  const source = repository ? publicUrl(repository.replace(/^git\+/, '')) : undefined;
  return { version: pkg.version, revision, sourceDateEpoch: Number(time), dirty: status !== '', ...(source ? { source } : {}) };
}

/**
 * The address without a user or password: a clone URL may carry a token, and a label is public.
 * @example publicUrl('https://x-access-token:ghp_…@github.com/me/slipway.git') // 'https://github.com/me/slipway.git'
 */
export function publicUrl(address: string): string | undefined {
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(address)) return /^[^/@]+@[^:]+:/.test(address) ? address : undefined;
  try {
    const url = new URL(address);
    url.username = '';
    url.password = '';
    return url.href;
  } catch {
    return undefined;
  }
}
