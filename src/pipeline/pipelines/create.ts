import type { StepDefinition } from '../define-step.ts';
import { entry, type PipelineEntry } from '../define-step.ts';

type AnyStep = StepDefinition<any, any>;

/** The steps a create pipeline is built from; the deploy pair is absent for targets that do not run apps here. */
export interface CreateSteps {
  plan: AnyStep;
  generate: AnyStep;
  commitSource: AnyStep;
  build: AnyStep;
  render: AnyStep;
  commitManifests: AnyStep;
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
 * plan → generate → commit source → build image → render → commit manifests → (deploy → await).
 * @example const pipeline = createPipeline({ plan, generate, commitSource, build, render, commitManifests });
 */
export function createPipeline(steps: CreateSteps): PipelineEntry[] {
  const req = (s: { request: Record<string, unknown> }) => s.request as unknown as CreateRequest;
  const entries: PipelineEntry[] = [
    entry(steps.plan, (s) => ({ description: req(s).description, ...(req(s).template ? { template: req(s).template } : {}) })),
    entry(steps.generate, (s) => ({ app: req(s).app, description: req(s).description, plan: s.output('app:plan') })),
    entry(steps.commitSource, (s) => {
      const generated = s.output('source:generate');
      return { app: req(s).app, description: req(s).description, template: s.output('app:plan').template, dir: generated.dir, files: generated.files };
    }),
    entry(steps.build, (s) => ({ app: req(s).app, dir: s.output('source:generate').dir, spec: s.output('source:generate').spec, sourceSha: s.output('source:commit').sha })),
    entry(steps.render, (s) => ({ spec: s.output('source:generate').spec, image: s.output('image:build').image })),
    entry(steps.commitManifests, (s) => ({
      app: req(s).app,
      sourceSha: s.output('source:commit').sha,
      image: s.output('manifests:render').image,
      files: s.output('manifests:render').files,
    })),
  ];
  if (steps.deploy && steps.await) {
    entries.push(
      entry(steps.deploy, (s) => ({
        app: req(s).app,
        dir: s.output('source:generate').dir,
        spec: s.output('source:generate').spec,
        image: s.output('image:build').runImage,
      })),
      entry(steps.await, (s) => ({ app: req(s).app, url: s.output('app:deploy').url })),
    );
  }
  return entries;
}
