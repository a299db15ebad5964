import { z } from 'zod';
import { AppSpec } from '../../domain/index.ts';
import { defineStep } from '../../pipeline/index.ts';
import type { AppRuntime } from '../../ports/index.ts';
import { AppName } from '../schemas.ts';

/** Starts the app on this machine (the local target): its image under podman, or its files as a process. */
export const createDeployLocalStep = ({ runtime }: { runtime: AppRuntime }) =>
  defineStep({
    id: 'app:deploy',
    title: 'Start the app',
    input: z.object({ app: AppName, dir: z.string(), spec: AppSpec, image: z.string().optional() }),
    output: z.object({ url: z.string(), runtime: z.string(), handle: z.record(z.string(), z.unknown()) }),
    run: async (ctx) => {
      const { app, dir, spec, image } = ctx.input;
      const running = await runtime.start({ app, dir, spec, ...(image ? { image } : {}) }, ctx.signal);
      return { url: running.url, runtime: runtime.name, handle: running.handle };
    },
  });
