import { z } from 'zod';
import { defineStep, stepOutput } from '../../pipeline/index.ts';
import type { GitRepo } from '../../ports/index.ts';
import { IDEMPOTENCY_TRAILERS, slipwayTrailers } from '../commit-trailers.ts';
import { AppName, CommitOutput, summarizeCommit } from '../schemas.ts';

/** The step's id and output, for readers of its stored output. */
export const sourceRemoveOutput = stepOutput('source:remove', CommitOutput);

/** Removes the app's directory from the apps repo in one commit (history keeps it). */
export const createRemoveSourceStep = ({ repo }: { repo: GitRepo }) =>
  defineStep({
    ...sourceRemoveOutput,
    title: 'Remove the source',
    input: z.object({ app: AppName }),
    summarize: summarizeCommit,
    run: async (ctx) =>
      repo.commit(
        {
          message: `${ctx.input.app}: remove`,
          trailers: slipwayTrailers(ctx.input.app, ctx.runId, { 'Slipway-Action': 'remove' }),
          idempotencyTrailers: IDEMPOTENCY_TRAILERS,
          apply: async (tree) => tree.remove(ctx.input.app),
        },
        ctx.signal,
      ),
  });
