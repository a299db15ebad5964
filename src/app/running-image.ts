import { AppSpec, ConflictError } from '../domain/index.ts';
import type { GitRepo, RunStore } from '../ports/index.ts';
import type { RunningImage } from '../steps/image-promote/index.ts';
import { appVersions } from './versions.ts';

/**
 * The image an environment runs now (its current version in the GitOps history) with the spec it
 * was shipped with, which the run that shipped it stored among its step outputs; undefined when the
 * environment runs no version of the app.
 * @throws ConflictError when that run is not in the run store (its spec is unknown).
 */
export async function runningImage(parts: { gitops: GitRepo; runs: Pick<RunStore, 'getRun' | 'stepOutput'>; defaultEnv: string }, app: string, env: string): Promise<RunningImage | undefined> {
  const [current] = await appVersions(parts.gitops, app, { env, defaultEnv: parts.defaultEnv, runs: parts.runs });
  if (!current?.digest) return undefined;
  const tag = /:([\w][\w.-]{0,127})@sha256:[0-9a-f]{64}$/.exec(current.image)?.[1];
  const spec = current.runId ? await specOfRun(parts.runs, current.runId) : undefined;
  if (!tag || !spec) {
    throw new ConflictError(`the run that shipped ${app} ${current.version} to ${env} (${current.runId || 'unknown'}) is not in this Slipway's state, so how to run it elsewhere is unknown`, {
      hint: `Ship it to ${env} again (\`slipway change ${app} … --env ${env}\`), then promote.`,
    });
  }
  return { image: current.image, digest: current.digest, tag, sourceCommit: current.sourceCommit, spec };
}

/** The newest AppSpec among a run's step outputs (generate, verify, provenance, change, promote all carry one). */
async function specOfRun(runs: Pick<RunStore, 'getRun' | 'stepOutput'>, runId: string): Promise<AppSpec | undefined> {
  const run = await runs.getRun(runId);
  for (const step of [...(run?.timeline ?? [])].reverse()) {
    if (step.status !== 'succeeded') continue;
    const output = await runs.stepOutput(runId, step.stepId);
    const spec = AppSpec.safeParse((output as { spec?: unknown } | undefined)?.spec);
    if (spec.success) return spec.data;
  }
  return undefined;
}
