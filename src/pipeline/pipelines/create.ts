import type { StepDefinition } from '../define-step.ts';
import { entry, type PipelineEntry, type PipelineState } from '../define-step.ts';

type AnyStep = StepDefinition<any, any>;

/**
 * The steps a create pipeline is built from. Optional steps are absent when the target or the
 * generator does not need them: verify (generated code that is not known good), provenance, sync and
 * cluster await (cluster target), deploy and await (local target).
 */
export interface CreateSteps {
  plan: AnyStep;
  generate: AnyStep;
  verify?: AnyStep;
  provenance?: AnyStep;
  commitSource: AnyStep;
  build: AnyStep;
  render: AnyStep;
  commitManifests: AnyStep;
  sync?: AnyStep;
  clusterAwait?: AnyStep;
  deploy?: AnyStep;
  await?: AnyStep;
}

/** Request fields a create run carries. */
export interface CreateRequest {
  app: string;
  description: string;
  template?: string;
}

/**
 * plan → generate → (verify) → (provenance) → commit source → build image → render → commit manifests
 * → (sync → cluster await) | (deploy → await).
 * @example const pipeline = createPipeline({ plan, generate, commitSource, build, render, commitManifests, deploy, await });
 */
export function createPipeline(steps: CreateSteps): PipelineEntry[] {
  const req = (s: PipelineState) => s.request as unknown as CreateRequest;
  // The source that later steps use: the newest of generate → verify → provenance.
  const sourceIds = ['source:generate', ...(steps.verify ? [steps.verify.id] : []), ...(steps.provenance ? [steps.provenance.id] : [])];
  const source = (s: PipelineState): { dir: string; spec: unknown; files: unknown[] } => s.output(sourceIds.at(-1)!);
  const previousSource = (s: PipelineState, id: string) => s.output(sourceIds[sourceIds.indexOf(id) - 1]!);
  const app = (s: PipelineState) => ({ app: req(s).app, description: req(s).description });

  const entries: PipelineEntry[] = [
    entry(steps.plan, (s) => ({ description: req(s).description, ...(req(s).template ? { template: req(s).template } : {}) })),
    entry(steps.generate, (s) => ({ ...app(s), plan: s.output('app:plan') })),
  ];
  if (steps.verify) {
    const id = steps.verify.id;
    entries.push(entry(steps.verify, (s) => ({ ...app(s), plan: s.output('app:plan'), generated: previousSource(s, id) })));
  }
  if (steps.provenance) {
    const id = steps.provenance.id;
    entries.push(entry(steps.provenance, (s) => ({
      ...app(s), plan: s.output('app:plan'), source: previousSource(s, id),
      ...(steps.verify ? { attempts: s.output(steps.verify.id).attempts } : {}),
    })));
  }
  entries.push(
    entry(steps.commitSource, (s) => ({ ...app(s), template: s.output('app:plan').template, dir: source(s).dir, files: source(s).files })),
    entry(steps.build, (s) => ({ app: req(s).app, dir: source(s).dir, spec: source(s).spec, sourceSha: s.output('source:commit').sha })),
    entry(steps.render, (s) => ({ spec: source(s).spec, image: s.output('image:build').image })),
    entry(steps.commitManifests, (s) => ({
      app: req(s).app,
      sourceSha: s.output('source:commit').sha,
      image: s.output('manifests:render').image,
      files: s.output('manifests:render').files,
    })),
  );
  if (steps.sync) entries.push(entry(steps.sync, (s) => ({ app: req(s).app, revision: s.output('manifests:commit').sha })));
  if (steps.clusterAwait) entries.push(entry(steps.clusterAwait, (s) => ({ app: req(s).app, revision: s.output('manifests:commit').sha })));
  if (steps.deploy && steps.await) {
    entries.push(
      entry(steps.deploy, (s) => ({ app: req(s).app, dir: source(s).dir, spec: source(s).spec, image: s.output('image:build').runImage })),
      entry(steps.await, (s) => ({ app: req(s).app, url: s.output('app:deploy').url })),
    );
  }
  return entries;
}
