import { z } from 'zod';
import type { createRemoveAccessStep } from '../../steps/access-remove/index.ts';
import type { createRemoveLocalDataStep } from '../../steps/database-remove/index.ts';
import type { createStopLocalStep } from '../../steps/app-stop/index.ts';
import type { createSyncStep } from '../../steps/gitops-sync/index.ts';
import type { createForgetImageStep } from '../../steps/image-forget/index.ts';
import type { createRemoveManifestsStep } from '../../steps/manifests-remove/index.ts';
import type { createRemoveSourceStep } from '../../steps/source-remove/index.ts';
import { entry, type PipelineEntry, type PipelineState } from '../define-step.ts';

export interface DeleteSteps {
  stop?: ReturnType<typeof createStopLocalStep>;
  /** Embedded default: the app's local database, deleted only when the delete says so. */
  removeData?: ReturnType<typeof createRemoveLocalDataStep>;
  removeSource: ReturnType<typeof createRemoveSourceStep>;
  removeManifests: ReturnType<typeof createRemoveManifestsStep>;
  /** Cluster target: reconcile now, so Flux prunes the app at once. */
  sync?: ReturnType<typeof createSyncStep>;
  /** An access provider outside the cluster (Cloudflare Access): a private app's guard goes with it. */
  removeAccess?: ReturnType<typeof createRemoveAccessStep>;
  /** Without a registry: drop the app's images from the local image store. */
  forgetImage?: ReturnType<typeof createForgetImageStep>;
}

/** Request fields a delete run carries. */
const DeleteRequest = z.object({ app: z.string(), wasPrivate: z.boolean().optional(), data: z.enum(['keep', 'delete']).optional() });

/** (stop →) remove source → remove manifests (→ sync) (→ remove access) (→ forget images). Each step is safe to repeat. */
export function deletePipeline(steps: DeleteSteps): PipelineEntry[] {
  const app = (s: PipelineState) => ({ app: DeleteRequest.parse(s.request).app });
  return [
    ...(steps.stop ? [entry(steps.stop, app)] : []),
    ...(steps.removeData ? [entry(steps.removeData, (s) => {
      const { data } = DeleteRequest.parse(s.request);
      return { ...app(s), ...(data ? { data } : {}) };
    })] : []),
    entry(steps.removeSource, app),
    entry(steps.removeManifests, app),
    ...(steps.sync ? [entry(steps.sync, (s) => ({ ...app(s), revision: s.output(steps.removeManifests).sha }))] : []),
    // After the prune was asked for: the app stops answering before its guard is gone.
    ...(steps.removeAccess ? [entry(steps.removeAccess, (s) => ({ ...app(s), wasPrivate: DeleteRequest.parse(s.request).wasPrivate === true }))] : []),
    ...(steps.forgetImage ? [entry(steps.forgetImage, app)] : []),
  ];
}
