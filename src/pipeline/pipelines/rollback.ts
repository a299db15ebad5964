import { z } from 'zod';
import type { createCommitManifestsStep } from '../../steps/manifests-commit/index.ts';
import type { createRestoreManifestsStep } from '../../steps/manifests-restore/index.ts';
import type { createCheckoutSourceStep } from '../../steps/source-checkout/index.ts';
import type { createVersionNextStep } from '../../steps/version-next/index.ts';
import type { createPickVersionStep } from '../../steps/version-pick/index.ts';
import { entry, type PipelineEntry, type PipelineState } from '../define-step.ts';
import { deliveryEntries, type DeliverySteps } from './delivery.ts';

/** The steps a rollback is built from: sync and cluster await on the cluster target, checkout, deploy and await on the local one. */
export interface RollbackSteps extends DeliverySteps {
  version: ReturnType<typeof createVersionNextStep>;
  pick: ReturnType<typeof createPickVersionStep>;
  restore: ReturnType<typeof createRestoreManifestsStep>;
  commitManifests: ReturnType<typeof createCommitManifestsStep>;
  checkout?: ReturnType<typeof createCheckoutSourceStep>;
}

/** Request fields a rollback run carries; `auto` when Slipway started it after a failed run. */
export const RollbackRequest = z.object({
  app: z.string(),
  to: z.string().optional(),
  env: z.string().optional(),
  auto: z.object({ failedRunId: z.string(), reason: z.string().optional() }).optional(),
});
export type RollbackRequest = z.infer<typeof RollbackRequest>;

/**
 * version (next patch) → pick the version to go back to → read its manifests → commit them as the
 * new version → (sync → cluster await) | (check out its source → start it → await). A new commit:
 * the history that led here stays as it was.
 * @example const pipeline = rollbackPipeline({ version, pick, restore, commitManifests, checkout, deploy, await }, { defaultEnv: 'prod' });
 */
export function rollbackPipeline(steps: RollbackSteps, options: { defaultEnv?: string } = {}): PipelineEntry[] {
  const req = (s: PipelineState) => RollbackRequest.parse(s.request);
  const env = (s: PipelineState) => req(s).env ?? options.defaultEnv ?? 'prod';
  const { version, pick, restore } = steps;
  const entries: PipelineEntry[] = [
    entry(version, (s) => ({ app: req(s).app, action: 'rollback' as const, env: env(s) })),
    entry(pick, (s) => ({ app: req(s).app, env: env(s), ...(req(s).to ? { to: req(s).to } : {}) })),
    entry(restore, (s) => ({ app: req(s).app, ...s.output(pick) })),
    entry(steps.commitManifests, (s) => ({
      app: req(s).app,
      sourceSha: s.output(pick).sourceCommit,
      image: s.output(restore).image,
      files: s.output(restore).files,
      version: s.output(version).version,
      env: s.output(version).env,
      action: 'rollback' as const,
      request: `roll back to ${s.output(pick).version}`,
      details: rollbackDetails(req(s), s.output(version).previous, s.output(pick)),
      trailers: { 'Slipway-Rollback-To': s.output(pick).version },
    })),
  ];
  // On this machine the earlier version's source is checked out first: the process runtime starts it.
  const { checkout } = steps;
  if (checkout && steps.deploy) entries.push(entry(checkout, (s) => ({ app: req(s).app, commit: s.output(pick).sourceCommit })));
  entries.push(...deliveryEntries(steps, {
    app: (s) => req(s).app,
    env: (s) => s.output(version).env,
    source: (s) => ({ dir: s.output(checkout!).dir, spec: s.output(pick).spec!, files: s.output(checkout!).files }),
    spec: (s) => s.output(pick).spec!,
    runImage: (s) => s.output(pick).runImage,
  }));
  return entries;
}

/** The commit message's body: what runs again, instead of what, and why when Slipway decided it. */
function rollbackDetails(request: RollbackRequest, previous: string | undefined, target: { version: string; runId: string }): string {
  return [
    `${target.version} (run ${target.runId || 'unknown'}) runs again${previous ? `, instead of ${previous}` : ''}.`,
    ...(request.auto ? [`Rolled back automatically: run ${request.auto.failedRunId} failed${request.auto.reason ? ` (${request.auto.reason})` : ''}.`] : []),
  ].join('\n');
}
