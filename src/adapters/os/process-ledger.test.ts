import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SpawnedProgram } from '../sandbox/index.ts';
import { ProcessLedger, processStartTime, type StartedProcess } from './process-ledger.ts';
import { processRunning } from '../../../test/support/wait.ts';

let dir: string;
const started: number[] = [];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'slipway-ledger-'));
});
afterEach(async () => {
  for (const pid of started.splice(0)) try { process.kill(-pid, 'SIGKILL'); } catch { /* gone */ }
  await rm(dir, { recursive: true, force: true });
});

/** A real detached process (its own group) that runs until it is stopped. */
function sleeper(): number {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { detached: true, stdio: 'ignore' });
  child.unref();
  started.push(child.pid!);
  return child.pid!;
}

/** A Slipway process that is gone, as after `kill -9`: a pid that ran and ended. */
function deadOwner(): { pid: number; startTime: string } {
  const result = spawnSync(process.execPath, ['-e', '']);
  return { pid: result.pid!, startTime: '1' };
}

async function writeEntry(entry: StartedProcess): Promise<void> {
  await writeFile(join(dir, `${entry.pid}.json`), JSON.stringify(entry));
}

describe('ProcessLedger', () => {
  it('stops a recorded process whose Slipway is gone, and forgets it', async () => {
    const pid = sleeper();
    await delay(50);
    await writeEntry({ pid, startTime: processStartTime(pid)!, command: 'node server.js', owner: deadOwner(), startedAt: new Date().toISOString() });
    const ledger = new ProcessLedger({ dir });

    const { stopped } = await ledger.sweep();

    expect(stopped.map((p) => p.pid)).toEqual([pid]);
    for (let i = 0; i < 50 && processRunning(pid); i++) await delay(20);
    expect(processRunning(pid)).toBe(false);
    expect(await readdir(dir)).toEqual([]);
  });

  it('leaves alone a process whose Slipway still runs (another command verifying an app)', async () => {
    const pid = sleeper();
    await delay(50);
    const ledger = new ProcessLedger({ dir });
    ledger.add(pid, 'node server.js');

    const { stopped, busy } = await ledger.sweep();

    expect(stopped).toEqual([]);
    expect(busy.map((p) => p.pid)).toEqual([pid]);
    expect(processRunning(pid)).toBe(true);
  });

  it('never signals a pid that now belongs to another process', async () => {
    const pid = sleeper();
    await delay(50);
    await writeEntry({ pid, startTime: '1', command: 'node server.js', owner: deadOwner(), startedAt: new Date().toISOString() });

    const { stopped } = await new ProcessLedger({ dir }).sweep();

    expect(stopped).toEqual([]);
    await delay(100);
    expect(processRunning(pid)).toBe(true);
    expect(await readdir(dir)).toEqual([]);
  });

  it('holds a spawned program while it runs', async () => {
    const ledger = new ProcessLedger({ dir });
    const program = await SpawnedProgram.start(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { cwd: dir, env: {}, ledger });
    started.push(program.child.pid!);
    expect(ledger.list()).toMatchObject([{ pid: program.child.pid, alive: true, ownerAlive: true, owner: { pid: process.pid } }]);
    expect(ledger.list()[0]!.command).toContain('setInterval');
    await program.stop(1000);
    expect(ledger.list()).toEqual([]);
  });
});
