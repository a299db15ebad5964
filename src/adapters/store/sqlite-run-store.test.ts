import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from './sqlite-database.ts';
import { SqliteRunStore } from './sqlite-run-store.ts';

const dir = mkdtempSync(join(tmpdir(), 'slipway-runstore-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The pid of a process that has exited (the OS does not reuse it within a test). */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(child.stdout);
}

async function runningRun(store: SqliteRunStore, id: string) {
  await store.createRun({ id, kind: 'create', app: 'notes', request: { app: 'notes' } });
  await store.setRunStatus(id, 'running');
  await store.startStep(id, 'app:plan', 'Plan the app');
  await store.finishStep(id, 'app:plan', 'succeeded', { output: { template: 'notes-api' } });
  await store.startStep(id, 'source:commit', 'Commit the source');
}

describe('SqliteRunStore: runs whose process is gone', () => {
  const store = new SqliteRunStore({ db: openDatabase(join(dir, 'state.db')) });

  it('reads a running run whose owner on this machine died as interrupted, with where it stopped and how to continue', async () => {
    await runningRun(store, 'run-20261122100000-aaaaaa');
    expect(await store.claimRun('run-20261122100000-aaaaaa', { pid: deadPid(), host: hostname() })).toBe(true);
    const run = (await store.getRun('run-20261122100000-aaaaaa'))!;
    expect(run.status).toBe('interrupted');
    expect(run.error).toMatchObject({ name: 'Interrupted', stepId: 'source:commit', hint: 'Continue it with: slipway resume run-20261122100000-aaaaaa' });
    expect(run.timeline.map((s) => [s.stepId, s.status])).toEqual([['app:plan', 'succeeded'], ['source:commit', 'interrupted']]);
    expect((await store.listRuns({ app: 'notes' }))[0]?.status).toBe('interrupted');
    // What it did is still there for resume.
    expect(await store.stepOutput('run-20261122100000-aaaaaa', 'app:plan')).toEqual({ template: 'notes-api' });
  });

  it('reads it as running again once a live process claims it, and when its owner lives or is on another machine', async () => {
    expect(await store.claimRun('run-20261122100000-aaaaaa', { pid: process.pid, host: hostname() })).toBe(true);
    expect((await store.getRun('run-20261122100000-aaaaaa'))!.status).toBe('running');

    await runningRun(store, 'run-20261122100000-bbbbbb');
    expect(await store.claimRun('run-20261122100000-bbbbbb', { pid: deadPid(), host: 'another-machine' })).toBe(true);
    expect((await store.getRun('run-20261122100000-bbbbbb'))!.status).toBe('running');
  });

  it('reads a running run that no process holds as interrupted, and leaves finished runs as they are', async () => {
    await runningRun(store, 'run-20261122100000-cccccc');
    expect((await store.getRun('run-20261122100000-cccccc'))!.status).toBe('interrupted');
    await store.finishStep('run-20261122100000-cccccc', 'source:commit', 'failed', { error: { name: 'Error', message: 'push refused' } });
    await store.setRunStatus('run-20261122100000-cccccc', 'failed', { name: 'Error', message: 'push refused', stepId: 'source:commit' });
    expect((await store.getRun('run-20261122100000-cccccc'))!).toMatchObject({ status: 'failed', error: { message: 'push refused' } });
  });
});
