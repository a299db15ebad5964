import { z } from 'zod';
import { defineStep } from '../../pipeline/index.ts';
import type { GitOpsSyncer } from '../../ports/index.ts';
import { AppName } from '../schemas.ts';

/** Tells Flux (its Receiver) or Argo CD to reconcile the commit just pushed, now rather than at its next interval. */
export const createSyncStep = ({ syncer, branch, repoUrl }: { syncer: GitOpsSyncer; branch: string; repoUrl: string }) =>
  defineStep({
    id: 'gitops:sync',
    title: 'Ask the cluster to reconcile',
    input: z.object({ app: AppName, revision: z.string().regex(/^[0-9a-f]{40}$/) }),
    output: z.object({ engine: z.string(), method: z.string(), status: z.number(), detail: z.string() }),
    summarize: (o) => `${o.method} answered ${o.status}`,
    run: async (ctx) => syncer.sync({ app: ctx.input.app, revision: ctx.input.revision, branch, repoUrl }, ctx.signal),
  });
