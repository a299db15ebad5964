import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CancelledError, ExternalServiceError } from '../../domain/index.ts';
import { withFileLock } from './file-lock.ts';

const root = mkdtempSync(join(tmpdir(), 'slipway-lock-'));
const children: ChildProcess[] = [];
afterAll(() => {
  for (const child of children) child.kill('SIGKILL');
  rmSync(root, { recursive: true, force: true });
});

/** A process that is alive for the test's duration: stands in for another Slipway holding the lock. */
function liveProcess(): number {
  const child = spawn('sleep', ['30'], { stdio: 'ignore' });
  children.push(child);
  return child.pid!;
}

/** A pid that belonged to a process which has exited. */
async function deadPid(): Promise<number> {
  const child = spawn('true', { stdio: 'ignore' });
  await new Promise((resolve) => child.once('exit', resolve));
  return child.pid!;
}

describe('withFileLock', () => {
  it('holds a lock file while the task runs and removes it after', async () => {
    const lock = join(root, 'a', 'held.lock');
    const content = await withFileLock(lock, async () => readFileSync(lock, 'utf8'));
    expect(content.startsWith(`${process.pid} ${hostname()} `)).toBe(true);
    expect(existsSync(lock)).toBe(false);
  });

  it('runs callers in one process one at a time, in order, even when one fails', async () => {
    const lock = join(root, 'order.lock');
    const events: string[] = [];
    const task = (name: string, fail = false) => async () => {
      events.push(`start ${name}`);
      await new Promise((r) => setTimeout(r, 20));
      events.push(`end ${name}`);
      if (fail) throw new Error(name);
    };
    const results = await Promise.allSettled([withFileLock(lock, task('a')), withFileLock(lock, task('b', true)), withFileLock(lock, task('c'))]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(events).toEqual(['start a', 'end a', 'start b', 'end b', 'start c', 'end c']);
  });

  it('waits for a live holder and gives up after the timeout with what to do', async () => {
    const lock = join(root, 'live.lock');
    const pid = liveProcess();
    writeFileSync(lock, `${pid} ${hostname()} ${Date.now()} x\n`);
    let ran = false;
    const error = await withFileLock(lock, async () => (ran = true), { timeoutMs: 300 }).catch((e: unknown) => e);
    expect(ran).toBe(false);
    expect(error).toBeInstanceOf(ExternalServiceError);
    expect((error as ExternalServiceError).message).toContain(`process ${pid}`);
    expect((error as ExternalServiceError).hint).toContain(lock);
    expect(readFileSync(lock, 'utf8')).toContain(`${pid} `); // a live holder's lock is never taken
  });

  it('takes the lock as soon as a live holder releases it', async () => {
    const lock = join(root, 'release.lock');
    writeFileSync(lock, `${liveProcess()} ${hostname()} ${Date.now()} x\n`);
    setTimeout(() => rmSync(lock), 150);
    const started = Date.now();
    await withFileLock(lock, async () => undefined, { timeoutMs: 5_000 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
  });

  it('takes over a lock left by a process that died, and one left by an earlier process with our pid', async () => {
    const dead = join(root, 'dead.lock');
    writeFileSync(dead, `${await deadPid()} ${hostname()} ${Date.now()} x\n`);
    expect(await withFileLock(dead, async () => 'ran', { timeoutMs: 2_000 })).toBe('ran');
    const reused = join(root, 'reused.lock');
    writeFileSync(reused, `${process.pid} ${hostname()} 1 earlier-life\n`);
    expect(await withFileLock(reused, async () => 'ran', { timeoutMs: 2_000 })).toBe('ran');
  });

  it('stops waiting when cancelled', async () => {
    const lock = join(root, 'cancel.lock');
    writeFileSync(lock, `${liveProcess()} ${hostname()} ${Date.now()} x\n`);
    await expect(withFileLock(lock, async () => undefined, { signal: AbortSignal.timeout(100) })).rejects.toBeInstanceOf(CancelledError);
  });
});
