import type { ErrorInfo, RunStatus, StepStatus } from '../domain/index.ts';

/** Progress events a run emits, for CLIs, SSE and tests. */
export type RunEvent =
  | { type: 'run:queued'; runId: string; app: string; kind: string }
  | { type: 'run:start'; runId: string; app: string; kind: string; resumed: boolean }
  | { type: 'step:start'; runId: string; stepId: string; title: string }
  | { type: 'step:end'; runId: string; stepId: string; title: string; status: StepStatus; durationMs: number; reused: boolean; error?: ErrorInfo; summary?: string }
  | { type: 'run:end'; runId: string; status: RunStatus; error?: ErrorInfo & { stepId?: string } }
  /** A line of the run's log at info level or above (already redacted). */
  | { type: 'log'; runId: string; stepId?: string; level: 'debug' | 'info' | 'warn' | 'error'; message: string }
  /** A notification about the run's outcome, sent after the run ended. */
  | { type: 'notify'; runId: string; target: string; ok: boolean; attempts: number; error?: string };

/** An event as the run keeps it: numbered from 1 in the order it happened (the SSE event id). */
export interface StoredRunEvent {
  seq: number;
  at: string;
  event: RunEvent;
}

export type RunEventListener = (event: RunEvent) => void;
