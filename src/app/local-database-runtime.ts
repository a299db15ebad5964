import type { LocalPostgres } from '../adapters/database/local-postgres.ts';
import { ConfigError } from '../domain/errors.ts';
import { needsDatabase } from '../render/database.ts';
import type { AppRuntime, LogOptions, RunningApp, StartRequest } from '../ports/index.ts';

/** What the local databases are asked for: start one with its app, stop it with it. */
export type LocalDatabases = Pick<LocalPostgres, 'start' | 'stop' | 'exists'>;

/**
 * A runtime whose apps that need a database get one on this machine: it is started before the app
 * (created the first time) and handed to it as `DATABASE_URL`; stopping the app stops it too, and
 * its data stays for the next start. Apps without a database run exactly as before.
 * @example const runtime = withLocalDatabase(new ProcessRuntime(options), new LocalPostgres({ root }));
 */
export function withLocalDatabase(inner: AppRuntime, databases: LocalDatabases): AppRuntime & { forget?(app: string, handle?: Record<string, unknown>): Promise<void> } {
  const forgetInner = (inner as { forget?(app: string, handle?: Record<string, unknown>): Promise<void> }).forget?.bind(inner);
  const stopDatabase = async (app: string) => {
    if (databases.exists(app)) await databases.stop(app);
  };
  return {
    name: inner.name,
    async start(request: StartRequest, signal?: AbortSignal): Promise<RunningApp> {
      if (!needsDatabase(request.spec)) return inner.start(request, signal);
      // The database listens on loopback only; a container's network cannot reach it.
      if (inner.name !== 'process') {
        throw new ConfigError(`${request.app} needs a database, and the ${inner.name} runtime cannot reach the local PostgreSQL yet`, {
          hint: 'Set local.runtime: process in slipway.yaml for apps with a database (or run them on the cluster).',
        });
      }
      const { url } = await databases.start(request.app);
      return inner.start({ ...request, env: { ...request.env, DATABASE_URL: url } }, signal);
    },
    async stop(app: string, handle?: Record<string, unknown>): Promise<void> {
      await inner.stop(app, handle);
      await stopDatabase(app);
    },
    ...(forgetInner
      ? {
        async forget(app: string, handle?: Record<string, unknown>): Promise<void> {
          await forgetInner(app, handle);
          await stopDatabase(app);
        },
      }
      : {}),
    status: (app: string, handle?: Record<string, unknown>) => inner.status(app, handle),
    ...(inner.locate ? { locate: (app: string) => inner.locate!(app) } : {}),
    logTail: (app: string, lines?: number) => inner.logTail(app, lines),
    logs: (app: string, handle: Record<string, unknown> | undefined, options: LogOptions) => inner.logs(app, handle, options),
  };
}
