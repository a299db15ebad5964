import { z } from 'zod';
import { AppAccess } from '../../domain/index.ts';
import { defineStep } from '../../pipeline/index.ts';
import type { AccessGuard } from '../../ports/index.ts';
import { AppName } from '../schemas.ts';

/** What an access step did: the provider's action and ids, or that there was nothing to do. */
export const GuardOutput = z.object({
  provider: z.string(),
  action: z.enum(['created', 'updated', 'unchanged', 'removed', 'absent', 'none']),
  detail: z.string(),
  ids: z.record(z.string(), z.string()).optional(),
});
export type GuardOutput = z.infer<typeof GuardOutput>;

/**
 * Brings the access provider in line with who may open the app, once its manifests are committed
 * and before its rollout is awaited, so a private app is never reachable unguarded for long: a
 * private app is protected (created or brought up to date), an app made public again loses its
 * guard, and an app that stays public is left alone (a run that says nothing of access, such as a
 * rollback, changes nothing).
 */
export const createGuardAccessStep = ({ guard, hostFor }: {
  guard: AccessGuard;
  /** The hostname the app answers at in an environment. */
  hostFor: (app: string, env: string) => string;
}) =>
  defineStep({
    id: 'access:guard',
    title: 'Guard who may open it',
    input: z.object({ app: AppName, env: z.string(), access: AppAccess.optional(), wasPrivate: z.boolean().optional() }),
    output: GuardOutput,
    summarize: (o) => `${o.provider}: ${o.action}`,
    run: async (ctx) => {
      const { app, env, access, wasPrivate } = ctx.input;
      const target = { app, host: hostFor(app, env) };
      if (access === 'private') return guard.protect(target, ctx.signal);
      if (access === 'public' && wasPrivate) return guard.unprotect(target, ctx.signal);
      return { provider: guard.name, action: 'none' as const, detail: `${target.host} is public` };
    },
  });
