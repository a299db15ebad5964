import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { describe, expect, it } from 'vitest';

const MODULE = new URL('./sqlite-database.ts', import.meta.url).pathname;

/** One process that opens (creating and migrating) the file and records a run in it. */
function openAndWrite(file: string, id: string): Promise<{ code: number | null; stderr: string }> {
  const program = `
    const { openDatabase } = await import(${JSON.stringify(MODULE)});
    const db = openDatabase(process.argv[1]);
    db.prepare("INSERT INTO runs (id, kind, app, status, request, created_at, updated_at) VALUES (?, 'create', ?, 'running', '{}', '', '')").run(process.argv[2], process.argv[2]);
    db.close();`;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', program, file, id], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stderr }));
  });
}

describe('openDatabase', () => {
  it('lets several processes create and migrate a fresh file at once', async () => {
    for (let round = 0; round < 3; round++) {
      const file = join(mkdtempSync(join(tmpdir(), 'slipway-db-')), 'home', 'state.db');
      const results = await Promise.all(Array.from({ length: 8 }, (_, i) => openAndWrite(file, `run-${i}`)));
      expect(results.map((r) => r.stderr)).toEqual(Array(8).fill(''));
      expect(results.map((r) => r.code)).toEqual(Array(8).fill(0));
      const db = new DatabaseSync(file, { readOnly: true });
      expect((db.prepare('SELECT COUNT(*) AS n FROM runs').get() as { n: number }).n).toBe(8);
      expect((db.prepare('PRAGMA user_version').get() as { user_version: number }).user_version).toBe(6);
      db.close();
    }
  }, 60_000);
});
