import { z } from 'zod';
import { defineStep, stepOutput } from '../../pipeline/index.ts';
import type { GitRepo } from '../../ports/index.ts';
import { renderParentKustomization, type RenderSettings } from '../../render/index.ts';
import { IDEMPOTENCY_TRAILERS, slipwayTrailers } from '../commit-trailers.ts';
import { AppName, CommitOutput, summarizeCommit } from '../schemas.ts';

/** The step's id and output, for readers of its stored output. */
export const manifestsRemoveOutput = stepOutput('manifests:remove', CommitOutput);

/**
 * Removes the app's manifests and its parent kustomization entry in one commit, in every
 * environment's folder (`settings` and `others`); Flux prunes the rest.
 */
export const createRemoveManifestsStep = ({ repo, settings, others = [] }: { repo: GitRepo; settings: RenderSettings; others?: RenderSettings[] }) =>
  defineStep({
    ...manifestsRemoveOutput,
    title: 'Remove the manifests',
    input: z.object({ app: AppName }),
    summarize: summarizeCommit,
    run: async (ctx) => {
      return repo.commit(
        {
          message: `Remove ${ctx.input.app}`,
          trailers: slipwayTrailers(ctx.input.app, ctx.runId, { 'Slipway-Action': 'remove' }),
          idempotencyTrailers: IDEMPOTENCY_TRAILERS,
          apply: async (tree) => {
            for (const each of [settings, ...others]) {
              const base = each.gitops.path;
              await tree.remove(`${base}/${ctx.input.app}`);
              const parent = `${base}/kustomization.yaml`;
              const existing = await tree.read(parent);
              if (existing !== undefined) await tree.write(parent, renderParentKustomization(existing, { remove: ctx.input.app }, each));
            }
          },
        },
        ctx.signal,
      );
    },
  });
