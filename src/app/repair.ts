import { join } from 'node:path';
import { DamagedStoreError, openCheckedDatabase } from '../adapters/store/store-check.ts';
import type { ResolvedConfig } from '../config/index.ts';
import { compose, type Environment } from './compose.ts';
import { localHistories, reposHoldApps } from './repo-history.ts';
import { moveStoreAside, rebuildStore } from './store-repair.ts';

export interface RepairResult {
  file: string;
  /** What was wrong; absent when the state file was healthy and left alone. */
  problem?: string;
  /** Where the damaged file went (absent when it was missing). */
  movedTo?: string;
  apps: string[];
  runs: number;
}

/**
 * `slipway repair`: when the state file is damaged (or missing while the repos hold apps), moves it
 * aside and rebuilds it from the repos and the runtime. A healthy file is left as it is.
 * @example const { movedTo, apps } = await repairState(config, env);
 */
export async function repairState(config: ResolvedConfig, env: Environment, now = new Date()): Promise<RepairResult> {
  const histories = localHistories(config);
  const file = join(config.home, 'state.db');
  try {
    (await openCheckedDatabase(file, { reposHoldApps: () => reposHoldApps(histories) })).close();
    return { file, apps: [], runs: 0 };
  } catch (error) {
    if (!(error instanceof DamagedStoreError)) throw error;
    const movedTo = await moveStoreAside(file, now);
    const slipway = await compose(config, env, { store: 'rebuild' });
    try {
      const { state } = slipway;
      const rebuilt = await rebuildStore({
        histories, repos: { source: state.sourceRepo, gitops: state.gitopsRepo }, runs: state.runs, apps: state.apps,
        ...(state.runtime ? { runtime: state.runtime } : {}), target: config.target,
      });
      return { file, problem: error.message, ...(movedTo ? { movedTo } : {}), ...rebuilt };
    } finally {
      slipway.close();
    }
  }
}
