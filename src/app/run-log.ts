import type { RunEvent } from '../pipeline/index.ts';

/**
 * A run's log line as an event its watchers see: the lines a run's steps log carry its `runId` (and
 * the step's id as `step`). Lines below info, and lines of no run, are not events.
 */
export function runLogEvent(line: string): RunEvent | undefined {
  let record: Record<string, unknown>;
  try {
    record = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  const { runId, step, level, msg } = record;
  if (typeof runId !== 'string' || typeof level !== 'number' || level < 30) return undefined;
  return {
    type: 'log', runId, ...(typeof step === 'string' ? { stepId: step } : {}),
    level: level >= 50 ? 'error' : level >= 40 ? 'warn' : 'info',
    message: typeof msg === 'string' ? msg : '',
  };
}
