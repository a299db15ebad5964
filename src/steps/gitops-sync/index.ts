import { z } from 'zod';
import { defineStep } from '../../pipeline/index.ts';
import type { GitOpsSyncer } from '../../ports/index.ts';
import { AppName } from '../schemas.ts';

/** Tells Flux (its Receiver) or Argo CD to reconcile the commit just pushed, now rather than at its next interval. */
export const createSyncStep = ({ syncer, branch, repoUrl, objectSuffix }: {
  syncer: GitOpsSyncer;
  branch: string;
  repoUrl: string;
  /** The suffix of an environment's engine objects (`-dev`), when a run names the environment. */
  objectSuffix?: (env: string) => string;
}) =>
  defineStep({
    id: 'gitops:sync',
    title: 'Ask the cluster to reconcile',
    input: z.object({ app: AppName, revision: z.string().regex(/^[0-9a-f]{40}$/), env: z.string().optional() }),
    output: z.object({ engine: z.string(), method: z.string(), status: z.number(), detail: z.string() }),
    summarize: (o) => `${o.method} answered ${o.status}`,
    run: async (ctx) => {
      const suffix = ctx.input.env !== undefined && objectSuffix ? objectSuffix(ctx.input.env) : '';
      return syncer.sync({ app: ctx.input.app, revision: ctx.input.revision, branch, repoUrl, ...(suffix ? { objectSuffix: suffix } : {}) }, ctx.signal);
    },
  });
