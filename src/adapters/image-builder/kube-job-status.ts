import { conditionOf, HOPELESS_REASONS, podProblems, type Condition, type Pod } from '../watcher/index.ts';

/** The part of a batch/v1 Job Slipway reads: its status as the Job controller writes it. */
export interface Job {
  metadata?: { name?: string; namespace?: string };
  status?: { active?: number; succeeded?: number; failed?: number; conditions?: Condition[] };
}

export type JobPod = Pod;

/** Where a Job is: still running, or ended (succeeded, or failed with the controller's reason). */
export type JobOutcome = { done: false } | { done: true; succeeded: true } | { done: true; succeeded: false; reason: string };

/**
 * A Job's end from its conditions (`Complete` or `Failed` set to True, as the Job controller does),
 * e.g. `BackoffLimitExceeded: Job has reached the specified backoff limit` or `DeadlineExceeded: …`.
 * @example jobOutcome({ status: { conditions: [{ type: 'Complete', status: 'True' }] } }) // { done: true, succeeded: true }
 */
export function jobOutcome(job: Job): JobOutcome {
  const conditions = job.status?.conditions;
  if (conditionOf(conditions, 'Complete')?.status === 'True') return { done: true, succeeded: true };
  const failed = conditionOf(conditions, 'Failed');
  if (failed?.status === 'True') return { done: true, succeeded: false, reason: [failed.reason, failed.message].filter(Boolean).join(': ') || 'Failed' };
  return { done: false };
}

/**
 * Why the build pod is not running, e.g. `ImagePullBackOff: Back-off pulling image "…"`, and whether
 * waiting can fix it (an invalid image name never starts); undefined when nothing holds it back.
 */
export function podWaiting(pod: Pod): { text: string; hopeless: boolean } | undefined {
  const [problem] = podProblems([pod]);
  return problem ? { text: `${problem.reason}: ${problem.message}`, hopeless: HOPELESS_REASONS.has(problem.reason) } : undefined;
}
