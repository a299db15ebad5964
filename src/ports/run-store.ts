import type { ErrorInfo, Run, RunKind, RunStatus, StepStatus } from '../domain/index.ts';

export interface NewRun {
  id: string;
  kind: RunKind;
  app: string;
  request: Record<string, unknown>;
}

/** Persists runs, their timelines and every finished step's output, so a run can resume. */
export interface RunStore {
  createRun(run: NewRun): Promise<Run>;
  getRun(id: string): Promise<Run | undefined>;
  listRuns(filter?: { app?: string; limit?: number }): Promise<Run[]>;
  /** Output of a step that succeeded in this run, or undefined. */
  stepOutput(runId: string, stepId: string): Promise<unknown | undefined>;
  startStep(runId: string, stepId: string, title: string): Promise<void>;
  finishStep(runId: string, stepId: string, status: StepStatus, result: { output?: unknown; error?: ErrorInfo; reused?: boolean }): Promise<void>;
  setRunStatus(runId: string, status: RunStatus, error?: ErrorInfo & { stepId?: string }): Promise<void>;
  /**
   * Marks the run as owned by this process. Refuses (returns false) when another live process holds it,
   * so two `resume` calls cannot run the same steps at once.
   */
  claimRun(runId: string, owner: { pid: number; host: string }): Promise<boolean>;
  releaseRun(runId: string): Promise<void>;
}
