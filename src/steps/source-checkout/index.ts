import { createHash } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { assertSafeRelativePath, NotFoundError } from '../../domain/index.ts';
import { defineStep, stepOutput } from '../../pipeline/index.ts';
import type { GitRepo } from '../../ports/index.ts';
import { AppName, FileDigest } from '../schemas.ts';

/** The step's id and output, for readers of its stored output. */
export const sourceCheckoutOutput = stepOutput('source:checkout', z.object({ dir: z.string(), commit: z.string(), files: z.array(FileDigest) }));

/**
 * Writes the app's folder as the source repo held it at `commit` into the run's workspace
 * (`<workspace>/<runId>/source`): what the process runtime starts when an earlier version runs again.
 */
export const createCheckoutSourceStep = ({ repo, workspace }: { repo: GitRepo; workspace: string }) =>
  defineStep({
    ...sourceCheckoutOutput,
    title: 'Check out its source',
    input: z.object({ app: AppName, commit: z.string().regex(/^[0-9a-f]{40}$/) }),
    summarize: (o) => `${o.files.length} files at ${o.commit.slice(0, 12)}`,
    run: async (ctx) => {
      const { app, commit } = ctx.input;
      const listed = await repo.listFiles(app, { at: commit });
      if (listed.length === 0) {
        throw new NotFoundError(`the source repo holds no files of ${app} at commit ${commit.slice(0, 12)}`, {
          hint: `Check that ${repo.displayUrl} still has that commit (a force-push may have dropped it); \`slipway versions ${app}\` lists each version's source commit.`,
        });
      }
      const dir = join(workspace, ctx.runId, 'source');
      await rm(dir, { recursive: true, force: true });
      const files = [];
      for (const { path } of listed) {
        const content = await repo.readFile(`${app}/${path}`, { at: commit });
        if (!content) continue;
        const target = join(dir, assertSafeRelativePath(path));
        await mkdir(dirname(target), { recursive: true });
        await writeFile(target, content);
        files.push({ path, sha256: createHash('sha256').update(content).digest('hex'), size: content.length });
      }
      return { dir, commit, files };
    },
  });
