import type { Server } from 'node:http';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { DatabaseSync } from 'node:sqlite';
import { serve } from '@hono/node-server';
import { SqliteReplayGuard } from '../../adapters/store/sqlite-replay-guard.ts';
import { SqliteSessionStore } from '../../adapters/store/sqlite-session-store.ts';
import { SqliteTokenStore } from '../../adapters/store/sqlite-token-store.ts';
import { SqliteWebhookStore } from '../../adapters/store/sqlite-webhook-store.ts';
import { openCheckedDatabase } from '../../adapters/store/store-check.ts';
import type { Slipway } from '../../app/compose.ts';
import { localHistories, reposHoldApps } from '../../app/repo-history.ts';
import { loadConfig, readSecret, type ResolvedConfig } from '../../config/index.ts';
import { ConfigError, InputError } from '../../domain/errors.ts';
import { accessControl, createServerApp, isLoopbackHost, openWhenNoTokens, serverUrl, ServerMetrics, signedIntake, type ServerApp, type ServerDeps } from '../../server/index.ts';
import { reportError } from '../output.ts';
import { chatEndpoints } from './chat-platforms.ts';

/**
 * `slipway serve`: the HTTP API over a Slipway that works through the run queue. Prints one line,
 * `Slipway listening on http://<host>:<port>`, once it listens (with the real port when asked for
 * port 0). SIGINT or SIGTERM: no new runs are taken, the listener closes and the command exits 0;
 * runs under way are continued by the next `slipway serve`.
 */
export async function serveCommand(opts: { host?: string; port?: number }): Promise<number> {
  let db: DatabaseSync | undefined;
  let slipway: Slipway | undefined;
  try {
    const config = loadConfig({ env: process.env, cwd: process.cwd(), homedir: homedir() });
    const host = opts.host ?? config.server.host;
    const port = opts.port ?? config.server.port;
    // The chat platforms' secrets are read first: one missing stops the command before anything starts.
    const chat = chatEndpoints(config, process.env);
    // Tokens, the intake's replay guard and webhook subscriptions live in the state database (checked as every command checks it).
    db = await openCheckedDatabase(join(config.home, 'state.db'), { reposHoldApps: () => reposHoldApps(localHistories(config)) });
    const tokens = new SqliteTokenStore({ db });
    await putConfiguredTokens(config, tokens);
    if (!isLoopbackHost(host) && !(await authConfigured(tokens))) {
      throw new ConfigError(`refusing to listen on ${host} without API tokens: anyone who can reach it could create and delete apps`, {
        hint: 'Create a token first (`slipway token create --name <who> --scope admin`), or listen on 127.0.0.1.',
      });
    }
    const { compose, SLIPWAY_VERSION } = await import('../../app/compose.ts');
    slipway = await compose(config, { nodeBinary: process.execPath, ...(process.env.PATH ? { path: process.env.PATH } : {}), vars: process.env, homedir: homedir() }, {
      mode: { origin: 'server', concurrency: config.server.concurrency },
    });
    const { service, logger } = slipway;
    const metrics = new ServerMetrics({ queueDepth: () => service.queueDepth() });
    service.subscribe((stored) => metrics.observe(stored.event));
    const app = createServerApp({
      service, metrics, logger, bodyLimit: config.server.bodyLimit, version: SLIPWAY_VERSION, ...accessFor(config, host, db, tokens),
      webhooks: new SqliteWebhookStore({ db }), ...chat, gc: slipway.gc, externals: slipway.externals,
    });
    // Listening comes first: a taken port ends the command before any run starts.
    const { server, port: listening } = await listen(app, host, port);
    // Runs an earlier server held when it stopped are queued again; then the workers start.
    await service.recover();
    process.stdout.write(`Slipway listening on ${serverUrl(host, listening)}\n`);
    logger.info({ host, port: listening }, 'Slipway listening');

    const signal = await stopSignal();
    logger.info({ signal }, 'Slipway stops: no new runs, the listener closes');
    service.stop();
    server.close();
    // Event streams stay open until their run ends: closed now, their clients reconnect to the next server.
    server.closeAllConnections();
    // Runs under way are not waited for: they read `interrupted` once this process is gone, and the
    // next `slipway serve` continues each from its last finished step.
    process.exit(0);
  } catch (error) {
    slipway?.service.stop();
    slipway?.close();
    db?.close();
    return reportError(error, false);
  }
}

/**
 * Keeps the tokens slipway.yaml reads from secrets (`server.tokens`), so a server started in a pod
 * takes the token `slipway bootstrap` generated, and a new value in the Secret replaces the old one.
 */
async function putConfiguredTokens(config: ResolvedConfig, tokens: SqliteTokenStore): Promise<void> {
  for (const [index, { name, scope, token }] of config.server.tokens.entries()) {
    await tokens.put(name, scope, readSecret(token, `server.tokens[${index}].token`, process.env));
  }
}

/** Whether API tokens exist, so that a server on a non-loopback address asks every caller for one. */
async function authConfigured(tokens: SqliteTokenStore): Promise<boolean> {
  return (await tokens.count()) > 0;
}

/**
 * Bearer tokens or the web page's session cookie, scopes and the rate limit in front of /v1 (no token asked on loopback while none
 * exists), the signed intake when slipway.yaml has its secret, and the replay guard signed requests are checked against.
 */
function accessFor(config: ResolvedConfig, host: string, db: DatabaseSync, tokens: SqliteTokenStore): Pick<ServerDeps, 'access' | 'sessions' | 'signedIntake' | 'replays'> {
  const hookSecret = config.server.hookSecret;
  const sessions = new SqliteSessionStore({ db });
  // One memory of accepted signatures, for the signed intake and Slack alike.
  const replays = new SqliteReplayGuard({ db });
  return {
    access: accessControl({ tokens, sessions, host, perMinute: config.server.rateLimit.perMinute }),
    sessions: { store: sessions, tokens, open: openWhenNoTokens({ tokens, host }) },
    replays,
    ...(hookSecret ? { signedIntake: signedIntake({ secret: readSecret(hookSecret, 'server.hookSecret', process.env), replays }) } : {}),
  };
}

/** Listens on host:port; a taken port or an address this machine lacks is bad input (exit 2). */
function listen(app: ServerApp, host: string, port: number): Promise<{ server: Server; port: number }> {
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: app.fetch, hostname: host, port }, (info) => resolve({ server, port: info.port })) as Server;
    server.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE') reject(new InputError(`port ${port} on ${host} is in use`, { hint: 'Choose another with --port (or server.port in slipway.yaml), or stop what listens there.' }));
      else if (error.code === 'EADDRNOTAVAIL' || error.code === 'ENOTFOUND') reject(new InputError(`${host} is not an address of this machine`, { hint: 'Pass --host with one of its addresses, e.g. 127.0.0.1.' }));
      else if (error.code === 'EACCES') reject(new InputError(`not allowed to listen on port ${port}`, { hint: 'Ports below 1024 need privileges; choose a higher --port.' }));
      else reject(error);
    });
  });
}

function stopSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
}
