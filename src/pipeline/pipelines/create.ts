import { z } from 'zod';
import type { createPlanStep } from '../../steps/app-plan/index.ts';
import type { createGenerateStep } from '../../steps/source-generate/index.ts';
import type { GeneratedSource } from '../../steps/schemas.ts';
import { deliveryEntries, requestedAccess, type ShippingSteps } from './delivery.ts';
import { entry, type PipelineEntry, type PipelineState, type StepOutputKey } from '../define-step.ts';

/** The steps a create pipeline is built from: planning and generating, then what every shipping pipeline does. */
export interface CreateSteps extends ShippingSteps {
  plan: ReturnType<typeof createPlanStep>;
  generate: ReturnType<typeof createGenerateStep>;
}

/** Request fields a create run carries. */
export const CreateRequest = z.object({
  app: z.string(),
  description: z.string(),
  template: z.string().optional(),
  /** `--database postgres`: the app gets a database whether or not its plan asked for one. */
  database: z.literal('postgres').optional(),
  /** The environment it ships to; absent: the default one. */
  env: z.string().optional(),
});
export type CreateRequest = z.infer<typeof CreateRequest>;

/** A step whose output is the app's source (generate, verify and provenance all give one). */
type SourceStep = StepOutputKey<GeneratedSource>;

/**
 * version → plan → generate → (verify) → (provenance) → commit source → build image → render → commit manifests
 * → (sync → cluster await) | (deploy → await).
 * @example const pipeline = createPipeline({ version, plan, generate, commitSource, build, render, commitManifests, deploy, await }, { defaultEnv: 'prod' });
 */
export function createPipeline(steps: CreateSteps, options: { defaultEnv?: string } = {}): PipelineEntry[] {
  const req = (s: PipelineState) => CreateRequest.parse(s.request);
  // The source that later steps use: the newest of generate → verify → provenance.
  const sources: SourceStep[] = [steps.generate, ...(steps.verify ? [steps.verify] : []), ...(steps.provenance ? [steps.provenance] : [])];
  const source = (s: PipelineState) => s.output(sources.at(-1)!);
  const sourceBefore = (s: PipelineState, step: SourceStep) => s.output(sources[sources.indexOf(step) - 1]!);
  const app = (s: PipelineState) => ({ app: req(s).app, description: req(s).description });
  const { plan, verify, provenance } = steps;

  const entries: PipelineEntry[] = [
    entry(steps.version, (s) => ({ app: req(s).app, action: 'create' as const, env: req(s).env ?? options.defaultEnv ?? 'prod' })),
    entry(plan, (s) => ({ description: req(s).description, ...(req(s).template ? { template: req(s).template } : {}), ...(req(s).database ? { database: req(s).database } : {}) })),
    entry(steps.generate, (s) => ({ ...app(s), plan: s.output(plan) })),
  ];
  if (verify) entries.push(entry(verify, (s) => ({ ...app(s), plan: s.output(plan), generated: sourceBefore(s, verify) })));
  if (provenance) {
    entries.push(entry(provenance, (s) => ({
      ...app(s), plan: s.output(plan), source: sourceBefore(s, provenance),
      ...(verify ? { attempts: s.output(verify).attempts } : {}),
    })));
  }
  entries.push(
    entry(steps.commitSource, (s) => ({ ...app(s), template: s.output(plan).template.id, dir: source(s).dir, files: source(s).files })),
    entry(steps.build, (s) => ({
      app: req(s).app, dir: source(s).dir, spec: source(s).spec, sourceSha: s.output(steps.commitSource).sha, ...s.output(steps.version),
    })),
    entry(steps.render, (s) => ({ spec: source(s).spec, image: s.output(steps.build).image, env: s.output(steps.version).env, ...requestedAccess(s) })),
    entry(steps.commitManifests, (s) => ({
      app: req(s).app,
      sourceSha: s.output(steps.commitSource).sha,
      image: s.output(steps.render).image,
      files: s.output(steps.render).files,
      version: s.output(steps.version).version,
      env: s.output(steps.version).env,
      action: 'create' as const,
      request: req(s).description,
    })),
  );
  entries.push(...deliveryEntries(steps, { app: (s) => req(s).app, env: (s) => s.output(steps.version).env, source, runImage: (s) => s.output(steps.build).runImage }));
  return entries;
}
