import type { ErrorInfo, Run, RunKind, RunOrigin, RunStatus, StepStatus } from '../domain/index.ts';
import type { RunEvent, StoredRunEvent } from '../pipeline/events.ts';

export interface NewRun {
  id: string;
  kind: RunKind;
  app: string;
  request: Record<string, unknown>;
  /** Who started it; a server continues the runs it started when it starts again. Default `cli`. */
  origin?: RunOrigin;
  /** The process that queued it, which holds it until a worker runs it. */
  owner?: { pid: number; host: string };
  /** A client's key for the request: a second run with the same key is never created. */
  idempotencyKey?: string;
}

export interface RunFilter {
  app?: string;
  status?: RunStatus;
  origin?: RunOrigin;
  limit?: number;
  /** Only runs listed after this one (newest first), for paging. */
  after?: { createdAt: string; id: string };
  /** Oldest first, for the queue; default newest first. */
  order?: 'newest' | 'oldest';
}

/** Persists runs, their timelines, their events and every finished step's output, so a run can resume. */
export interface RunStore {
  /** Stores a `queued` run; with an idempotency key already used, returns that key's run instead. */
  createRun(run: NewRun): Promise<Run>;
  getRun(id: string): Promise<Run | undefined>;
  /** The run a client's idempotency key started, if any. */
  runWithIdempotencyKey(key: string): Promise<Run | undefined>;
  listRuns(filter?: RunFilter): Promise<Run[]>;
  /** Output of a step that succeeded in this run, or undefined. */
  stepOutput(runId: string, stepId: string): Promise<unknown | undefined>;
  startStep(runId: string, stepId: string, title: string): Promise<void>;
  finishStep(runId: string, stepId: string, status: StepStatus, result: { output?: unknown; error?: ErrorInfo; reused?: boolean }): Promise<void>;
  setRunStatus(runId: string, status: RunStatus, error?: ErrorInfo & { stepId?: string }): Promise<void>;
  /** Sets the status only while the run still has `from` (e.g. cancelling a run still queued); true when it did. */
  changeRunStatus(runId: string, from: RunStatus, to: RunStatus, error?: ErrorInfo & { stepId?: string }): Promise<boolean>;
  /**
   * Marks the run as owned by this process. Refuses (returns false) when another live process holds it,
   * so two `resume` calls cannot run the same steps at once.
   */
  claimRun(runId: string, owner: { pid: number; host: string }): Promise<boolean>;
  releaseRun(runId: string): Promise<void>;
  /** Appends an event to the run's stored events and returns it numbered. */
  appendEvent(runId: string, event: RunEvent): Promise<StoredRunEvent>;
  /** The run's stored events after `after` (0: all), oldest first. */
  events(runId: string, after?: number): Promise<StoredRunEvent[]>;
}
