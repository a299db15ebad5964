import { z } from 'zod';
import { GeneratedSource } from '../schemas.ts';

/** The imported source: the files written to the run's workspace, what kind of app they are, and how many paths were left out. */
export const ImportedSource = GeneratedSource.extend({
  kind: z.enum(['dockerfile', 'node', 'static']),
  ignored: z.number().int(),
});
export type ImportedSource = z.infer<typeof ImportedSource>;
