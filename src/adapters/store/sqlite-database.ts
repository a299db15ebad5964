import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync } from 'node:sqlite';

const SCHEMA_VERSION = 6;

/**
 * Opens (and migrates) Slipway's state database. WAL and a busy timeout let several CLI processes
 * and a server share one file.
 * @example const db = openDatabase(':memory:');
 */
export function openDatabase(path: string): DatabaseSync {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new DatabaseSync(path, { timeout: 10_000 });
  db.exec('PRAGMA busy_timeout = 10000');
  if (path !== ':memory:') db.exec('PRAGMA journal_mode = WAL');
  db.exec('PRAGMA foreign_keys = ON');
  if (schemaVersion(db) < SCHEMA_VERSION) migrate(db);
  return db;
}

function schemaVersion(db: DatabaseSync): number {
  return (db.prepare('PRAGMA user_version').get() as { user_version: number }).user_version;
}

/**
 * Several processes may open a fresh file at once: the version is read again once the write lock
 * is held, so only the first migrates and the others find the schema in place.
 */
function migrate(db: DatabaseSync): void {
  db.exec('BEGIN IMMEDIATE');
  try {
    if (schemaVersion(db) < 1) migrate1(db);
    if (schemaVersion(db) < 2) migrate2(db);
    if (schemaVersion(db) < 3) migrate3(db);
    if (schemaVersion(db) < 4) migrate4(db);
    if (schemaVersion(db) < 5) migrate5(db);
    if (schemaVersion(db) < 6) migrate6(db);
    db.exec('COMMIT');
  } catch (error) {
    if (db.isTransaction) db.exec('ROLLBACK');
    throw error;
  }
}

function migrate1(db: DatabaseSync): void {
  db.exec(`
    CREATE TABLE IF NOT EXISTS runs (
      id TEXT PRIMARY KEY,
      kind TEXT NOT NULL,
      app TEXT NOT NULL,
      status TEXT NOT NULL,
      request TEXT NOT NULL,
      created_at TEXT NOT NULL,
      updated_at TEXT NOT NULL,
      ended_at TEXT,
      error TEXT,
      owner_pid INTEGER,
      owner_host TEXT
    );
    CREATE INDEX IF NOT EXISTS runs_app ON runs(app, created_at);
    CREATE TABLE IF NOT EXISTS steps (
      seq INTEGER PRIMARY KEY AUTOINCREMENT,
      run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
      step_id TEXT NOT NULL,
      title TEXT NOT NULL,
      attempt INTEGER NOT NULL,
      status TEXT NOT NULL,
      started_at TEXT NOT NULL,
      ended_at TEXT,
      duration_ms INTEGER,
      error TEXT,
      output TEXT,
      reused INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX IF NOT EXISTS steps_run ON steps(run_id, step_id);
    CREATE TABLE IF NOT EXISTS apps (
      name TEXT PRIMARY KEY,
      record TEXT NOT NULL,
      updated_at TEXT NOT NULL
    );
    PRAGMA user_version = 1;
  `);
}

/** The run queue: who started a run, a client's idempotency key, and every event a run emits. */
function migrate2(db: DatabaseSync): void {
  db.exec(`
    ALTER TABLE runs ADD COLUMN origin TEXT NOT NULL DEFAULT 'cli';
    ALTER TABLE runs ADD COLUMN idempotency_key TEXT;
    CREATE UNIQUE INDEX IF NOT EXISTS runs_idempotency_key ON runs(idempotency_key) WHERE idempotency_key IS NOT NULL;
    CREATE INDEX IF NOT EXISTS runs_status ON runs(status, created_at);
    CREATE INDEX IF NOT EXISTS runs_created ON runs(created_at, id);
    CREATE TABLE IF NOT EXISTS run_events (
      run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
      seq INTEGER NOT NULL,
      at TEXT NOT NULL,
      event TEXT NOT NULL,
      PRIMARY KEY (run_id, seq)
    ) WITHOUT ROWID;
    PRAGMA user_version = 2;
  `);
}

/** API tokens (only a SHA-256 of each) and the signatures the signed intake accepted lately. */
function migrate3(db: DatabaseSync): void {
  db.exec(`
    CREATE TABLE IF NOT EXISTS api_tokens (
      name TEXT PRIMARY KEY,
      scope TEXT NOT NULL,
      hash TEXT NOT NULL UNIQUE,
      created_at TEXT NOT NULL,
      last_used_at TEXT
    );
    CREATE TABLE IF NOT EXISTS hook_replays (
      signature TEXT PRIMARY KEY,
      seen_at INTEGER NOT NULL
    );
    CREATE INDEX IF NOT EXISTS hook_replays_seen ON hook_replays(seen_at);
    PRAGMA user_version = 3;
  `);
}

/**
 * Sign-in sessions of the web page: only a SHA-256 of each session id, the token it was opened with
 * (deleting the token deletes its sessions), its CSRF value and when it ends.
 */
function migrate4(db: DatabaseSync): void {
  db.exec(`
    CREATE TABLE IF NOT EXISTS web_sessions (
      hash TEXT PRIMARY KEY,
      token_name TEXT NOT NULL REFERENCES api_tokens(name) ON DELETE CASCADE,
      csrf TEXT NOT NULL,
      created_at TEXT NOT NULL,
      expires_at TEXT NOT NULL
    );
    CREATE INDEX IF NOT EXISTS web_sessions_token ON web_sessions(token_name);
    CREATE INDEX IF NOT EXISTS web_sessions_expires ON web_sessions(expires_at);
    PRAGMA user_version = 4;
  `);
}

/**
 * Webhook subscriptions made through the API. The secret is kept as given: each delivery is signed
 * with it, so unlike a token it cannot be stored as a hash.
 */
function migrate5(db: DatabaseSync): void {
  db.exec(`
    CREATE TABLE IF NOT EXISTS webhooks (
      id TEXT PRIMARY KEY,
      url TEXT NOT NULL,
      events TEXT NOT NULL,
      name TEXT,
      secret TEXT,
      created_at TEXT NOT NULL
    );
    PRAGMA user_version = 5;
  `);
}

/** Services outside the cluster (`slipway external add`), per environment; the GitOps repo has their manifests. */
function migrate6(db: DatabaseSync): void {
  db.exec(`
    CREATE TABLE IF NOT EXISTS externals (
      env TEXT NOT NULL,
      name TEXT NOT NULL,
      address TEXT NOT NULL,
      port INTEGER NOT NULL,
      protocol TEXT NOT NULL,
      PRIMARY KEY (env, name)
    );
    PRAGMA user_version = 6;
  `);
}
