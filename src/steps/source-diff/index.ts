import { z } from 'zod';
import { defineStep, stepOutput } from '../../pipeline/index.ts';
import type { SourceDiffer } from '../../ports/index.ts';
import { FileDigest } from '../schemas.ts';
import { PROVENANCE_FILE } from '../source-provenance/index.ts';
import { diffHeadline, DiffSummary, summarizeDiff } from './diff-summary.ts';

export { diffHeadline, diffText, DiffSummary, summarizeDiff, type FileChange } from './diff-summary.ts';

/** The step's id and output, for readers of its stored output (the run's `diff`). */
export const sourceDiffOutput = stepOutput('source:diff', DiffSummary);

const Version = z.object({ dir: z.string(), files: z.array(FileDigest) });

/**
 * Compares the app's files before and after a change: which were added, changed or removed, and how
 * many lines. SLIPWAY.md is left out: Slipway writes it anew with every version.
 * @example const diff = createDiffSourceStep({ differ: new GitDirDiffer() });
 */
export const createDiffSourceStep = ({ differ }: { differ: SourceDiffer }) =>
  defineStep({
    ...sourceDiffOutput,
    title: 'Compare with what runs',
    input: z.object({ before: Version, after: Version }),
    summarize: diffHeadline,
    run: async (ctx) => {
      const { before, after } = ctx.input;
      const counted = (files: z.infer<typeof Version>['files']) => files.filter((f) => f.path !== PROVENANCE_FILE);
      const counts = await differ.lineCounts(before.dir, after.dir, ctx.signal);
      return summarizeDiff(counted(before.files), counted(after.files), counts);
    },
  });
