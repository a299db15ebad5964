import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DamagedStoreError, openCheckedDatabase } from '../adapters/store/store-check.ts';
import type { ResolvedConfig } from '../config/index.ts';
import type { Check } from './doctor.ts';
import { localHistories, reposHoldApps } from './repo-history.ts';

/** The state file: readable, consistent, and not emptied or lost while the repos hold apps. */
export async function stateCheck(config: ResolvedConfig): Promise<Check> {
  const file = join(config.home, 'state.db');
  const holdsApps = () => reposHoldApps(localHistories(config));
  if (!existsSync(file) && !(await holdsApps())) return { name: 'state', status: 'ok', detail: `${file} (created on first use)` };
  try {
    (await openCheckedDatabase(file, { reposHoldApps: holdsApps })).close();
    return { name: 'state', status: 'ok', detail: `${file} passes SQLite's quick check` };
  } catch (error) {
    if (!(error instanceof DamagedStoreError)) return { name: 'state', status: 'fail', detail: `${file}: ${(error as Error).message}`, fix: 'Check that $SLIPWAY_HOME is writable.' };
    return { name: 'state', status: 'fail', detail: error.message, fix: 'Run `slipway repair`: it moves the file aside (never deletes it) and rebuilds apps and runs from the repos and what is running.' };
  }
}
