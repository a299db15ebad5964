import { EventEmitter } from 'node:events';
import { ENDED_STATUSES, NotFoundError, type Run } from '../domain/index.ts';
import type { RunEvent, StoredRunEvent } from '../pipeline/index.ts';
import type { RunStore } from '../ports/index.ts';

/** How often a watcher looks at the store for events written by another process. */
const POLL_MS = 500;

/**
 * A run's events: each is stored with the run first (so a client that reconnects, or a process that
 * watches a run another one executes, reads it later), then handed to the watchers in this process.
 */
export class RunEvents {
  private readonly store: RunStore;
  private readonly emitter = new EventEmitter();
  /** Writes in order, one after the other: an event is never stored before the one emitted earlier. */
  private writing: Promise<unknown> = Promise.resolve();

  constructor(store: RunStore) {
    this.store = store;
    this.emitter.setMaxListeners(0);
  }

  /** Stores the event and tells this process's watchers. Resolves once it is stored. */
  publish(event: RunEvent): Promise<StoredRunEvent> {
    const stored = this.writing.then(() => this.store.appendEvent(event.runId, event));
    this.writing = stored.catch(() => undefined);
    return stored.then((value) => {
      this.emitter.emit(event.runId, value);
      this.emitter.emit('*', value);
      return value;
    });
  }

  /** Resolves once every event published so far is stored. */
  async settled(): Promise<void> {
    await this.writing;
  }

  /** Every event published in this process, as it is stored (metrics, notifications). */
  subscribe(listener: (event: StoredRunEvent) => void): () => void {
    this.emitter.on('*', listener);
    return () => this.emitter.off('*', listener);
  }

  /**
   * The run's events after `after`: the stored ones, then the rest as they happen, ending with the
   * `run:end` event of its final state. Stops early, without an error, when `signal` aborts.
   */
  async *watch(runId: string, options: { after?: number; signal?: AbortSignal } = {}): AsyncGenerator<StoredRunEvent> {
    const run = await this.store.getRun(runId);
    if (!run) throw new NotFoundError(`no run ${runId}`, { hint: 'List runs with `slipway runs`.' });
    // A run that ended before its events were kept gets its last one now, so every watch ends.
    if (run.events === 0 && ENDED_STATUSES.includes(run.status)) await this.publish(endOf(run));
    let after = options.after ?? 0;
    const { signal } = options;
    while (!signal?.aborted) {
      // Listening starts before the store is read, so an event stored in between is not missed.
      const woken = this.nextEvent(runId, signal);
      const events = await this.store.events(runId, after);
      for (const stored of events) {
        after = stored.seq;
        yield stored;
        if (stored.event.type === 'run:end' && (await this.endedAt(runId, stored.seq))) {
          woken.cancel();
          return;
        }
      }
      if (events.length > 0) {
        woken.cancel();
        continue;
      }
      // Nothing after `after`, and the run has ended: the watcher has seen it all (a reconnect after its end).
      const now = await this.store.getRun(runId);
      if (now && ENDED_STATUSES.includes(now.status) && now.events <= after) {
        woken.cancel();
        return;
      }
      await woken.promise;
    }
  }

  /**
   * Whether the `run:end` numbered `seq` is the run's last word: a run resumed after it ended has an
   * earlier `run:end` among its events, and a watcher follows the next attempt past it.
   */
  private async endedAt(runId: string, seq: number): Promise<boolean> {
    const run = await this.store.getRun(runId);
    if (!run || !ENDED_STATUSES.includes(run.status)) return false;
    // Notifications follow the end; a later attempt starts with `run:queued`.
    return !(await this.store.events(runId, seq)).some(({ event }) => event.type === 'run:queued');
  }

  /** Resolves at this run's next event here, after a poll interval, or when `signal` aborts. */
  private nextEvent(runId: string, signal?: AbortSignal): { promise: Promise<void>; cancel: () => void } {
    let done!: () => void;
    const promise = new Promise<void>((resolve) => { done = resolve; });
    const timer = setTimeout(() => done(), POLL_MS);
    const onEvent = () => done();
    const onAbort = () => done();
    this.emitter.once(runId, onEvent);
    signal?.addEventListener('abort', onAbort, { once: true });
    const cancel = () => {
      clearTimeout(timer);
      this.emitter.off(runId, onEvent);
      signal?.removeEventListener('abort', onAbort);
      done();
    };
    void promise.then(cancel);
    return { promise, cancel };
  }
}

/** The `run:end` event of a run that has ended. */
function endOf(run: Run): RunEvent {
  return { type: 'run:end', runId: run.id, status: run.status, ...(run.error ? { error: run.error } : {}) };
}
