import { z } from 'zod';
import type { createCurrentVersionStep } from '../../steps/config-current/index.ts';
import type { createCommitManifestsStep } from '../../steps/manifests-commit/index.ts';
import type { createRenderStep } from '../../steps/manifests-render/index.ts';
import type { createCheckoutSourceStep } from '../../steps/source-checkout/index.ts';
import { entry, type PipelineEntry, type PipelineState } from '../define-step.ts';
import { deliveryEntries, requestedAccess, type DeliverySteps } from './delivery.ts';

/** The steps a configure run is built from: sync and cluster await on the cluster target, checkout, deploy and await on the local one. */
export interface ConfigureSteps extends DeliverySteps {
  current: ReturnType<typeof createCurrentVersionStep>;
  render: ReturnType<typeof createRenderStep>;
  commitManifests: ReturnType<typeof createCommitManifestsStep>;
  checkout?: ReturnType<typeof createCheckoutSourceStep>;
}

/**
 * Fields a configure run carries: the names it set and unset, never a value (the settings' values
 * are in the app's record, the secrets' in Slipway's secret store).
 */
export const ConfigureRequest = z.object({
  app: z.string(),
  env: z.string(),
  set: z.array(z.string()).default([]),
  unset: z.array(z.string()).default([]),
  secretsSet: z.array(z.string()).default([]),
  secretsUnset: z.array(z.string()).default([]),
});
export type ConfigureRequest = z.infer<typeof ConfigureRequest>;

/**
 * find the version the environment runs → render it with the app's settings and secrets as they are
 * now → commit the manifests (one commit, the same version) → (sync → cluster await) | (check out its
 * source → start it with the new environment → await).
 * @example const pipeline = configurePipeline({ current, render, commitManifests, checkout, deploy, await });
 */
export function configurePipeline(steps: ConfigureSteps): PipelineEntry[] {
  const req = (s: PipelineState) => ConfigureRequest.parse(s.request);
  const { current, render, checkout } = steps;
  const entries: PipelineEntry[] = [
    entry(current, (s) => ({ app: req(s).app, env: req(s).env })),
    entry(render, (s) => ({ spec: s.output(current).spec, image: s.output(current).image, env: req(s).env, ...requestedAccess(s) })),
    entry(steps.commitManifests, (s) => ({
      app: req(s).app,
      sourceSha: s.output(current).sourceCommit,
      image: s.output(current).image,
      files: s.output(render).files,
      version: s.output(current).version,
      env: req(s).env,
      action: 'configure' as const,
      request: configureSubject(req(s)),
    })),
  ];
  if (checkout && steps.deploy) entries.push(entry(checkout, (s) => ({ app: req(s).app, commit: s.output(current).sourceCommit })));
  entries.push(...deliveryEntries(steps, {
    app: (s) => req(s).app,
    env: (s) => req(s).env,
    source: (s) => ({ dir: s.output(checkout!).dir, spec: s.output(current).spec, files: s.output(checkout!).files }),
    spec: (s) => s.output(current).spec,
    runImage: (s) => s.output(current).runImage,
  }));
  return entries;
}

/**
 * The manifests commit's subject: "Configure weather: set THEME, secret API_KEY, unset OLD". Names
 * only: a secret's value never reaches git.
 */
export function configureSubject(request: ConfigureRequest): string {
  const parts = [
    ...(request.set.length > 0 ? [`set ${request.set.join(', ')}`] : []),
    ...(request.secretsSet.length > 0 ? [`secret ${request.secretsSet.join(', ')}`] : []),
    ...(request.unset.length + request.secretsUnset.length > 0 ? [`unset ${[...request.unset, ...request.secretsUnset].join(', ')}`] : []),
  ];
  return `Configure ${request.app}${parts.length > 0 ? `: ${parts.join(', ')}` : ''}`;
}
