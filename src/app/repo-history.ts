import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parseRemoteUrl } from '../adapters/git/index.ts';
import type { ResolvedConfig } from '../config/index.ts';

const run = promisify(execFile);

/** A git directory on this machine holding a copy of one of Slipway's repos, and the ref of its branch. */
export interface LocalHistory {
  label: 'source' | 'gitops';
  gitDir: string;
  ref: string;
}

/**
 * Where this machine keeps each repo's history: the bare repo itself on the embedded default, else
 * the cache clone Slipway fetches into (present once it has committed or read from that remote).
 */
export function localHistories(config: ResolvedConfig): LocalHistory[] {
  return (['source', 'gitops'] as const).map((label) => {
    const remote = config.git[label];
    if (!remote.url) return { label, gitDir: join(config.home, 'git', label === 'source' ? 'apps.git' : 'gitops.git'), ref: `refs/heads/${remote.branch}` };
    return { label, gitDir: join(config.home, 'cache', 'git', parseRemoteUrl(remote.url).cacheKey, '.git'), ref: `refs/slipway/remote/${remote.branch}` };
  });
}

/** True when a commit carrying a Slipway-App trailer is in one of the histories (one git call each, only when asked). */
export async function reposHoldApps(histories: LocalHistory[]): Promise<boolean> {
  for (const history of histories) {
    if (!existsSync(history.gitDir)) continue;
    try {
      const { stdout } = await run('git', ['--git-dir', history.gitDir, 'log', '-1', '--format=%H', '--grep=^Slipway-App: ', history.ref, '--']);
      if (stdout.trim() !== '') return true;
    } catch {
      // No such branch yet: nothing committed there.
    }
  }
  return false;
}
