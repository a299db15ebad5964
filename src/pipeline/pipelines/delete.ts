import { entry, type PipelineEntry, type StepDefinition } from '../define-step.ts';

type AnyStep = StepDefinition<any, any>;

export interface DeleteSteps {
  stop?: AnyStep;
  removeSource: AnyStep;
  removeManifests: AnyStep;
  /** Cluster target: reconcile now, so Flux prunes the app at once. */
  sync?: AnyStep;
  /** Without a registry: drop the app's images from the local image store. */
  forgetImage?: AnyStep;
}

/** (stop →) remove source → remove manifests (→ sync) (→ forget images). Each step is safe to repeat. */
export function deletePipeline(steps: DeleteSteps): PipelineEntry[] {
  const app = (s: { request: Record<string, unknown> }) => ({ app: s.request.app as string });
  return [
    ...(steps.stop ? [entry(steps.stop, app)] : []),
    entry(steps.removeSource, app),
    entry(steps.removeManifests, app),
    ...(steps.sync ? [entry(steps.sync, (s) => ({ ...app(s), revision: s.output('manifests:remove').sha }))] : []),
    ...(steps.forgetImage ? [entry(steps.forgetImage, app)] : []),
  ];
}
