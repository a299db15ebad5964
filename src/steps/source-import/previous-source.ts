import { join } from 'node:path';
import { z } from 'zod';
import { NotFoundError } from '../../domain/index.ts';
import { defineStep } from '../../pipeline/index.ts';
import type { GitRepo } from '../../ports/index.ts';
import { AppName, FileDigest } from '../schemas.ts';
import { writeRepoFiles } from '../source-read/index.ts';

/**
 * The files of the version a folder replaces, from the head of the source repo (into
 * `<workspace>/<runId>/current`): what the new version is compared with. Unlike a change's
 * `source:read`, it needs no record of how the app was made: the folder says that itself.
 */
export const createPreviousSourceStep = ({ repo, workspace }: { repo: GitRepo; workspace: string }) =>
  defineStep({
    id: 'source:previous',
    title: 'Read the running version',
    input: z.object({ app: AppName }),
    output: z.object({ dir: z.string(), files: z.array(FileDigest) }),
    summarize: (o) => `${o.files.length} files`,
    run: async (ctx) => {
      const { app } = ctx.input;
      const listed = await repo.listFiles(app);
      if (listed.length === 0) throw new NotFoundError(`the source repo has no files for ${app}`, { hint: `Ship it first: slipway create --from <dir> --name ${app}` });
      const files = await Promise.all(listed.map(async ({ path }) => ({ path, bytes: (await repo.readFile(`${app}/${path}`)) ?? new Uint8Array() })));
      const dir = join(workspace, ctx.runId, 'current');
      return { dir, files: await writeRepoFiles(dir, files) };
    },
  });
