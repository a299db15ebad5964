import { z } from 'zod';
import { AppSpec, Runtime } from '../domain/index.ts';

/** Zod shapes of values passed between steps (persisted as step outputs). */
export const AppPlanSchema = z.object({
  source: z.enum(['template', 'llm']),
  template: z.string(),
  templateVersion: z.string(),
  runtime: Runtime,
  chosenBy: z.enum(['flag', 'scorer', 'model']).optional(),
  score: z.number().nullable(),
  matched: z.array(z.string()),
  candidates: z.array(z.object({ template: z.string(), score: z.number() })),
  params: z.record(z.string(), z.string()),
  explanation: z.string().optional(),
});

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
