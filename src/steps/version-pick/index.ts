import { z } from 'zod';
import { AppSpec, chooseRollbackTarget, ConflictError } from '../../domain/index.ts';
import { defineStep, stepOutput } from '../../pipeline/index.ts';
import type { RunStore } from '../../ports/index.ts';
import { AppName } from '../schemas.ts';

/** What a rollback needs to know of a version: its pinned image, its commits, and the run that made it. */
export interface KnownVersion {
  version: string;
  image: string;
  digest: string;
  sourceCommit: string;
  gitopsCommit: string;
  runId: string;
}

export const PickedVersion = z.object({
  version: z.string(),
  image: z.string(),
  digest: z.string(),
  sourceCommit: z.string(),
  gitopsCommit: z.string(),
  runId: z.string(),
  /** The reference a local runtime pulls that version's image by. */
  runImage: z.string(),
  /** How that version starts (port, command), from the run that made it; what a local runtime needs. */
  spec: AppSpec.optional(),
});
export type PickedVersion = z.infer<typeof PickedVersion>;

/** The step's id and output, for readers of its stored output (the report's `rollbackTo`). */
export const versionPickOutput = stepOutput('version:pick', PickedVersion);

/**
 * Picks the version a rollback goes back to (`to`, else the one before the current version, see
 * chooseRollbackTarget), from the GitOps history as it is when the step runs; stored, so a resumed
 * run goes back to the same one. With `needsSpec` (a local target, which starts the app itself) the
 * version's AppSpec must be known: it is read from the stored outputs of the run that made it.
 */
export const createPickVersionStep = ({ versions, runs, runImage, needsSpec }: {
  versions: (app: string, env: string) => Promise<KnownVersion[]>;
  runs: Pick<RunStore, 'getRun' | 'stepOutput'>;
  runImage: (app: string, tag: string, digest: string) => string;
  needsSpec: boolean;
}) =>
  defineStep({
    ...versionPickOutput,
    title: 'Pick the version',
    input: z.object({ app: AppName, env: z.string(), to: z.string().optional() }),
    summarize: (o) => `${o.version} (${o.digest.slice(0, 19)})`,
    run: async (ctx) => {
      const { app, env, to } = ctx.input;
      const target = chooseRollbackTarget(await versions(app, env), to, app);
      const spec = await specOfRun(runs, target.runId);
      if (needsSpec && !spec) {
        throw new ConflictError(`the run that made ${app} ${target.version} (${target.runId || 'unnamed'}) is no longer in Slipway's state, so how to start that version here is unknown`, {
          hint: `Roll back to another version with --to (\`slipway versions ${app}\` lists them).`,
        });
      }
      const tag = /:([^:@/]+)@sha256:/.exec(target.image)?.[1] ?? target.version;
      const { version, image, digest, sourceCommit, gitopsCommit, runId } = target;
      return { version, image, digest, sourceCommit, gitopsCommit, runId, runImage: runImage(app, tag, digest), ...(spec ? { spec } : {}) };
    },
  });

/**
 * The AppSpec a run shipped: the last of its steps' outputs that carries one (the generated,
 * verified or provenance-stamped source of a create or change, or the picked version of a rollback).
 */
async function specOfRun(runs: Pick<RunStore, 'getRun' | 'stepOutput'>, runId: string): Promise<AppSpec | undefined> {
  const run = runId ? await runs.getRun(runId) : undefined;
  for (const step of [...(run?.timeline ?? [])].reverse()) {
    if (step.status !== 'succeeded') continue;
    const spec = z.object({ spec: AppSpec }).safeParse(await runs.stepOutput(runId, step.stepId));
    if (spec.success) return spec.data.spec;
  }
  return undefined;
}
