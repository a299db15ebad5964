import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { defineStep, stepOutput } from '../../pipeline/index.ts';
import type { GitRepo } from '../../ports/index.ts';
import { IDEMPOTENCY_TRAILERS, slipwayTrailers, subjectText } from '../commit-trailers.ts';
import { AppName, CommitOutput, FileDigest, summarizeCommit } from '../schemas.ts';

/** The step's id and output, for readers of its stored output. */
export const sourceCommitOutput = stepOutput('source:commit', CommitOutput);

/** Commits the app's source to the apps repo, one directory per app (replacing what was there). */
export const createCommitSourceStep = ({ repo }: { repo: GitRepo }) =>
  defineStep({
    ...sourceCommitOutput,
    title: 'Commit the source',
    input: z.object({ app: AppName, description: z.string(), template: z.string(), dir: z.string(), files: z.array(FileDigest) }),
    summarize: summarizeCommit,
    run: async (ctx) => {
      const { app, dir, files } = ctx.input;
      const contents = await Promise.all(files.map(async (f) => ({ path: f.path, content: await readFile(join(dir, f.path)) })));
      return repo.commit(
        {
          message: `${app}: ${subjectText(ctx.input.description)}\n\nGenerated from the ${ctx.input.template} template.`,
          trailers: slipwayTrailers(app, ctx.runId, { 'Slipway-Action': 'source' }),
          idempotencyTrailers: IDEMPOTENCY_TRAILERS,
          apply: async (tree) => {
            await tree.remove(app);
            for (const file of contents) await tree.write(`${app}/${file.path}`, file.content);
          },
        },
        ctx.signal,
      );
    },
  });
