import { z } from 'zod';
import { defineStep } from '../../pipeline/index.ts';
import type { GitRepo } from '../../ports/index.ts';
import { IDEMPOTENCY_TRAILERS, slipwayTrailers } from '../commit-trailers.ts';
import { AppName, CommitOutput } from '../schemas.ts';

/** Removes the app's directory from the apps repo in one commit (history keeps it). */
export const createRemoveSourceStep = ({ repo }: { repo: GitRepo }) =>
  defineStep({
    id: 'source:remove',
    title: 'Remove the source',
    input: z.object({ app: AppName }),
    output: CommitOutput,
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
