import { z } from 'zod';

/** One image in a gc report. */
export const GcImageJson = z.object({
  repository: z.string(),
  app: z.string(),
  digest: z.string(),
  tags: z.array(z.string()),
  kept: z.string().optional(),
});

/** A gc report as the API sends it and the remote CLI reads it (see GcReport). */
export const GcReportJson = z.object({
  registry: z.string(),
  prefix: z.string(),
  keep: z.number().int(),
  dryRun: z.boolean(),
  deleted: z.array(GcImageJson),
  kept: z.array(GcImageJson),
  bytes: z.number().int(),
  next: z.string(),
});
