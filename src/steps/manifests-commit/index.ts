import { z } from 'zod';
import { defineStep, stepOutput } from '../../pipeline/index.ts';
import type { GitRepo } from '../../ports/index.ts';
import { renderParentKustomization, type RenderSettings } from '../../render/index.ts';
import { VERSION_PATTERN } from '../../domain/index.ts';
import { IDEMPOTENCY_TRAILERS, MANIFESTS_ACTIONS, slipwayTrailers, subjectText, versionTrailers } from '../commit-trailers.ts';
import { AppName, CommitOutput, summarizeCommit } from '../schemas.ts';

/** The step's id and output, for readers of its stored output. */
export const manifestsCommitOutput = stepOutput('manifests:commit', CommitOutput);

/**
 * Commits the rendered manifests to the GitOps repo and lists the app in the parent kustomization.
 * The commit's subject is the request, and its trailers say which version, environment and image it
 * ships: the GitOps history alone lists an app's versions.
 */
export const createCommitManifestsStep = ({ repo, settings, settingsFor }: {
  repo: GitRepo;
  settings: RenderSettings;
  /** An environment's settings (its folder in the GitOps repo), when it is not `settings`'. */
  settingsFor?: (env: string) => RenderSettings;
}) =>
  defineStep({
    ...manifestsCommitOutput,
    title: 'Commit the manifests',
    input: z.object({
      app: AppName,
      sourceSha: z.string(),
      image: z.string(),
      version: z.string().regex(VERSION_PATTERN),
      env: z.string(),
      /** What the run does: `create` (committed as `deploy`), `change`, `rollback`, `promote` or `configure` (the same version, new settings). */
      action: z.enum(['create', 'change', 'rollback', 'promote', 'configure']).default('create'),
      /** What was asked for, in people's words (the description of a create). */
      request: z.string().optional(),
      /** More of the message after the request, e.g. a change's diff summary. */
      details: z.string().optional(),
      /** More trailers, e.g. a rollback's `Slipway-Rollback-To`; they cannot replace the ones above. */
      trailers: z.record(z.string().regex(/^Slipway-(?!(App|Run|Action|Source|Version|Env|Image)$)[A-Za-z-]+$/, 'a Slipway- trailer of its own'), z.string()).optional(),
      files: z.array(z.object({ path: z.string(), content: z.string() })),
    }),
    summarize: summarizeCommit,
    run: async (ctx) => {
      const { app, files, image, version, env, request } = ctx.input;
      const chosen = settingsFor ? settingsFor(env) : settings;
      const base = chosen.gitops.path;
      const asked = request?.trim();
      // A configure run's request is its whole subject ("Configure <app>: set FOO"): it says no more than that.
      const said = ctx.input.action === 'configure' && asked ? [asked] : asked ? [`${app}: ${subjectText(asked.split('\n')[0]!)}`, asked] : [`Deploy ${app}`];
      const message = [...said, ...(ctx.input.details ? [ctx.input.details] : []), `Image: ${image}`].join('\n\n');
      return repo.commit(
        {
          message,
          trailers: slipwayTrailers(app, ctx.runId, {
            'Slipway-Action': MANIFESTS_ACTIONS[ctx.input.action], 'Slipway-Source': ctx.input.sourceSha, ...versionTrailers({ version, env, image }), ...ctx.input.trailers,
          }),
          idempotencyTrailers: IDEMPOTENCY_TRAILERS,
          apply: async (tree) => {
            await tree.remove(`${base}/${app}`);
            for (const file of files) await tree.write(file.path, file.content);
            const parent = `${base}/kustomization.yaml`;
            await tree.write(parent, renderParentKustomization(await tree.read(parent), { add: app }, chosen));
          },
        },
        ctx.signal,
      );
    },
  });
