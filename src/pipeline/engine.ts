import type { Logger } from 'pino';
import { CancelledError, describeError, SlipwayError, type ErrorInfo, type Run } from '../domain/index.ts';
import type { RunStore } from '../ports/index.ts';
import type { PipelineEntry, PipelineState } from './define-step.ts';
import type { RunEventListener } from './events.ts';
import { StepOutputs } from './step-outputs.ts';

export interface ExecuteOptions {
  run: Run;
  pipeline: PipelineEntry[];
  store: RunStore;
  logger: Logger;
  signal?: AbortSignal;
  onEvent?: RunEventListener;
  now?: () => number;
}

export interface ExecuteResult {
  status: 'succeeded' | 'failed' | 'cancelled';
  outputs: StepOutputs;
  error?: ErrorInfo & { stepId?: string };
}

/** Raised inside the engine when a step fails; carries the step for the run's record. */
export class StepFailedError extends SlipwayError {
  readonly stepId: string;
  constructor(stepId: string, cause: unknown) {
    const info = describeError(cause);
    super(`step ${stepId} failed: ${info.message}`, { hint: info.hint, cause });
    this.stepId = stepId;
  }
}

/**
 * Runs a pipeline for a run: steps in order, each input and output validated, every finished step's
 * output persisted before the next starts. Steps that already succeeded in this run (an earlier,
 * interrupted attempt) are not run again: their stored output is reused.
 */
export async function executePipeline(options: ExecuteOptions): Promise<ExecuteResult> {
  const ids = new Set<string>();
  for (const { step } of options.pipeline) {
    if (ids.has(step.id)) throw new Error(`pipeline has step ${step.id} twice`);
    ids.add(step.id);
  }
  const at: { stepId?: string } = {};
  try {
    return await executeSteps(options, at);
  } catch (caught) {
    // Something outside a step's own handling (the store, a mis-ordered pipeline): the run still
    // ends as failed, with what went wrong, rather than staying `running`.
    const runError = { ...describeError(caught), ...(at.stepId ? { stepId: at.stepId } : {}) };
    options.logger.error({ err: runError }, 'run failed');
    await options.store.setRunStatus(options.run.id, 'failed', runError);
    options.onEvent?.({ type: 'run:end', runId: options.run.id, status: 'failed', error: runError });
    return { status: 'failed', outputs: new StepOutputs(), error: runError };
  }
}

async function executeSteps(options: ExecuteOptions, at: { stepId?: string }): Promise<ExecuteResult> {
  const { run, pipeline, store, logger, onEvent } = options;
  const signal = options.signal ?? new AbortController().signal;
  const now = options.now ?? Date.now;
  const outputs = new Map<string, unknown>();
  const state: PipelineState = {
    request: run.request,
    output(step) {
      if (!outputs.has(step.id)) throw new Error(`pipeline is mis-ordered: step ${at.stepId} reads the output of ${step.id}, which does not run before it`);
      return step.output.parse(outputs.get(step.id));
    },
  };
  onEvent?.({ type: 'run:start', runId: run.id, app: run.app, kind: run.kind, resumed: run.timeline.length > 0 });
  await store.setRunStatus(run.id, 'running');

  for (const { step, run: runStep, accept, reuse } of pipeline) {
    at.stepId = step.id;
    const stored = await store.stepOutput(run.id, step.id);
    if (stored !== undefined) {
      const { output, summary } = reuse(stored);
      outputs.set(step.id, output);
      onEvent?.({ type: 'step:end', runId: run.id, stepId: step.id, title: step.title, status: 'succeeded', durationMs: 0, reused: true, summary });
      continue;
    }
    const stepLogger = logger.child({ step: step.id });
    const started = now();
    await store.startStep(run.id, step.id, step.title);
    onEvent?.({ type: 'step:start', runId: run.id, stepId: step.id, title: step.title });
    try {
      if (signal.aborted) throw new CancelledError();
      const result = await unlessFailed(runStep(state, { runId: run.id, logger: stepLogger, signal }), signal);
      const { output, summary } = accept(result);
      outputs.set(step.id, output);
      await store.finishStep(run.id, step.id, 'succeeded', { output });
      const durationMs = now() - started;
      stepLogger.info({ durationMs }, 'step succeeded');
      onEvent?.({ type: 'step:end', runId: run.id, stepId: step.id, title: step.title, status: 'succeeded', durationMs, reused: false, summary });
    } catch (caught) {
      const failure = failureOf(signal);
      const cancelled = failure === undefined && (signal.aborted || caught instanceof CancelledError);
      const error = failure ?? (cancelled && !(caught instanceof CancelledError) ? new CancelledError(`cancelled during ${step.id}`) : caught);
      const info = describeError(error);
      const status = cancelled ? 'cancelled' : 'failed';
      await store.finishStep(run.id, step.id, status, { error: info });
      const durationMs = now() - started;
      stepLogger.error({ err: info, durationMs }, `step ${status}`);
      onEvent?.({ type: 'step:end', runId: run.id, stepId: step.id, title: step.title, status, durationMs, reused: false, error: info });
      const runError = { ...info, stepId: step.id };
      await store.setRunStatus(run.id, status, runError);
      onEvent?.({ type: 'run:end', runId: run.id, status, error: runError });
      return { status, outputs: new StepOutputs(outputs), error: runError };
    }
  }
  at.stepId = undefined;
  await store.setRunStatus(run.id, 'succeeded');
  onEvent?.({ type: 'run:end', runId: run.id, status: 'succeeded' });
  return { status: 'succeeded', outputs: new StepOutputs(outputs) };
}

/**
 * The error a run's signal was aborted with, when it was not a cancellation: something that went
 * wrong outside the step (an error nobody awaited) and that fails the run. Ctrl-C aborts without a
 * reason (an AbortError) or with a {@link CancelledError}.
 */
function failureOf(signal: AbortSignal): unknown {
  if (!signal.aborted) return undefined;
  const reason: unknown = signal.reason;
  if (reason === undefined || reason instanceof CancelledError) return undefined;
  if (reason instanceof Error && reason.name === 'AbortError') return undefined;
  return reason;
}

/**
 * The step's result; or, when the signal is aborted with a failure, that failure at once: the step
 * may be waiting on something that will never answer. A cancellation still waits for the step, which
 * stops through the signal and cleans up on its way out.
 */
function unlessFailed<T>(running: Promise<T>, signal: AbortSignal): Promise<T> {
  const failed = failureOf(signal);
  if (failed !== undefined) {
    running.catch(() => undefined);
    return Promise.reject(failed);
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => {
      const failure = failureOf(signal);
      if (failure !== undefined) reject(failure);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    running.then(
      (value) => { signal.removeEventListener('abort', onAbort); resolve(value); },
      (error: unknown) => { signal.removeEventListener('abort', onAbort); reject(error); },
    );
  });
}
