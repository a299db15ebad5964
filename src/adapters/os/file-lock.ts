import { mkdir, open, readFile, rm, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { hostname } from 'node:os';
import { CancelledError, ExternalServiceError } from '../../domain/index.ts';
import { sleep as delay } from '../http/index.ts';
import { processIsAlive } from './process-alive.ts';

export interface LockOptions {
  /** Give up after this long (default 120 s: a slow push by another process may hold the lock). */
  timeoutMs?: number;
  signal?: AbortSignal | undefined;
  /** Who is waiting, for the error when the wait times out: the service and what the lock guards. */
  guards?: { service: string; what: string; holder: string };
}

const DEFAULT_GUARDS = { service: 'git', what: 'the repository cache', holder: 'Another Slipway process is using it' };

/**
 * Per process (shared across copies of this module, hence the global symbol): the queue of callers per
 * lock file, and the lock-file contents this process currently holds. The latter tells a lock left by
 * an earlier process that had our pid (pid 1 in a restarted container) from one we really hold.
 */
interface ProcessLocks {
  queues: Map<string, Promise<unknown>>;
  held: Set<string>;
}
const registry = globalThis as { [key: symbol]: ProcessLocks | undefined };
const KEY = Symbol.for('slipway.file-locks');
const locks: ProcessLocks = (registry[KEY] ??= { queues: new Map(), held: new Set() });
const queues = locks.queues;

/** A lock file nobody wrote into (its writer died between create and write) is stale after this. */
const UNWRITTEN_STALE_MS = 5_000;
/** A lock taken on another host cannot be checked by pid; it is considered stale after this. */
const FOREIGN_STALE_MS = 10 * 60_000;

/**
 * Runs `task` while holding an exclusive lock on `lockPath`, shared by every process on the machine
 * (a file created with O_EXCL holding `pid host time`) and serialised within this process. A lock
 * whose process is gone is taken over. Git's cache clones and the local OCI image store use it.
 * @example await withFileLock('/cache/abc.lock', () => pushSomething(), { timeoutMs: 30_000 });
 */
export async function withFileLock<T>(lockPath: string, task: () => Promise<T>, options: LockOptions = {}): Promise<T> {
  const previous = queues.get(lockPath) ?? Promise.resolve();
  const mine = previous.catch(() => undefined).then(async () => {
    const release = await acquireFileLock(lockPath, options);
    try {
      return await task();
    } finally {
      await release();
    }
  });
  const tail = mine.catch(() => undefined);
  queues.set(lockPath, tail);
  void tail.then(() => {
    if (queues.get(lockPath) === tail) queues.delete(lockPath);
  });
  return mine;
}

async function acquireFileLock(lockPath: string, options: LockOptions): Promise<() => Promise<void>> {
  const timeoutMs = options.timeoutMs ?? 120_000;
  const started = Date.now();
  await mkdir(dirname(lockPath), { recursive: true });
  const content = `${process.pid} ${hostname()} ${Date.now()} ${Math.random().toString(36).slice(2)}\n`;
  for (let round = 0; ; round++) {
    if (options.signal?.aborted) throw new CancelledError();
    if (await tryCreate(lockPath, content)) {
      locks.held.add(content);
      return async () => {
        locks.held.delete(content);
        // Only remove the file if it is still ours (never someone else's after a takeover).
        if ((await readText(lockPath)) === content) await rm(lockPath, { force: true });
      };
    }
    const holder = await readText(lockPath);
    if (holder !== undefined && (await isStale(lockPath, holder))) {
      await breakStaleLock(lockPath, holder);
      continue;
    }
    if (Date.now() - started > timeoutMs) {
      const pid = holder?.split(' ')[0] ?? 'unknown';
      const guards = options.guards ?? DEFAULT_GUARDS;
      throw new ExternalServiceError(guards.service, `${guards.what} is locked by process ${pid} for more than ${Math.round(timeoutMs / 1000)} s`, {
        hint: `${guards.holder}; wait and retry. If no Slipway process is running, delete ${lockPath}.`,
      });
    }
    await delay(Math.min(250, 10 * 2 ** Math.min(round, 5)) * (0.5 + Math.random()), options.signal);
  }
}

async function tryCreate(path: string, content: string): Promise<boolean> {
  try {
    const handle = await open(path, 'wx');
    try {
      await handle.writeFile(content);
    } finally {
      await handle.close();
    }
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
}

async function isStale(path: string, holder: string): Promise<boolean> {
  const [pidText, host] = holder.trim().split(' ');
  const pid = Number(pidText);
  if (!Number.isInteger(pid) || pid <= 0 || host === undefined) return (await ageMs(path)) > UNWRITTEN_STALE_MS;
  if (host !== hostname()) return (await ageMs(path)) > FOREIGN_STALE_MS;
  if (pid === process.pid) return !locks.held.has(holder);
  return !processIsAlive(pid);
}

/**
 * Two waiters may both see the same stale lock; a second, short-lived lock file makes sure only one
 * of them removes it, and only if it still holds the stale content (not a fresh lock taken meanwhile).
 */
async function breakStaleLock(path: string, staleContent: string): Promise<void> {
  const breaker = `${path}.break`;
  if (!(await tryCreate(breaker, `${process.pid}\n`))) {
    if ((await ageMs(breaker)) > UNWRITTEN_STALE_MS) await rm(breaker, { force: true });
    await delay(5);
    return;
  }
  try {
    if ((await readText(path)) === staleContent) await rm(path, { force: true });
  } finally {
    await rm(breaker, { force: true });
  }
}

async function readText(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
}

async function ageMs(path: string): Promise<number> {
  try {
    return Date.now() - (await stat(path)).mtimeMs;
  } catch {
    return 0;
  }
}

