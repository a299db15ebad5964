import type { Logger } from 'pino';
import type { Run } from '../domain/index.ts';
import type { RunStore } from '../ports/index.ts';

/** How long a run that must wait (its app busy in another process) waits before the queue looks again. */
const RETRY_MS = 1_000;

export interface RunQueueOptions {
  store: RunStore;
  /** This process, as it holds the runs it executes. */
  owner: { pid: number; host: string };
  /** Runs executed at once. */
  concurrency: number;
  /** A server takes every queued run it can hold; a command only the runs handed to it with `add`. */
  takeAll: boolean;
  /** Executes one run to its end; never rejects in practice (a rejection is logged). */
  execute: (run: Run, signal: AbortSignal) => Promise<unknown>;
  logger: Logger;
}

interface Active {
  app: string;
  controller: AbortController;
  done: Promise<void>;
}

/**
 * The durable queue's worker pool. The queue itself is the store (runs `queued` there, oldest first);
 * this takes them one by one while fewer than `concurrency` run, never two of one app at once (also
 * not while another process runs one), holding each in the store before it starts so that no other
 * process takes it too.
 */
export class RunQueue {
  private readonly options: RunQueueOptions;
  private readonly handed = new Set<string>();
  private readonly active = new Map<string, Active>();
  private filling: Promise<void> | undefined;
  private fillAgain = false;
  private retry: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(options: RunQueueOptions) {
    this.options = options;
  }

  /** Hands a queued run to this process's workers. */
  add(runId: string): void {
    this.handed.add(runId);
    this.kick();
  }

  /** Looks for runs to start (after a run was queued or ended). */
  kick(): void {
    if (this.stopped) return;
    if (this.filling) {
      this.fillAgain = true;
      return;
    }
    this.filling = this.fill()
      .catch((error: unknown) => this.options.logger.error({ err: error }, 'the run queue could not read the store'))
      .finally(() => { this.filling = undefined; });
  }

  /** Aborts a run this process executes; false when it executes no such run. */
  abort(runId: string, reason: unknown): boolean {
    const active = this.active.get(runId);
    if (!active) return false;
    active.controller.abort(reason);
    return true;
  }

  /** Aborts every run this process executes (something went wrong in the process itself). */
  abortAll(reason: unknown): void {
    for (const active of this.active.values()) active.controller.abort(reason);
  }

  /** True while this process executes the run. */
  executes(runId: string): boolean {
    return this.active.has(runId);
  }

  /** Takes no more runs; those under way go on. */
  stop(): void {
    this.stopped = true;
    if (this.retry) clearTimeout(this.retry);
  }

  /** Resolves once no run is under way here and none handed to it waits. */
  async idle(): Promise<void> {
    while (this.active.size > 0 || this.filling) {
      await Promise.all([...this.active.values()].map((a) => a.done));
      await this.filling;
    }
  }

  private async fill(): Promise<void> {
    do {
      this.fillAgain = false;
      if (this.active.size >= this.options.concurrency) return;
      const { store, owner, takeAll } = this.options;
      const queued = await store.listRuns({ status: 'queued', order: 'oldest', limit: 1000 });
      const busy = new Set([...this.active.values()].map((a) => a.app));
      let waiting = false;
      for (const run of queued) {
        if (this.stopped || this.active.size >= this.options.concurrency) break;
        if (!takeAll && !this.handed.has(run.id)) continue;
        if (busy.has(run.app)) continue;
        busy.add(run.app);
        // A run of the same app under way in another process: this one waits for it to end.
        if ((await store.listRuns({ app: run.app, status: 'running', limit: 1 })).length > 0 || !(await store.claimRun(run.id, owner))) {
          waiting ||= this.handed.has(run.id);
          continue;
        }
        // Cancelled (or taken) between the listing and the claim: not ours to run.
        if (!(await store.changeRunStatus(run.id, 'queued', 'running'))) {
          await store.releaseRun(run.id);
          this.handed.delete(run.id);
          continue;
        }
        this.launch(run);
      }
      if (waiting && !this.retry) this.retry = setTimeout(() => { this.retry = undefined; this.kick(); }, RETRY_MS);
    } while (this.fillAgain);
  }

  private launch(run: Run): void {
    const controller = new AbortController();
    const done = this.options.execute(run, controller.signal)
      .then(() => undefined, (error: unknown) => this.options.logger.error({ err: error, runId: run.id }, 'a run ended with an error outside its steps'))
      .finally(() => {
        this.active.delete(run.id);
        this.handed.delete(run.id);
        this.kick();
      });
    this.active.set(run.id, { app: run.app, controller, done });
  }
}
