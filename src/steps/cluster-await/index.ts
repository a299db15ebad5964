import { z } from 'zod';
import { defineStep, stepOutput } from '../../pipeline/index.ts';
import type { ClusterWatcher, WatchStage } from '../../ports/index.ts';
import { AppName } from '../schemas.ts';

const Stage = z.object({
  stage: z.enum(['source', 'reconcile', 'rollout', 'http']),
  status: z.enum(['ok', 'failed', 'timeout']),
  durationMs: z.number(),
  detail: z.string(),
  reason: z.string().optional(),
  message: z.string().optional(),
  events: z.array(z.string()).optional(),
});

/** The step's id and output, for readers of its stored output. */
export const clusterAwaitOutput = stepOutput('cluster:await', z.object({ url: z.string(), stages: z.array(Stage) }));

/**
 * Follows the rollout through the Kubernetes API, stage by stage (source revision → Kustomization or
 * Application → Deployment → HTTP), each with its own time limit; a failure names the stage, the
 * condition's reason and message, and the events that explain it.
 */
export const createClusterAwaitStep = ({ watcher, namespace, publicUrl, timeouts, forEnv }: {
  watcher: ClusterWatcher;
  namespace: string;
  /** URL template with {app}, e.g. https://{app}.apps.k8s-lab.dev/ */
  publicUrl: string;
  timeouts: Record<WatchStage, number>;
  /** Where an environment's apps run and answer, when a run names one (else `namespace` and `publicUrl`). */
  forEnv?: (env: string) => { namespace: string; publicUrl: string | undefined; objectSuffix: string };
}) =>
  defineStep({
    ...clusterAwaitOutput,
    title: 'Wait for the rollout',
    input: z.object({ app: AppName, revision: z.string().regex(/^[0-9a-f]{40}$/), env: z.string().optional(), database: z.boolean().optional() }),
    summarize: (o) => o.stages.map((st) => `${st.stage} ${(st.durationMs / 1000).toFixed(1)}s`).join(', '),
    run: async (ctx) => {
      const where = ctx.input.env !== undefined && forEnv ? forEnv(ctx.input.env) : { namespace, publicUrl, objectSuffix: '' };
      const url = (where.publicUrl ?? publicUrl).replaceAll('{app}', ctx.input.app);
      const stages = await watcher.watch(
        { app: ctx.input.app, namespace: where.namespace, revision: ctx.input.revision, url, timeouts, ...(where.objectSuffix ? { objectSuffix: where.objectSuffix } : {}), ...(ctx.input.database ? { database: true } : {}) },
        (report) => ctx.logger.info({ stage: report.stage, status: report.status, durationMs: report.durationMs }, report.detail),
        ctx.signal,
      );
      return { url, stages };
    },
  });
