import { z } from 'zod';
import { AppSpec } from '../../domain/index.ts';
import { defineStep } from '../../pipeline/index.ts';
import type { AppRuntime } from '../../ports/index.ts';
import { AppName } from '../schemas.ts';

/** Starts the app on this machine (the local target). */
export const createDeployLocalStep = ({ runtime }: { runtime: AppRuntime }) =>
  defineStep({
    id: 'app:deploy',
    title: 'Start the app',
    input: z.object({ app: AppName, dir: z.string(), spec: AppSpec }),
    output: z.object({ url: z.string(), runtime: z.string(), handle: z.record(z.string(), z.unknown()) }),
    run: async (ctx) => {
      const running = await runtime.start({ app: ctx.input.app, dir: ctx.input.dir, spec: ctx.input.spec }, ctx.signal);
      return { url: running.url, runtime: runtime.name, handle: running.handle };
    },
  });
