import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { SqliteAppStore } from '../../src/adapters/store/sqlite-app-store.ts';
import { openDatabase } from '../../src/adapters/store/sqlite-database.ts';
import { SqliteRunStore } from '../../src/adapters/store/sqlite-run-store.ts';
import { runCli, spawnCli, tempHome } from '../support/cli.ts';

// `slipway runs | head -1`: the reader leaves after the first line while the command still writes.
const { home, cwd } = tempHome('slipway-pipe-');
const opts = { home, cwd };

beforeAll(async () => {
  // More output than a pipe buffers (64 KiB), so the command is still writing when the reader goes.
  // The apps are 'deploying', so `list` does not ask the runtime about each.
  const db = openDatabase(join(home, 'state.db'));
  const runs = new SqliteRunStore({ db });
  const apps = new SqliteAppStore({ db });
  const at = new Date('2026-11-22T10:00:00Z').toISOString();
  db.exec('BEGIN');
  for (let i = 0; i < 1500; i++) {
    const name = `app-${String(i).padStart(4, '0')}-with-a-longer-name`;
    const id = `run-20261122100000-${i.toString(36).padStart(6, '0')}`;
    await runs.createRun({ id, kind: 'create', app: name, request: { app: name, description: 'a pomodoro timer' } });
    await runs.setRunStatus(id, 'failed', { name: 'Error', message: 'it failed', stepId: 'image:build' });
    await apps.upsert({ name, description: 'a pomodoro timer', template: 'timer', state: 'deploying', target: 'local', commits: {}, lastRunId: id, createdAt: at, updatedAt: at });
  }
  db.exec('COMMIT');
  db.close();
});

/** Runs the command with stdout read until the first line (or not at all), then closed. */
function firstLineThenClose(args: string[], readFirstLine: boolean): Promise<{ code: number | null; firstLine: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawnCli(args, opts);
    let firstLine = '';
    let stderr = '';
    const stdout = child.stdout!;
    if (!readFirstLine) stdout.destroy();
    else {
      stdout.on('data', (chunk: Buffer) => {
        firstLine += chunk.toString('utf8');
        if (firstLine.includes('\n')) {
          firstLine = firstLine.slice(0, firstLine.indexOf('\n'));
          stdout.destroy();
        }
      });
    }
    child.stderr!.on('data', (d) => (stderr += d));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, firstLine, stderr }));
  });
}

describe('a closed stdout pipe', () => {
  it.each([
    ['runs', ['runs', '--limit', '2000'], /^run-2026/],
    ['list', ['list'], /^APP\s+STATE/],
  ])('ends `%s` quietly when the reader leaves after the first line', async (_name, args, first) => {
    const whole = await runCli(args, opts);
    expect(whole.code).toBe(0);
    expect(whole.stdout.length).toBeGreaterThan(70_000);
    const closed = await firstLineThenClose(args, true);
    expect(closed.firstLine).toMatch(first);
    expect(closed.stderr).toBe('');
    expect(closed.code).toBe(0);
  });

  it('ends `doctor` quietly, with its usual exit code, when nobody reads its output', async () => {
    const whole = await runCli(['doctor'], opts);
    expect(whole.stdout).toMatch(/git/);
    const closed = await firstLineThenClose(['doctor'], false);
    expect(closed.stderr).toBe('');
    expect(closed.code).toBe(whole.code);
  });
});
