import { z } from 'zod';
import { AppPlan, AppSpec } from '../domain/index.ts';

/** Zod shapes of values passed between steps (persisted as step outputs). */
/** The plan (see {@link AppPlan}): older recorded shapes are read into today's. */
export const AppPlanSchema = AppPlan;

export const FileDigest = z.object({ path: z.string(), sha256: z.string(), size: z.number() });

export const GeneratedSource = z.object({ dir: z.string(), spec: AppSpec, files: z.array(FileDigest) });
export type GeneratedSource = z.infer<typeof GeneratedSource>;

export const CommitOutput = z.object({ sha: z.string(), created: z.boolean(), attempts: z.number() });
export type CommitOutput = z.infer<typeof CommitOutput>;

export const RenderedFiles = z.object({ image: z.string(), files: z.array(z.object({ path: z.string(), content: z.string() })) });
export type RenderedFiles = z.infer<typeof RenderedFiles>;

export const AppName = z.string().min(1).max(40);

/** A commit step's summary: the short SHA, and whether the commit was there already (a repeated step). */
export function summarizeCommit(output: CommitOutput): string {
  return `${output.sha.slice(0, 12)}${output.created ? '' : ' (already there)'}`;
}
