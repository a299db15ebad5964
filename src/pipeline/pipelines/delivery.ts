import { z } from 'zod';
import { AppAccess, type AppSpec } from '../../domain/index.ts';
import type { createGuardAccessStep } from '../../steps/access-guard/index.ts';
import type { createAwaitHealthyStep } from '../../steps/app-await/index.ts';
import type { createDeployLocalStep } from '../../steps/app-deploy/index.ts';
import type { createClusterAwaitStep } from '../../steps/cluster-await/index.ts';
import type { createSyncStep } from '../../steps/gitops-sync/index.ts';
import type { createBuildImageStep } from '../../steps/image-build/index.ts';
import type { createCommitManifestsStep } from '../../steps/manifests-commit/index.ts';
import type { createRenderStep } from '../../steps/manifests-render/index.ts';
import type { createCommitSourceStep } from '../../steps/source-commit/index.ts';
import type { createProvenanceStep } from '../../steps/source-provenance/index.ts';
import type { createVerifyStep } from '../../steps/source-verify/index.ts';
import type { createVersionNextStep } from '../../steps/version-next/index.ts';
import type { CommitOutput, GeneratedSource } from '../../steps/schemas.ts';
import { entry, type PipelineEntry, type PipelineState, type StepOutputKey } from '../define-step.ts';

/** The steps that bring committed manifests to life: on a cluster (sync, await) or on this machine (deploy, await). */
export interface DeliverySteps {
  commitManifests: StepOutputKey<CommitOutput>;
  /** An access provider outside the cluster (Cloudflare Access): told who may open the app before its rollout is awaited. */
  guard?: ReturnType<typeof createGuardAccessStep>;
  sync?: ReturnType<typeof createSyncStep>;
  clusterAwait?: ReturnType<typeof createClusterAwaitStep>;
  deploy?: ReturnType<typeof createDeployLocalStep>;
  await?: ReturnType<typeof createAwaitHealthyStep>;
}

/**
 * The steps a create and a change share, from numbering the version to the app answering. Optional
 * steps are absent when the target or the generator does not need them: verify (generated code that
 * is not known good), provenance, sync and cluster await (cluster target), deploy and await (local target).
 */
export interface ShippingSteps {
  version: ReturnType<typeof createVersionNextStep>;
  verify?: ReturnType<typeof createVerifyStep>;
  provenance?: ReturnType<typeof createProvenanceStep>;
  commitSource: ReturnType<typeof createCommitSourceStep>;
  build: ReturnType<typeof createBuildImageStep>;
  render: ReturnType<typeof createRenderStep>;
  commitManifests: ReturnType<typeof createCommitManifestsStep>;
  guard?: ReturnType<typeof createGuardAccessStep>;
  sync?: ReturnType<typeof createSyncStep>;
  clusterAwait?: ReturnType<typeof createClusterAwaitStep>;
  deploy?: ReturnType<typeof createDeployLocalStep>;
  await?: ReturnType<typeof createAwaitHealthyStep>;
}

/** What a run's request says of access: what the app is to be, and whether it was private before. */
const AccessAsked = z.object({ access: AppAccess.optional(), wasPrivate: z.boolean().optional() });

/**
 * Who may open the app a run ships, as its request says (absent in runs from before access existed:
 * public), for the render step: a private app behind oauth2-proxy gets the proxy in its manifests.
 */
export function requestedAccess(s: PipelineState): { access?: AppAccess } {
  const { access } = AccessAsked.parse(s.request);
  return access ? { access } : {};
}

/**
 * What every pipeline that ships a version does after its manifests commit: (access guard →) (sync → cluster await)
 * for the cluster target, (deploy → await) for this machine; a step the target does not use is absent.
 * @example entries.push(...deliveryEntries(steps, { app: (s) => req(s).app, env: (s) => s.output(version).env, source, runImage: (s) => s.output(build).runImage }));
 */
export function deliveryEntries(steps: DeliverySteps, from: {
  app: (s: PipelineState) => string;
  /** The environment the version ships to: its sync and rollout watch are that environment's. */
  env: (s: PipelineState) => string;
  source: (s: PipelineState) => GeneratedSource;
  /** The spec of the version shipped; a rollback or configure on the cluster has no checked-out source to read it from. */
  spec?: (s: PipelineState) => AppSpec;
  runImage: (s: PipelineState) => string | undefined;
}): PipelineEntry[] {
  const specOf = (s: PipelineState) => (from.spec ? from.spec(s) : from.source(s).spec);
  const entries: PipelineEntry[] = [];
  const revision = (s: PipelineState) => ({ app: from.app(s), revision: s.output(steps.commitManifests).sha });
  if (steps.guard) {
    entries.push(entry(steps.guard, (s) => {
      const { access, wasPrivate } = AccessAsked.parse(s.request);
      return { app: from.app(s), env: from.env(s), ...(access ? { access } : {}), ...(wasPrivate ? { wasPrivate } : {}) };
    }));
  }
  if (steps.sync) entries.push(entry(steps.sync, (s) => ({ ...revision(s), env: from.env(s) })));
  if (steps.clusterAwait) entries.push(entry(steps.clusterAwait, (s) => ({ ...revision(s), env: from.env(s), ...(specOf(s).needs?.database ? { database: true } : {}) })));
  const { deploy } = steps;
  if (deploy && steps.await) {
    entries.push(
      entry(deploy, (s) => {
        const image = from.runImage(s);
        return { app: from.app(s), dir: from.source(s).dir, spec: from.source(s).spec, ...(image ? { image } : {}), environment: from.env(s) };
      }),
      entry(steps.await, (s) => ({ app: from.app(s), url: s.output(deploy).url })),
    );
  }
  return entries;
}
