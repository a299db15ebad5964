import type { ErrorInfo } from './errors.ts';

/**
 * `interrupted` is never stored: it is how a `running` run reads once the process running it is gone
 * (killed, crashed, the machine rebooted); `slipway resume` continues it.
 */
export type RunStatus = 'running' | 'succeeded' | 'failed' | 'cancelled' | 'interrupted';
/** `interrupted`, as for runs: the step of an interrupted run that was under way. */
export type StepStatus = 'running' | 'succeeded' | 'failed' | 'cancelled' | 'skipped' | 'interrupted';

/** The kinds of pipeline a run can follow. */
export type RunKind = 'create' | 'delete';

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
