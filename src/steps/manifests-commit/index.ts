import { z } from 'zod';
import { defineStep, stepOutput } from '../../pipeline/index.ts';
import type { GitRepo } from '../../ports/index.ts';
import { renderParentKustomization, type RenderSettings } from '../../render/index.ts';
import { IDEMPOTENCY_TRAILERS, slipwayTrailers } from '../commit-trailers.ts';
import { AppName, CommitOutput, summarizeCommit } from '../schemas.ts';

/** The step's id and output, for readers of its stored output. */
export const manifestsCommitOutput = stepOutput('manifests:commit', CommitOutput);

/** Commits the rendered manifests to the GitOps repo and lists the app in the parent kustomization. */
export const createCommitManifestsStep = ({ repo, settings }: { repo: GitRepo; settings: RenderSettings }) =>
  defineStep({
    ...manifestsCommitOutput,
    title: 'Commit the manifests',
    input: z.object({
      app: AppName,
      sourceSha: z.string(),
      image: z.string(),
      files: z.array(z.object({ path: z.string(), content: z.string() })),
      /** What the commit does: `deploy` a created app (the default), or ship a `change` to it. */
      action: z.enum(['deploy', 'change']).optional(),
    }),
    summarize: summarizeCommit,
    run: async (ctx) => {
      const { app, files } = ctx.input;
      const base = settings.gitops.path;
      return repo.commit(
        {
          message: `Deploy ${app}\n\nImage: ${ctx.input.image}`,
          trailers: slipwayTrailers(app, ctx.runId, { 'Slipway-Action': ctx.input.action ?? 'deploy', 'Slipway-Source': ctx.input.sourceSha }),
          idempotencyTrailers: IDEMPOTENCY_TRAILERS,
          apply: async (tree) => {
            await tree.remove(`${base}/${app}`);
            for (const file of files) await tree.write(file.path, file.content);
            const parent = `${base}/kustomization.yaml`;
            await tree.write(parent, renderParentKustomization(await tree.read(parent), { add: app }, settings));
          },
        },
        ctx.signal,
      );
    },
  });
