import { z } from 'zod';
import type { createGuardAccessStep } from '../../steps/access-guard/index.ts';
import type { createClusterAwaitStep } from '../../steps/cluster-await/index.ts';
import type { createSyncStep } from '../../steps/gitops-sync/index.ts';
import type { createPromoteImageStep } from '../../steps/image-promote/index.ts';
import type { createCommitManifestsStep } from '../../steps/manifests-commit/index.ts';
import type { createRenderStep } from '../../steps/manifests-render/index.ts';
import type { createVersionNextStep } from '../../steps/version-next/index.ts';
import { entry, type PipelineEntry, type PipelineState } from '../define-step.ts';
import { requestedAccess } from './delivery.ts';

/** The steps a promote is built from; sync and cluster await only on the cluster target. */
export interface PromoteSteps {
  version: ReturnType<typeof createVersionNextStep>;
  promoteImage: ReturnType<typeof createPromoteImageStep>;
  render: ReturnType<typeof createRenderStep>;
  commitManifests: ReturnType<typeof createCommitManifestsStep>;
  /** Cloudflare Access: a private app is guarded at its address in `to` too. */
  guard?: ReturnType<typeof createGuardAccessStep>;
  sync?: ReturnType<typeof createSyncStep>;
  clusterAwait?: ReturnType<typeof createClusterAwaitStep>;
}

/** Request fields a promote run carries. */
export const PromoteRequest = z.object({ app: z.string(), from: z.string(), to: z.string() });
export type PromoteRequest = z.infer<typeof PromoteRequest>;

/**
 * version (the one `from` runs) → tag the image `from` runs for `to` (same digest) → render `to`'s
 * manifests pinning that digest → commit (`Slipway-Action: promote`) → (access guard) → (sync → cluster await).
 * Nothing is generated or built: `to` runs exactly what `from` runs. On this machine's target the
 * app already runs that image, so the run ends with the commit.
 * @example const pipeline = promotePipeline({ version, promoteImage, render, commitManifests, sync, clusterAwait });
 */
export function promotePipeline(steps: PromoteSteps): PipelineEntry[] {
  const req = (s: PipelineState) => PromoteRequest.parse(s.request);
  const { version, promoteImage, render } = steps;
  const entries: PipelineEntry[] = [
    entry(version, (s) => ({ app: req(s).app, action: 'promote' as const, env: req(s).to, from: req(s).from })),
    entry(promoteImage, (s) => ({ app: req(s).app, from: req(s).from, to: req(s).to, version: s.output(version).version })),
    entry(render, (s) => ({ spec: s.output(promoteImage).spec, image: s.output(promoteImage).image, env: req(s).to, ...requestedAccess(s) })),
    entry(steps.commitManifests, (s) => ({
      app: req(s).app,
      sourceSha: s.output(promoteImage).sourceSha,
      image: s.output(render).image,
      files: s.output(render).files,
      version: s.output(version).version,
      env: req(s).to,
      action: 'promote' as const,
      request: `Promote ${s.output(version).version} from ${req(s).from} to ${req(s).to}`,
      details: `The image ${req(s).from} runs, ${s.output(promoteImage).fromTag}, tagged ${s.output(promoteImage).tag}: the same digest.`,
    })),
  ];
  const revision = (s: PipelineState) => ({ app: req(s).app, revision: s.output(steps.commitManifests).sha });
  if (steps.guard) entries.push(entry(steps.guard, (s) => ({ app: req(s).app, env: req(s).to, ...requestedAccess(s) })));
  if (steps.sync) entries.push(entry(steps.sync, (s) => ({ ...revision(s), env: req(s).to })));
  if (steps.clusterAwait) entries.push(entry(steps.clusterAwait, (s) => ({ ...revision(s), env: req(s).to })));
  return entries;
}
