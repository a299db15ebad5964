import { z } from 'zod';
import { AppSpec, ConflictError } from '../../domain/index.ts';
import { defineStep, stepOutput } from '../../pipeline/index.ts';
import { AppName } from '../schemas.ts';

/** The version an environment runs, as a configure run ships it again with new settings. */
export const CurrentVersion = z.object({
  version: z.string(),
  env: z.string(),
  /** The pinned image the manifests name. */
  image: z.string(),
  /** The reference a local runtime pulls it by. */
  runImage: z.string(),
  sourceCommit: z.string(),
  spec: AppSpec,
});
export type CurrentVersion = z.infer<typeof CurrentVersion>;

/** The step's id and output, for readers of its stored output. */
export const configCurrentOutput = stepOutput('config:current', CurrentVersion);

/**
 * Finds the version the environment runs, which a configure run renders again with the app's new
 * settings: configuration is not a new version of the code, so the version and image stay as they
 * are. Stored, so a resumed run renders the same version.
 */
export const createCurrentVersionStep = ({ current }: {
  current: (app: string, env: string) => Promise<Omit<CurrentVersion, 'env'> | undefined>;
}) =>
  defineStep({
    ...configCurrentOutput,
    title: 'Find the version it runs',
    input: z.object({ app: AppName, env: z.string() }),
    summarize: (o) => `${o.version} (${o.env})`,
    run: async (ctx) => {
      const { app, env } = ctx.input;
      const found = await current(app, env);
      if (!found) {
        throw new ConflictError(`${app} runs no version in ${env}, so there is nothing to configure there`, {
          hint: `Create it first, or name the environment it runs in with --env (\`slipway versions ${app}\` lists them).`,
        });
      }
      return { ...found, env };
    },
  });
