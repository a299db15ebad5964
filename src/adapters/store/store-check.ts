import { existsSync } from 'node:fs';
import type { DatabaseSync } from 'node:sqlite';
import { ConfigError } from '../../domain/index.ts';
import { openDatabase } from './sqlite-database.ts';

const TABLES = ['apps', 'runs', 'steps'];

/**
 * Slipway's state file is damaged or missing while the repos show it held apps. Commands that read
 * state stop here (exit 2) rather than act as if no app existed; `slipway repair` rebuilds it.
 */
export class DamagedStoreError extends ConfigError {
  readonly file: string;
  constructor(file: string, problem: string) {
    super(`the state file ${file} ${problem}`, {
      hint: 'Run `slipway repair`: it moves the file aside (never deletes it) and rebuilds the apps and their runs from the repos\' commits and what is running. `slipway doctor` shows the check.',
    });
    this.file = file;
  }
}

export interface StoreCheckOptions {
  /**
   * Whether the repos hold commits Slipway made. Asked only when the store holds no run, so a
   * healthy store costs no git call; a fresh home (no repos, or empty ones) answers false.
   */
  reposHoldApps: () => Promise<boolean>;
}

/**
 * Opens the state database after making sure it can be trusted: it is a database, passes SQLite's
 * quick check, has its tables, and is not empty while the repos hold apps (a truncated or deleted file).
 * @example const db = await openCheckedDatabase('/home/me/.slipway/state.db', { reposHoldApps: async () => false });
 */
export async function openCheckedDatabase(file: string, options: StoreCheckOptions): Promise<DatabaseSync> {
  // The file is created before any commit, so it is asked for again after the repos answer.
  if (!existsSync(file) && (await options.reposHoldApps()) && !existsSync(file)) {
    throw new DamagedStoreError(file, 'is missing, but the repos hold apps Slipway made');
  }
  let db: DatabaseSync;
  try {
    db = openDatabase(file);
  } catch (error) {
    throw new DamagedStoreError(file, `cannot be read: ${(error as Error).message}`);
  }
  try {
    await checkContents(db, file, options);
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

async function checkContents(db: DatabaseSync, file: string, options: StoreCheckOptions): Promise<void> {
  let problems: string[];
  let tables: Set<string>;
  try {
    problems = (db.prepare('PRAGMA quick_check').all() as Array<{ quick_check: string }>).map((r) => r.quick_check).filter((r) => r !== 'ok');
    tables = new Set((db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as Array<{ name: string }>).map((r) => r.name));
  } catch (error) {
    throw new DamagedStoreError(file, `is damaged: ${(error as Error).message}`);
  }
  if (problems.length > 0) throw new DamagedStoreError(file, `is damaged: ${problems.slice(0, 3).join('; ')}`);
  const missing = TABLES.filter((t) => !tables.has(t));
  if (missing.length > 0) throw new DamagedStoreError(file, `lacks its tables (${missing.join(', ')})`);
  if (runCount(db) > 0) return;
  // A run is recorded before its first commit, so once the repos show a commit, its run is visible:
  // counting again after asking the repos tells an emptied file from a first create running now.
  if ((await options.reposHoldApps()) && runCount(db) === 0) {
    throw new DamagedStoreError(file, 'holds no apps or runs, but the repos hold apps Slipway made (was it emptied or truncated?)');
  }
}

function runCount(db: DatabaseSync): number {
  return Number((db.prepare('SELECT COUNT(*) AS n FROM runs').get() as { n: number }).n);
}
