import { z } from 'zod';
import type { createChangeSourceStep } from '../../steps/source-change/index.ts';
import { diffText, type createDiffSourceStep } from '../../steps/source-diff/index.ts';
import type { createReadSourceStep } from '../../steps/source-read/index.ts';
import type { GeneratedSource } from '../../steps/schemas.ts';
import { deliveryEntries, requestedAccess, type ShippingSteps } from './delivery.ts';
import { entry, type PipelineEntry, type PipelineState, type StepOutputKey } from '../define-step.ts';

/** The steps a change pipeline is built from: reading, changing and comparing the source, then what every shipping pipeline does. */
export interface ChangeSteps extends ShippingSteps {
  read: ReturnType<typeof createReadSourceStep>;
  change: ReturnType<typeof createChangeSourceStep>;
  diff: ReturnType<typeof createDiffSourceStep>;
}

/** Request fields a change run carries. */
export const ChangeRequest = z.object({
  app: z.string(),
  request: z.string(),
  bump: z.enum(['major', 'minor', 'patch']).optional(),
  env: z.string(),
});
export type ChangeRequest = z.infer<typeof ChangeRequest>;

type SourceStep = StepOutputKey<GeneratedSource>;

/**
 * version:next → read the current source → make the change → (verify, repairing) → (provenance) →
 * diff → commit source → build → render → commit manifests → (sync → cluster await) | (deploy →
 * await). Nothing that runs is touched before the new version passed verification, so a change that
 * fails there leaves the running version as it was.
 * @example const pipeline = changePipeline({ version, read, change, verify, provenance, diff, commitSource, build, render, commitManifests, deploy, await });
 */
export function changePipeline(steps: ChangeSteps): PipelineEntry[] {
  const req = (s: PipelineState) => ChangeRequest.parse(s.request);
  const { read, change, verify, provenance } = steps;
  const sources: SourceStep[] = [change, ...(verify ? [verify] : []), ...(provenance ? [provenance] : [])];
  const source = (s: PipelineState) => s.output(sources.at(-1)!);
  const sourceBefore = (s: PipelineState, step: SourceStep) => s.output(sources[sources.indexOf(step) - 1]!);
  // The request a repair reads: what the app is for, then the change it was asked for.
  const asked = (s: PipelineState) => `${s.output(read).description}\n\nChange asked for now: ${req(s).request}`;

  const entries: PipelineEntry[] = [
    entry(steps.version, (s) => ({ app: req(s).app, action: 'change' as const, env: req(s).env, ...(req(s).bump ? { bump: req(s).bump } : {}) })),
    entry(read, (s) => ({ app: req(s).app })),
    entry(change, (s) => ({ app: req(s).app, request: req(s).request, current: s.output(read) })),
  ];
  if (verify) entries.push(entry(verify, (s) => ({ app: req(s).app, description: asked(s), plan: s.output(change).plan, generated: sourceBefore(s, verify) })));
  if (provenance) {
    entries.push(entry(provenance, (s) => ({
      app: req(s).app, description: s.output(read).description, plan: s.output(change).plan, source: sourceBefore(s, provenance),
      ...(verify ? { attempts: s.output(verify).attempts } : {}),
    })));
  }
  entries.push(
    entry(steps.diff, (s) => ({ before: s.output(read), after: source(s) })),
    entry(steps.commitSource, (s) => ({
      app: req(s).app, description: s.output(read).description, template: s.output(change).plan.template.id, dir: source(s).dir, files: source(s).files,
      change: { request: req(s).request, diff: diffText(s.output(steps.diff)) },
    })),
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
      action: 'change' as const,
      request: req(s).request,
      details: diffText(s.output(steps.diff)),
    })),
  );
  entries.push(...deliveryEntries(steps, { app: (s) => req(s).app, env: (s) => s.output(steps.version).env, source, runImage: (s) => s.output(steps.build).runImage }));
  return entries;
}
