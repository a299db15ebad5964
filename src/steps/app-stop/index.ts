import { z } from 'zod';
import { defineStep } from '../../pipeline/index.ts';
import type { AppRuntime } from '../../ports/index.ts';
import { AppName } from '../schemas.ts';

type StoppableRuntime = AppRuntime & { forget?(app: string, handle?: Record<string, unknown>): Promise<void> };

/**
 * Stops the app on this machine (missing is fine: delete must be repeatable). `runtimeFor` gives
 * the runtime that started the app, which need not be the one Slipway would pick today, and
 * `handleOf` the handle that runtime gave it (kept in the app's record).
 */
export const createStopLocalStep = ({ runtimeFor, handleOf }: {
  runtimeFor: (app: string) => Promise<StoppableRuntime>;
  handleOf?: (app: string) => Promise<Record<string, unknown> | undefined>;
}) =>
  defineStep({
    id: 'app:stop',
    title: 'Stop the app',
    input: z.object({ app: AppName }),
    output: z.object({ stopped: z.boolean(), runtime: z.string().optional() }),
    run: async (ctx) => {
      const runtime = await runtimeFor(ctx.input.app);
      const handle = await handleOf?.(ctx.input.app);
      const wasRunning = (await runtime.status(ctx.input.app, handle)) === 'running';
      if (runtime.forget) await runtime.forget(ctx.input.app, handle);
      else await runtime.stop(ctx.input.app, handle);
      return { stopped: wasRunning, runtime: runtime.name };
    },
  });
