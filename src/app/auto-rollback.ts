import type { ErrorInfo, Run } from '../domain/index.ts';
import type { StepOutputs } from '../pipeline/index.ts';
import { versionNextOutput } from '../steps/version-next/index.ts';

/** The stages that tell whether a new version came up: the local health check and the cluster rollout. */
const AWAIT_STAGES = new Set(['app:await', 'cluster:await']);

/** The kinds of run that ship new code, and so may be rolled back when it does not come up. */
const ROLLED_BACK_KINDS = new Set<Run['kind']>(['create', 'change']);

/** What an automatic rollback goes back to, and why. */
export interface AutoRollback {
  to: string;
  env: string;
  reason: string;
}

/**
 * Whether a run that ended should be followed by an automatic rollback (`rollout.autoRollback`): a
 * create or change that failed waiting for its new version to come up (health check failed, crash
 * loop, URL not answering), of an app that ran another version before. A failure before the await
 * stage changed nothing that runs, so there is nothing to roll back; a cancelled run is a person's
 * decision, not a failure.
 * @example autoRollbackAfter(run, { status: 'failed', error: { name: 'ExternalServiceError', message: 'app: …', stepId: 'app:await' } }, outputs)
 */
export function autoRollbackAfter(run: Run, result: { status: Run['status']; error?: ErrorInfo & { stepId?: string } }, outputs: StepOutputs): AutoRollback | undefined {
  if (result.status !== 'failed' || !ROLLED_BACK_KINDS.has(run.kind) || !AWAIT_STAGES.has(result.error?.stepId ?? '')) return undefined;
  const shipped = outputs.get(versionNextOutput);
  if (!shipped?.previous) return undefined;
  const reason = `${shipped.version} failed ${result.error!.stepId}: ${firstLine(result.error!.message)}`;
  return { to: shipped.previous, env: shipped.env, reason };
}

function firstLine(text: string): string {
  const line = text.split('\n', 1)[0]!.replace(/^step [a-z:-]+ failed: /, '');
  return line.length > 200 ? `${line.slice(0, 199)}…` : line;
}
