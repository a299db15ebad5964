import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { defineStep, stepOutput } from '../../pipeline/index.ts';
import type { GitRepo } from '../../ports/index.ts';
import { IDEMPOTENCY_TRAILERS, slipwayTrailers, subjectText } from '../commit-trailers.ts';
import { AppName, CommitOutput, FileDigest, summarizeCommit } from '../schemas.ts';

/** The step's id and output, for readers of its stored output. */
export const sourceCommitOutput = stepOutput('source:commit', CommitOutput);

/** What a change's source commit says besides the request: its diff summary (see source:diff). */
const ChangeNote = z.object({ request: z.string(), diff: z.string() });

/**
 * Commits the app's source to the apps repo, one directory per app (replacing what was there). A
 * change's commit is `Slipway-Action: change`, with the request as its subject and the request and
 * the diff summary as its body.
 */
export const createCommitSourceStep = ({ repo }: { repo: GitRepo }) =>
  defineStep({
    ...sourceCommitOutput,
    title: 'Commit the source',
    input: z.object({
      app: AppName, description: z.string(), template: z.string(), dir: z.string(), files: z.array(FileDigest), change: ChangeNote.optional(),
      /** Where the code came from, when a template did not make it (e.g. a folder someone shipped). */
      origin: z.string().optional(),
    }),
    summarize: summarizeCommit,
    run: async (ctx) => {
      const { app, dir, files, change } = ctx.input;
      const contents = await Promise.all(files.map(async (f) => ({ path: f.path, content: await readFile(join(dir, f.path)) })));
      return repo.commit(
        {
          message: change
            ? `${app}: ${subjectText(change.request)}\n\n${change.request}\n\n${change.diff}`
            : `${app}: ${subjectText(ctx.input.description)}\n\n${ctx.input.origin ?? `Generated from the ${ctx.input.template} template.`}`,
          trailers: slipwayTrailers(app, ctx.runId, { 'Slipway-Action': change ? 'change' : 'source' }),
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
