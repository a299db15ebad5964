import { setTimeout as delay } from 'node:timers/promises';
import { CancelledError } from '../../domain/errors.ts';
import type { StageReport } from '../../ports/cluster-watcher.ts';
import type { Explanation, Probe, StageSpec } from '../../ports/watch-stages.ts';
import { KubeApiError } from './kube-client.ts';

export type { Explanation, Probe, StageSpec } from '../../ports/watch-stages.ts';

/** A stage that did not end ok: its report plus what the error needs. */
export interface StageOutcome {
  report: StageReport;
  hint?: string;
  problems: string[];
}

export interface StageLogger {
  debug(object: object, message: string): void;
}

/**
 * Polls `spec.check` until it says ok or fail, or the stage's time is up. A request still under way
 * at the deadline is cut off. Transient API errors (no answer, 5xx) count as "not yet"; auth and
 * other client errors end the stage at once. Aborting `signal` rejects with CancelledError.
 *
 * @example
 * const outcome = await runStage(spec, { timeoutMs: 60_000, pollMs: 1000, signal });
 */
export async function runStage(spec: StageSpec, options: { timeoutMs: number; pollMs: number; signal: AbortSignal; logger?: StageLogger }): Promise<StageOutcome> {
  const { signal, logger } = options;
  const started = Date.now();
  const deadline = started + Math.max(0, options.timeoutMs);
  let last: Probe | undefined;
  for (;;) {
    if (signal.aborted) throw new CancelledError();
    const remaining = Math.max(1, deadline - Date.now());
    const attempt = AbortSignal.any([signal, AbortSignal.timeout(remaining)]);
    let probe: Probe | undefined;
    try {
      probe = await spec.check(attempt);
    } catch (error) {
      if (signal.aborted) throw new CancelledError();
      if (error instanceof KubeApiError && !error.transient) {
        return failed(spec, started, { state: 'fail', detail: `the API server refused: ${error.message}`, reason: error.reason, message: stripService(error.message), hint: error.hint }, options);
      }
      if (!(error instanceof KubeApiError) && !(error instanceof CancelledError)) throw error;
      // Unreachable, 5xx, or cut off at the deadline: keep what was seen before, and say why.
      probe = error instanceof KubeApiError ? { state: 'wait', detail: stripService(error.message), reason: error.reason, message: stripService(error.message) } : last;
    }
    if (probe) {
      logger?.debug({ stage: spec.stage, state: probe.state, detail: probe.detail }, 'watch');
      if (probe.state === 'ok') return { report: { stage: spec.stage, status: 'ok', durationMs: Date.now() - started, detail: probe.detail }, problems: [] };
      if (probe.state === 'fail') return failed(spec, started, probe, options);
      last = probe;
    }
    const left = deadline - Date.now();
    if (left <= 0) return timedOut(spec, started, last, options);
    await delay(Math.min(options.pollMs, left), undefined, { signal }).catch(() => undefined);
  }
}

async function failed(spec: StageSpec, started: number, probe: Extract<Probe, { state: 'fail' }>, options: { signal: AbortSignal }): Promise<StageOutcome> {
  const explanation = await explain(spec, options.signal);
  const report: StageReport = { stage: spec.stage, status: 'failed', durationMs: Date.now() - started, detail: withProblems(probe.detail, explanation.problems), reason: probe.reason, message: probe.message };
  if (explanation.events.length > 0) report.events = explanation.events;
  return { report, hint: probe.hint ?? spec.failHint, problems: explanation.problems };
}

async function timedOut(spec: StageSpec, started: number, last: Probe | undefined, options: { signal: AbortSignal; timeoutMs: number }): Promise<StageOutcome> {
  const waited = Date.now() - started;
  // The message names the stage's time limit, as configured: on a busy machine the wait overruns it a little.
  const { reason, message, hint } = spec.timeout(last, options.timeoutMs);
  const explanation = await explain(spec, options.signal);
  const report: StageReport = { stage: spec.stage, status: 'timeout', durationMs: waited, detail: withProblems(last?.detail ?? message, explanation.problems), reason, message };
  if (explanation.events.length > 0) report.events = explanation.events;
  return { report, hint, problems: explanation.problems };
}

async function explain(spec: StageSpec, signal: AbortSignal): Promise<Explanation> {
  if (!spec.explain) return { events: [], problems: [] };
  try {
    // Bounded: an explanation must not hold the failure back when the API server is slow.
    return await spec.explain(AbortSignal.any([signal, AbortSignal.timeout(10_000)]));
  } catch {
    if (signal.aborted) throw new CancelledError();
    return { events: [], problems: [] };
  }
}

function withProblems(detail: string, problems: string[]): string {
  return problems.length > 0 ? `${detail}; ${problems.join('; ')}` : detail;
}

/** `kubernetes: x` → `x`: the error's message already carries the service name. */
function stripService(message: string): string {
  return message.replace(/^kubernetes: /, '');
}

/** Seconds for people: `0.3 s`, `42 s`, `5 min`. */
export function formatWait(ms: number): string {
  if (ms < 10_000) return `${(ms / 1000).toFixed(1).replace(/\.0$/, '')} s`;
  if (ms < 120_000) return `${Math.round(ms / 1000)} s`;
  return `${Math.round(ms / 60_000)} min`;
}

/** The timeout of a stage that never got an answer in time (every request cut off at the deadline). */
/**
 * A stage's `timeout` report: nothing answered at all ({@link noAnswer}); the object never appeared
 * (NotFound, with `notFound.hint`); or else what `otherwise` makes of the last wait, given how long
 * the stage may wait (its time limit, already formatted).
 * @example timeoutReport(label, { verb: 'created', hint: 'Check …' }, (wait, waited) => ({ reason: 'Timeout', message: `… within ${waited}`, hint: '…' }))
 */
export function timeoutReport(
  label: string,
  notFound: { verb: 'found' | 'created'; hint: string },
  otherwise: (wait: Extract<Probe, { state: 'wait' }>, waited: string) => { reason: string; message: string; hint: string },
): StageSpec['timeout'] {
  return (last, waitedMs) => {
    if (last?.state !== 'wait') return noAnswer(label, waitedMs);
    if (last.reason === 'NotFound') return { reason: 'NotFound', message: `${label} was never ${notFound.verb} within ${formatWait(waitedMs)}`, hint: notFound.hint };
    return otherwise(last, formatWait(waitedMs));
  };
}

export function noAnswer(label: string, waited: number): { reason: string; message: string; hint: string } {
  return {
    reason: 'Timeout',
    message: `no answer about ${label} from the API server within ${formatWait(waited)}`,
    hint: 'The API server is slow or unreachable; check the cluster, or raise the stage timeout.',
  };
}
