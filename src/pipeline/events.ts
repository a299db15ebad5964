import type { ErrorInfo, RunStatus, StepStatus } from '../domain/index.ts';

/** Progress events a run emits, for CLIs, SSE and tests. */
export type RunEvent =
  | { type: 'run:start'; runId: string; app: string; kind: string; resumed: boolean }
  | { type: 'step:start'; runId: string; stepId: string; title: string }
  | { type: 'step:end'; runId: string; stepId: string; title: string; status: StepStatus; durationMs: number; reused: boolean; error?: ErrorInfo; summary?: string }
  | { type: 'run:end'; runId: string; status: RunStatus; error?: ErrorInfo & { stepId?: string } };

export type RunEventListener = (event: RunEvent) => void;
