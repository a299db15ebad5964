import { z } from 'zod';
import { defineStep } from '../../pipeline/index.ts';
import type { AccessGuard } from '../../ports/index.ts';
import { GuardOutput } from '../access-guard/index.ts';
import { AppName } from '../schemas.ts';

/**
 * A deleted app's guard goes with it: the provider's application and policy for the app's hostname
 * in every environment are removed (nothing is asked of the provider when the app was public).
 */
export const createRemoveAccessStep = ({ guard, hostsFor }: {
  guard: AccessGuard;
  /** The hostnames the app answers at, one per environment. */
  hostsFor: (app: string) => string[];
}) =>
  defineStep({
    id: 'access:remove',
    title: 'Remove who may open it',
    input: z.object({ app: AppName, wasPrivate: z.boolean() }),
    output: GuardOutput,
    summarize: (o) => `${o.provider}: ${o.action}`,
    run: async (ctx) => {
      const { app, wasPrivate } = ctx.input;
      if (!wasPrivate) return { provider: guard.name, action: 'none' as const, detail: `${app} was public` };
      const results = [];
      for (const host of hostsFor(app)) results.push(await guard.unprotect({ app, host }, ctx.signal));
      const removed = results.filter((r) => r.action === 'removed');
      return {
        provider: guard.name,
        action: removed.length > 0 ? 'removed' as const : 'absent' as const,
        detail: results.map((r) => r.detail).join('; '),
      };
    },
  });
