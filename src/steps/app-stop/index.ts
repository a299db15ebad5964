import { z } from 'zod';
import { defineStep } from '../../pipeline/index.ts';
import type { AppRuntime } from '../../ports/index.ts';
import { AppName } from '../schemas.ts';

/** Stops the app on this machine (missing is fine: delete must be repeatable). */
export const createStopLocalStep = ({ runtime }: { runtime: AppRuntime & { forget?(app: string): Promise<void> } }) =>
  defineStep({
    id: 'app:stop',
    title: 'Stop the app',
    input: z.object({ app: AppName }),
    output: z.object({ stopped: z.boolean() }),
    run: async (ctx) => {
      const wasRunning = (await runtime.status(ctx.input.app)) === 'running';
      if (runtime.forget) await runtime.forget(ctx.input.app);
      else await runtime.stop(ctx.input.app);
      return { stopped: wasRunning };
    },
  });
