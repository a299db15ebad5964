import { z } from 'zod';
import { bumpVersion, ConflictError, FIRST_VERSION, VERSION_PATTERN, type Version } from '../../domain/index.ts';
import { defineStep, stepOutput } from '../../pipeline/index.ts';
import { AppName } from '../schemas.ts';

const VersionSchema = z.string().regex(VERSION_PATTERN, 'a version such as v1.2.0');

/** What a run ships: its version, the environment, and the version that environment ran before. */
export const NextVersion = z.object({ version: VersionSchema, env: z.string(), previous: VersionSchema.optional() });
export type NextVersion = z.infer<typeof NextVersion>;

/** The step's id and output, for readers of its stored output (reports, the app record). */
export const versionNextOutput = stepOutput('version:next', NextVersion);

/** The actions that ship a version. */
export const VersionAction = z.enum(['create', 'change', 'rollback', 'promote']);
export type VersionAction = z.infer<typeof VersionAction>;

/**
 * Numbers the version a run ships, as its first step: a create is v1.0.0, a change bumps the current
 * version (minor unless asked otherwise), a rollback is the next patch, a promote keeps the version
 * it copies (`pinned`, or the one running in `from`). The number is a stored output, so a resumed run
 * keeps it even when another run shipped a version in between.
 */
export const createVersionNextStep = ({ current }: {
  /** The version an app runs in an environment, from the GitOps history; undefined when it has none. */
  current: (app: string, env: string, signal?: AbortSignal) => Promise<Version | undefined>;
}) =>
  defineStep({
    ...versionNextOutput,
    title: 'Number the version',
    input: z.object({
      app: AppName,
      action: VersionAction,
      env: z.string(),
      bump: z.enum(['major', 'minor', 'patch']).optional(),
      pinned: VersionSchema.optional(),
      /** For a promote without `pinned`: the environment whose version it copies. */
      from: z.string().optional(),
    }),
    summarize: (o) => `${o.version} (${o.env}${o.previous ? `, was ${o.previous}` : ''})`,
    run: async (ctx) => {
      const { app, action, env } = ctx.input;
      // A new app has no history to read: its GitOps repo is first touched when its manifests are committed.
      if (action === 'create') return { version: FIRST_VERSION, env };
      const previous = await current(app, env, ctx.signal);
      const was = previous ? { previous } : {};
      if (action === 'promote') {
        const pinned = ctx.input.pinned ?? (ctx.input.from !== undefined ? await current(app, ctx.input.from, ctx.signal) : undefined);
        if (!pinned) {
          throw new ConflictError(`${app} has no version in ${ctx.input.from ?? 'the source environment'} to promote`, { hint: `Deploy it there first, then promote; \`slipway versions ${app} --env <env>\` lists what each environment runs.` });
        }
        return { version: pinned, env, ...was };
      }
      if (!previous) {
        throw new ConflictError(`${app} has no version in ${env} yet, so there is nothing to ${action === 'change' ? 'change' : 'roll back'}`, { hint: `Create it first (\`slipway create … --name ${app}\`), or name the environment it runs in with --env.` });
      }
      const bump = action === 'rollback' ? 'patch' : ctx.input.bump ?? 'minor';
      return { version: bumpVersion(previous, bump), env, previous };
    },
  });
