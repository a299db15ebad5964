import { z } from 'zod';
import { AppSpec, describeError } from '../../domain/index.ts';
import { defineStep, stepOutput } from '../../pipeline/index.ts';
import type { AppRuntime } from '../../ports/index.ts';
import { AppName } from '../schemas.ts';

/** The step's id and output, for readers of its stored output. */
export const deployOutput = stepOutput('app:deploy', z.object({
  url: z.string(),
  runtime: z.string(),
  handle: z.record(z.string(), z.unknown()),
  note: z.string().optional(),
  /** The other runtime whose instance of the app was stopped before this start. */
  stoppedUnder: z.string().optional(),
}));

/** The runtime an app's record names (the one that last started it) and the handle it gave. */
export interface RecordedRuntime {
  runtimeFor: (app: string) => Promise<AppRuntime>;
  handleOf: (app: string) => Promise<Record<string, unknown> | undefined>;
}

/**
 * Starts the app on this machine (the local target): its image under podman, or its files as a
 * process. `note` says why the runtime is not the one a person might expect (e.g. podman is
 * installed but cannot run containers); it goes into the log and the step's output.
 *
 * A runtime replaces only its own earlier instance. When the app's record names another runtime
 * (a resumed run after the choice moved, say from processes to podman), that runtime stops its
 * instance first: left running, it would hold on, out of reach of status and delete, which follow
 * the record to the new runtime. A stop that fails (that runtime is gone from the machine) is
 * logged and the start goes on.
 */
export const createDeployLocalStep = ({ runtime, note, recorded, environmentFor }: {
  runtime: AppRuntime;
  note?: string;
  recorded?: RecordedRuntime;
  /** The app's settings and secret values in an environment, handed to it as its environment when it starts (never stored in the run). */
  environmentFor?: (app: string, env: string) => Promise<Record<string, string>>;
}) =>
  defineStep({
    ...deployOutput,
    title: 'Start the app',
    input: z.object({ app: AppName, dir: z.string(), spec: AppSpec, image: z.string().optional(), environment: z.string().optional() }),
    summarize: (o) => [o.url, ...(o.note ? [`(${o.runtime}: ${o.note})`] : []), ...(o.stoppedUnder ? [`(the instance ${o.stoppedUnder} started was stopped)`] : [])].join(' '),
    run: async (ctx) => {
      const { app, dir, spec, image } = ctx.input;
      if (note) ctx.logger.warn({ runtime: runtime.name }, note);
      const earlier = recorded ? await recorded.runtimeFor(app) : undefined;
      let stoppedUnder: string | undefined;
      if (earlier && earlier.name !== runtime.name) {
        try {
          const handle = await recorded!.handleOf(app);
          const wasRunning = (await earlier.status(app, handle)) === 'running';
          await earlier.stop(app, handle);
          if (wasRunning) stoppedUnder = earlier.name;
          if (wasRunning) ctx.logger.info({ runtime: earlier.name }, `stopped the instance ${earlier.name} started before starting ${app} with ${runtime.name}`);
        } catch (error) {
          ctx.logger.warn({ runtime: earlier.name, err: describeError(error) }, `could not stop the instance ${earlier.name} started; starting ${app} with ${runtime.name} anyway`);
        }
      }
      const values = environmentFor && ctx.input.environment !== undefined ? await environmentFor(app, ctx.input.environment) : {};
      const env = Object.keys(values).length > 0 ? { env: values } : {};
      const running = await runtime.start({ app, dir, spec, ...(image ? { image } : {}), ...env }, ctx.signal);
      return { url: running.url, runtime: runtime.name, handle: running.handle, ...(note ? { note } : {}), ...(stoppedUnder ? { stoppedUnder } : {}) };
    },
  });
