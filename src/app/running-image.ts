import { AppSpec, ConflictError } from '../domain/index.ts';
import type { GitRepo, RunStore } from '../ports/index.ts';
import type { RunningImage } from '../steps/image-promote/index.ts';
import { appVersions } from './versions.ts';

/**
 * The image an environment runs now (its current version in the GitOps history) with the spec it
 * was shipped with, which the run that shipped it (or another run that shipped the same digest)
 * stored among its step outputs; undefined when the environment runs no version of the app.
 * @throws ConflictError when that run is not in the run store (its spec is unknown).
 */
export async function runningImage(parts: { gitops: GitRepo; runs: Pick<RunStore, 'getRun' | 'stepOutput'>; defaultEnv: string }, app: string, env: string): Promise<RunningImage | undefined> {
  const versions = await appVersions(parts.gitops, app, { defaultEnv: parts.defaultEnv, runs: parts.runs });
  const current = versions.find((v) => v.env === env);
  if (!current?.digest) return undefined;
  const tag = /:([\w][\w.-]{0,127})@sha256:[0-9a-f]{64}$/.exec(current.image)?.[1];
  // A rollback or promote may not store the spec itself: any run that shipped the same image did.
  let spec: AppSpec | undefined;
  for (const shipped of [current, ...versions.filter((v) => v !== current && v.digest === current.digest)]) {
    spec = shipped.runId ? await specOfRun(parts.runs, shipped.runId) : undefined;
    if (spec) break;
  }
  if (!tag || !spec) {
    throw new ConflictError(`how to run ${app} ${current.version} elsewhere is unknown: the run that shipped it to ${env} (${current.runId || 'unknown'}) is not in this Slipway's state or stored no app spec`, {
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
