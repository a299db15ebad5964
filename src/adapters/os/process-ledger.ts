import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';

/** A process Slipway started for a while (e.g. an app being verified), as written down before it was relied on. */
export interface StartedProcess {
  /** Its pid, which is also its process group (it was spawned detached). */
  pid: number;
  /** Its start time in clock ticks after boot (/proc/<pid>/stat), which tells it from a later process given the same pid. */
  startTime: string;
  /** What it is, for people (e.g. `node server.js`). */
  command: string;
  /** The Slipway process that started it and should stop it: while that one lives, the entry is its business. */
  owner: { pid: number; startTime: string };
  startedAt: string;
}

/**
 * Writes down each short-lived process Slipway starts (one small file per process under `dir`),
 * so that one left running when Slipway itself was killed (`kill -9` during `source:verify`) can be
 * found and stopped later by `resume`, `delete` or `doctor`. A process is only signalled while its
 * pid still has the recorded start time, and only once the Slipway process that started it is gone.
 * @example
 * const ledger = new ProcessLedger({ dir: join(home, 'run', 'started') });
 * ledger.add(child.pid, 'node server.js'); … ledger.remove(child.pid);
 * const { stopped } = await ledger.sweep();
 */
export class ProcessLedger {
  private readonly dir: string;
  private owner: { pid: number; startTime: string } | undefined;

  constructor(options: { dir: string }) {
    this.dir = options.dir;
  }

  /** Records a started process; synchronous, so it is on disk before anything else happens. */
  add(pid: number, command: string): void {
    const startTime = processStartTime(pid);
    if (!startTime) return; // already gone: nothing can be left behind
    this.owner ??= { pid: process.pid, startTime: processStartTime(process.pid) ?? '' };
    const entry: StartedProcess = { pid, startTime, command, owner: this.owner, startedAt: new Date().toISOString() };
    mkdirSync(this.dir, { recursive: true });
    const file = this.file(pid);
    writeFileSync(`${file}.partial`, JSON.stringify(entry));
    renameSync(`${file}.partial`, file);
  }

  /** Forgets a process once it has been stopped (or has ended). */
  remove(pid: number): void {
    rmSync(this.file(pid), { force: true });
  }

  /** Every recorded process, with whether it still runs and whether its owner does. */
  list(): Array<StartedProcess & { alive: boolean; ownerAlive: boolean }> {
    let names: string[];
    try {
      names = readdirSync(this.dir).filter((name) => name.endsWith('.json')).sort();
    } catch {
      return [];
    }
    return names.flatMap((name) => {
      try {
        const entry = JSON.parse(readFileSync(join(this.dir, name), 'utf8')) as StartedProcess;
        return [{ ...entry, alive: isSameProcess(entry.pid, entry.startTime), ownerAlive: isSameProcess(entry.owner.pid, entry.owner.startTime) }];
      } catch {
        return [];
      }
    });
  }

  /**
   * Stops the recorded processes whose owner is gone (their whole process group: SIGTERM, then
   * SIGKILL after `graceMs`) and forgets those that ended. Entries of a live owner are left alone:
   * another Slipway command may be verifying an app in this home right now.
   */
  async sweep(graceMs = 3000): Promise<{ stopped: StartedProcess[]; busy: StartedProcess[] }> {
    const stopped: StartedProcess[] = [];
    const busy: StartedProcess[] = [];
    for (const { alive, ownerAlive, ...entry } of this.list()) {
      if (ownerAlive) {
        busy.push(entry);
        continue;
      }
      if (alive) {
        signalGroup(entry.pid, 'SIGTERM');
        for (let waited = 0; waited < graceMs && isSameProcess(entry.pid, entry.startTime); waited += 100) await delay(100);
        if (isSameProcess(entry.pid, entry.startTime)) signalGroup(entry.pid, 'SIGKILL');
        stopped.push(entry);
      }
      this.remove(entry.pid);
    }
    return { stopped, busy };
  }

  private file(pid: number): string {
    return join(this.dir, `${pid}.json`);
  }
}

/** Field 22 of /proc/<pid>/stat (after the command name, which may hold spaces and parentheses). */
export function processStartTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // fields[0] is field 3 (state); a zombie has ended, whatever its start time says.
    return fields[0] === 'Z' ? undefined : fields[19];
  } catch {
    return undefined;
  }
}

function isSameProcess(pid: number, startTime: string): boolean {
  return processStartTime(pid) === startTime;
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    try { process.kill(pid, signal); } catch { /* already gone */ }
  }
}
