import type { ErrorInfo } from './errors.ts';

/**
 * A run waits `queued` until a worker takes it. `interrupted` is never stored: it is how a `queued`
 * or `running` run reads once the process that held it is gone (killed, crashed, the machine
 * rebooted); `slipway resume` continues it, and a server that held it continues it when it starts.
 */
export type RunStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled' | 'interrupted';

/** Statuses a run ends in. */
export const ENDED_STATUSES: readonly RunStatus[] = ['succeeded', 'failed', 'cancelled'];

/** Where a run was started: by a command that runs it itself, or by a server that queues it. */
export type RunOrigin = 'cli' | 'server';
/** `interrupted`, as for runs: the step of an interrupted run that was under way. */
export type StepStatus = 'running' | 'succeeded' | 'failed' | 'cancelled' | 'skipped' | 'interrupted';

/**
 * The kinds of pipeline a run can follow: a create ships a new app (v1.0.0), a change ships a new
 * version of its code, a rollback pins an earlier version's image, a promote copies the version one
 * environment runs to another, a configure applies new settings or secrets to the version it runs
 * (config is not a new version of the code), a delete removes the app.
 */
export type RunKind = 'create' | 'delete' | 'change' | 'rollback' | 'promote' | 'configure';

/** Every run kind, e.g. to check a filter. */
export const RUN_KINDS: readonly RunKind[] = ['create', 'delete', 'change', 'rollback', 'promote', 'configure'];

/** One line of a run's timeline. */
export interface StepRecord {
  stepId: string;
  title: string;
  status: StepStatus;
  startedAt: string;
  endedAt?: string;
  durationMs?: number;
  attempt: number;
  error?: ErrorInfo;
  /** True when the step's output came from an earlier attempt of the same run (resume). */
  reused?: boolean;
}

export interface Run {
  id: string;
  kind: RunKind;
  app: string;
  status: RunStatus;
  /** The request as validated at the edge (no secrets). */
  request: Record<string, unknown>;
  createdAt: string;
  updatedAt: string;
  endedAt?: string;
  error?: ErrorInfo & { stepId?: string };
  timeline: StepRecord[];
  /** How many events the run has stored (their ids are 1 to this). */
  events: number;
}

/** Run ids sort by time and are safe in paths and git trailers. */
export function newRunId(now: Date, random: () => number = Math.random): string {
  const stamp = now.toISOString().replace(/[-:TZ.]/g, '').slice(0, 14);
  const suffix = Math.floor(random() * 36 ** 6).toString(36).padStart(6, '0');
  return `run-${stamp}-${suffix}`;
}

export const RUN_ID_PATTERN = /^run-\d{14}-[a-z0-9]{6}$/;

/** The command that continues a run. */
export function resumeCommand(runId: string): string {
  return `slipway resume ${runId}`;
}
