import { z } from 'zod';
import { ConflictError } from '../../domain/index.ts';
import { defineStep } from '../../pipeline/index.ts';
import type { GitRepo } from '../../ports/index.ts';
import type { RenderSettings } from '../../render/index.ts';
import { AppName, RenderedFiles } from '../schemas.ts';

/**
 * Reads an earlier version's manifests, exactly as its GitOps commit holds them, for a rollback to
 * commit again. They are copied rather than rendered anew: they are what that version ran with (its
 * port, probes and data volume come from its own AppSpec, which the GitOps repo does not keep), they
 * pin its digest already, and `slipway versions` reads them from the repo alone, so a rollback works
 * even where the run that made the version is no longer known. The output has the render step's shape.
 */
export const createRestoreManifestsStep = ({ repo, settings }: { repo: GitRepo; settings: RenderSettings }) =>
  defineStep({
    id: 'manifests:restore',
    title: 'Read its manifests',
    input: z.object({ app: AppName, version: z.string(), gitopsCommit: z.string().regex(/^[0-9a-f]{40}$/), image: z.string().min(1), digest: z.string().min(1) }),
    output: RenderedFiles,
    summarize: (o) => `${o.files.length} manifests pinning ${o.image.slice(o.image.indexOf('@') + 1, o.image.indexOf('@') + 20)}`,
    run: async (ctx) => {
      const { app, version, gitopsCommit, digest } = ctx.input;
      const folder = `${settings.gitops.path}/${app}`;
      const files = [];
      for (const { path } of await repo.listFiles(folder, { at: gitopsCommit })) {
        const bytes = await repo.readFile(`${folder}/${path}`, { at: gitopsCommit });
        if (bytes) files.push({ path: `${folder}/${path}`, content: new TextDecoder().decode(bytes) });
      }
      // The commit a version names must hold a Deployment pinning that version's image: anything else
      // is a history edited by hand, and committing it would ship something nobody asked for.
      if (!files.some((f) => f.path.endsWith('/deployment.yaml') && f.content.includes(`@${digest}`))) {
        throw new ConflictError(`the GitOps commit ${gitopsCommit.slice(0, 12)} of ${app} ${version} holds no Deployment pinning ${digest}`, {
          hint: `Look at it with \`git show ${gitopsCommit.slice(0, 12)} -- ${folder}\`, and roll back to another version with --to.`,
        });
      }
      return { image: ctx.input.image, files };
    },
  });
