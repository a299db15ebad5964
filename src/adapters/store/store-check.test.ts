import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase } from './sqlite-database.ts';
import { DamagedStoreError, openCheckedDatabase } from './store-check.ts';

const fresh = () => join(mkdtempSync(join(tmpdir(), 'slipway-store-')), 'state.db');
const withRun = (file: string) => {
  const db = openDatabase(file);
  db.prepare("INSERT INTO runs (id, kind, app, status, request, created_at, updated_at) VALUES ('run-1', 'create', 'x', 'succeeded', '{}', '', '')").run();
  db.close();
};

/** Counts how often the repos are asked, answering `holds`. */
function repos(holds: boolean) {
  const asked = { count: 0 };
  return { asked, options: { reposHoldApps: async () => (asked.count++, holds) } };
}

async function damage(file: string, holds: boolean): Promise<DamagedStoreError> {
  const error = await openCheckedDatabase(file, repos(holds).options).then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(DamagedStoreError);
  expect((error as Error).message).toContain(file);
  return error as DamagedStoreError;
}

describe('openCheckedDatabase', () => {
  it('opens a store holding runs without asking the repos', async () => {
    const file = fresh();
    withRun(file);
    const { asked, options } = repos(true);
    (await openCheckedDatabase(file, options)).close();
    expect(asked.count).toBe(0);
  });

  it('creates the store in a fresh home (no file, repos without apps)', async () => {
    const file = fresh();
    (await openCheckedDatabase(file, repos(false).options)).close();
    expect(existsSync(file)).toBe(true);
  });

  it('refuses a missing file when the repos hold apps, and creates nothing', async () => {
    const file = fresh();
    expect((await damage(file, true)).message).toContain('is missing');
    expect(existsSync(file)).toBe(false);
  });

  it('refuses an emptied file when the repos hold apps, and accepts it when they hold none', async () => {
    const file = fresh();
    writeFileSync(file, '');
    expect((await damage(file, true)).message).toMatch(/emptied or truncated/);
    (await openCheckedDatabase(file, repos(false).options)).close();
  });

  it('refuses a file that is not a database, naming it', async () => {
    const file = fresh();
    writeFileSync(file, 'not sqlite\n'.repeat(100));
    expect((await damage(file, false)).message).toContain('file is not a database');
  });

  it('refuses a store whose tables are gone', async () => {
    const file = fresh();
    withRun(file);
    const db = openDatabase(file);
    db.exec('DROP TABLE steps');
    db.close();
    expect((await damage(file, false)).message).toContain('lacks its tables (steps)');
  });
});
