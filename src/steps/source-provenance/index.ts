import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { defineStep } from '../../pipeline/index.ts';
import type { AppPlan, GeneratorInfo } from '../../ports/index.ts';
import { AppName, AppPlanSchema, GeneratedSource } from '../schemas.ts';
import { compareCodeUnits } from '../../domain/compare.ts';
import { digestOf } from '../source-verify/source-files.ts';
import { VerifyAttemptSchema } from '../source-verify/verification.ts';
import { renderProvenance, type ProvenanceAttempt } from './provenance-document.ts';

export { readProvenanceRecord, renderProvenance, sortedJson, type ProvenanceAttempt, type ProvenanceRecord } from './provenance-document.ts';

/** The provenance file's name, at the root of the app's source. */
export const PROVENANCE_FILE = 'SLIPWAY.md';

export interface ProvenanceStepOptions {
  /** Who generates apps (its `info`: template, or provider and models). */
  generator: { readonly info: GeneratorInfo; infoFor?(plan: AppPlan): GeneratorInfo };
  /** Slipway's own version, e.g. from its package.json. */
  slipwayVersion: string;
}

/**
 * Writes SLIPWAY.md into the app's final source: the request, the plan, the generator (provider,
 * models, prompt versions), the run, every verification attempt and Slipway's version, so the
 * committed source says how it was made. Same inputs, same bytes: no clock, keys sorted.
 * @example
 * const provenance = createProvenanceStep({ generator, slipwayVersion: '0.1.0' });
 * // input: { app, description, plan, source: <source:verify output>, attempts: <its attempts> }
 */
export const createProvenanceStep = ({ generator, slipwayVersion }: ProvenanceStepOptions) =>
  defineStep({
    id: 'source:provenance',
    title: 'Record how the app was made',
    input: z.object({
      app: AppName,
      description: z.string(),
      plan: AppPlanSchema,
      source: GeneratedSource,
      attempts: z.array(VerifyAttemptSchema).optional(),
    }),
    output: GeneratedSource,
    summarize: () => PROVENANCE_FILE,
    run: async (ctx) => {
      const { app, description, plan, source } = ctx.input;
      const attempts = ctx.input.attempts?.map(toProvenanceAttempt);
      const content = renderProvenance({
        app, description, plan, spec: source.spec, generator: generator.infoFor?.(plan) ?? generator.info, runId: ctx.runId, slipwayVersion,
        ...(attempts ? { attempts } : {}),
      });
      await writeFile(join(source.dir, PROVENANCE_FILE), content);
      const files = [...source.files.filter((f) => f.path !== PROVENANCE_FILE), digestOf(PROVENANCE_FILE, content)]
        .sort((a, b) => compareCodeUnits(a.path, b.path));
      ctx.logger.info({ file: PROVENANCE_FILE, attempts: attempts?.length }, 'provenance written');
      return { dir: source.dir, spec: source.spec, files };
    },
  });

function toProvenanceAttempt(attempt: z.infer<typeof VerifyAttemptSchema>): ProvenanceAttempt {
  return {
    attempt: attempt.attempt,
    ok: attempt.ok,
    checks: attempt.checks.map((c) => ({ name: c.name, ok: c.ok })),
    ...(attempt.failure === undefined ? {} : { failure: attempt.failure }),
    files: attempt.files,
    ...(attempt.repairedFiles ? { repairedFiles: attempt.repairedFiles } : {}),
  };
}
