import { open, readFile, rm, stat } from 'node:fs/promises';
import { setTimeout as delay } from 'node:timers/promises';
import { ExternalServiceError } from '../../domain/errors.ts';
import { processIsAlive } from '../os/process-alive.ts';

/** A lock file nobody wrote a pid into (its writer died between create and write) is stale after this. */
const UNWRITTEN_STALE_MS = 5_000;

/**
 * Runs `task` while holding `<layout>/index.json.lock`: builds of several apps share one OCI layout,
 * and each rewrites `index.json` whole, so without it one build's tag could drop another's. The lock
 * file holds the writer's pid; a lock whose process is gone is taken over (the layout is on this machine).
 * @example await withLayoutIndexLock('/home/me/.slipway/images', () => rewriteIndex());
 */
export async function withLayoutIndexLock<T>(layoutDir: string, task: () => Promise<T>, timeoutMs = 60_000): Promise<T> {
  const lockPath = `${layoutDir}/index.json.lock`;
  const mine = `${process.pid} ${Math.random().toString(36).slice(2)}`;
  const started = Date.now();
  for (let round = 0; !(await tryCreate(lockPath, mine)); round++) {
    const holder = await readFile(lockPath, 'utf8').catch(() => undefined);
    if (holder !== undefined && (await isStale(lockPath, holder))) {
      // Only the stale content is removed, never a lock taken meanwhile by someone else.
      if ((await readFile(lockPath, 'utf8').catch(() => undefined)) === holder) await rm(lockPath, { force: true });
      continue;
    }
    if (Date.now() - started > timeoutMs) {
      throw new ExternalServiceError('images', `the image store ${layoutDir} is locked by process ${holder?.split(' ')[0] ?? 'unknown'} for more than ${Math.round(timeoutMs / 1000)} s`, {
        hint: `Another Slipway build is tagging an image; wait and retry. If no Slipway process is running, delete ${lockPath}.`,
      });
    }
    await delay(Math.min(100, 2 * 2 ** Math.min(round, 6)) * (0.5 + Math.random()));
  }
  try {
    return await task();
  } finally {
    if ((await readFile(lockPath, 'utf8').catch(() => undefined)) === mine) await rm(lockPath, { force: true });
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
  const pid = Number(holder.split(' ')[0]);
  if (Number.isInteger(pid) && pid > 0) return pid !== process.pid && !processIsAlive(pid);
  const age = await stat(path).then((s) => Date.now() - s.mtimeMs, () => 0);
  return age > UNWRITTEN_STALE_MS;
}
