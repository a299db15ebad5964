import { z } from 'zod';
import { AppSpec } from '../../domain/index.ts';
import { defineStep, stepOutput } from '../../pipeline/index.ts';
import type { AppRuntime } from '../../ports/index.ts';
import { AppName } from '../schemas.ts';

/** The step's id and output, for readers of its stored output. */
export const deployOutput = stepOutput('app:deploy', z.object({
  url: z.string(),
  runtime: z.string(),
  handle: z.record(z.string(), z.unknown()),
  note: z.string().optional(),
}));

/**
 * Starts the app on this machine (the local target): its image under podman, or its files as a
 * process. `note` says why the runtime is not the one a person might expect (e.g. podman is
 * installed but cannot run containers); it goes into the log and the step's output.
 */
export const createDeployLocalStep = ({ runtime, note }: { runtime: AppRuntime; note?: string }) =>
  defineStep({
    ...deployOutput,
    title: 'Start the app',
    input: z.object({ app: AppName, dir: z.string(), spec: AppSpec, image: z.string().optional() }),
    summarize: (o) => (o.note ? `${o.url} (${o.runtime}: ${o.note})` : o.url),
    run: async (ctx) => {
      const { app, dir, spec, image } = ctx.input;
      if (note) ctx.logger.warn({ runtime: runtime.name }, note);
      const running = await runtime.start({ app, dir, spec, ...(image ? { image } : {}) }, ctx.signal);
      return { url: running.url, runtime: runtime.name, handle: running.handle, ...(note ? { note } : {}) };
    },
  });
