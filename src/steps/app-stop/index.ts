import { z } from 'zod';
import { defineStep } from '../../pipeline/index.ts';
import type { AppRuntime } from '../../ports/index.ts';
import { AppName } from '../schemas.ts';

type StoppableRuntime = AppRuntime & { forget?(app: string): Promise<void> };

/**
 * Stops the app on this machine (missing is fine: delete must be repeatable). `runtimeFor` gives
 * the runtime that started the app, which need not be the one Slipway would pick today.
 */
export const createStopLocalStep = ({ runtimeFor }: { runtimeFor: (app: string) => Promise<StoppableRuntime> }) =>
  defineStep({
    id: 'app:stop',
    title: 'Stop the app',
    input: z.object({ app: AppName }),
    output: z.object({ stopped: z.boolean(), runtime: z.string().optional() }),
    run: async (ctx) => {
      const runtime = await runtimeFor(ctx.input.app);
      const wasRunning = (await runtime.status(ctx.input.app)) === 'running';
      if (runtime.forget) await runtime.forget(ctx.input.app);
      else await runtime.stop(ctx.input.app);
      return { stopped: wasRunning, runtime: runtime.name };
    },
  });
