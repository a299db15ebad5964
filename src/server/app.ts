import { fileURLToPath } from 'node:url';
import { OpenAPIHono } from '@hono/zod-openapi';
import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { matchedRoutes } from 'hono/route';
import type { Logger } from 'pino';
import type { GcOptions } from '../app/gc.ts';
import type { Externals } from '../app/externals.ts';
import type { GcReport } from '../app/registry-gc.ts';
import type { AppFile, AppStatus, AppVersions, AppView, DoctorCheck, GeneratorInfo, RepoName, RunReport, StartRequest, TemplateInfo } from '../app/slipway-service.ts';
import type { Run, RunStatus } from '../domain/index.ts';
import type { WebhookStore } from '../ports/index.ts';
import type { StoredRunEvent } from '../pipeline/index.ts';
import type { ReplayGuard } from '../ports/replay-guard.ts';
import { discordRoutes, type DiscordChat } from './chat/discord.ts';
import { slackRoutes, type SlackChat } from './chat/slack.ts';
import { telegramRoutes, type TelegramChat } from './chat/telegram.ts';
import { errorProblem, validationProblem } from './errors.ts';
import type { ServerMetrics } from './metrics.ts';
import { problem } from './problem.ts';
import { appRoutes } from './routes/apps.ts';
import { doctorRoutes } from './routes/doctor.ts';
import { eventRoutes } from './routes/events.ts';
import { fileRoutes } from './routes/files.ts';
import { generatorRoutes } from './routes/generator.ts';
import { healthRoutes } from './routes/health.ts';
import { hookRoutes } from './routes/hooks.ts';
import { logRoutes } from './routes/logs.ts';
import { rollbackRoutes } from './routes/rollback.ts';
import { configRoutes } from './routes/config.ts';
import { versionRoutes } from './routes/versions.ts';
import { runRoutes } from './routes/runs.ts';
import { sessionRoutes, type SessionDeps } from './routes/session.ts';
import { staticRoutes } from './routes/static.ts';
import { templateRoutes } from './routes/templates.ts';
import { webhookRoutes } from './routes/webhooks.ts';
import { gcRoutes } from './routes/gc.ts';
import { externalsRoutes } from './routes/externals.ts';
import { promoteRoutes } from './routes/promote.ts';

export interface ServerDeps {
  /** The parts of SlipwayService the routes call. */
  service: {
    start(request: StartRequest, options?: { idempotencyKey?: string }): Promise<Run>;
    resume(runId: string): Promise<Run>;
    cancel(runId: string): Promise<Run>;
    watch(runId: string, options: { after?: number; signal?: AbortSignal }): AsyncIterable<StoredRunEvent>;
    report(runId: string): Promise<RunReport>;
    runs(filter: { app?: string; status?: RunStatus; limit?: number; cursor?: string }): Promise<{ runs: Run[]; nextCursor?: string }>;
    list(): Promise<AppView[]>;
    status(app: string): Promise<AppStatus>;
    ready(): Promise<Array<{ name: string; ok: boolean; detail?: string }>>;
    templates(): Promise<TemplateInfo[]>;
    generator(): Promise<GeneratorInfo>;
    files(app: string, repo: RepoName): Promise<Array<{ path: string; size: number }>>;
    file(app: string, repo: RepoName, path: string): Promise<AppFile>;
    logs(app: string, options: { tail: number; follow?: boolean; since?: Date; env?: string; signal?: AbortSignal }): Promise<AsyncIterable<string>>;
    doctor(): Promise<DoctorCheck[]>;
    versions(app: string, options?: { env?: string }): Promise<AppVersions>;
    config(app: string, options?: { env?: string }): Promise<{ app: string; env: string; settings: Record<string, string>; secrets: string[] }>;
  };
  metrics: ServerMetrics;
  logger: Logger;
  /** Largest request body, in bytes (server.bodyLimit). */
  bodyLimit: number;
  /** Slipway's version, in the OpenAPI document. */
  version: string;
  /** How often an idle event stream sends a comment, so proxies keep it open; default 15 s. */
  heartbeatMs?: number;
  /** Access control in front of every /v1 route (bearer tokens, scopes, rate limits). */
  access?: MiddlewareHandler;
  /** The web page's sign-in sessions (`/v1/session`); absent, signing in is refused. */
  sessions?: SessionDeps;
  /** The built web page (index.html and assets/); default `<package root>/dist/web`. */
  webDir?: string;
  /** Checks the signature of `POST /v1/hooks/create`; absent, the signed intake is off (404). */
  signedIntake?: MiddlewareHandler;
  /** The webhook subscriptions of `/v1/webhooks`; absent, those routes answer 404. */
  webhooks?: WebhookStore;
  /** The state database's memory of signatures already accepted; Slack's requests are checked against it. */
  replays?: ReplayGuard;
  /** `chat.slack`: the slash command and Events API endpoints (404 when absent). */
  slack?: SlackChat;
  /** `chat.telegram`: the Telegram webhook (404 when absent). */
  telegram?: TelegramChat;
  /** `chat.discord`: the Discord interactions endpoint (404 when absent). */
  discord?: DiscordChat;
  /** `POST /v1/gc`: cleans Slipway's registry (404 when absent). */
  gc?: (options: GcOptions) => Promise<GcReport>;
  /** `/v1/externals`: services outside the cluster (404 when absent). */
  externals?: Pick<Externals, 'add' | 'list' | 'remove'>;
}

export type ServerApp = OpenAPIHono;

/** Where `npm run bundle` builds the web page. */
const DEFAULT_WEB_DIR = fileURLToPath(new URL('../../dist/web/', import.meta.url));

/**
 * Slipway's HTTP API: the `/v1` routes declared with zod (validated, and published as OpenAPI 3.1 at
 * `/openapi.json`), health, readiness and metrics. Every error is an RFC 9457 problem.
 *
 * @example
 * const app = createServerApp({ service, metrics, logger, bodyLimit: 1048576, version: '0.1.0' });
 * serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 8420 });
 */
export function createServerApp(deps: ServerDeps): ServerApp {
  const app = new OpenAPIHono({
    defaultHook: (result, c) => {
      if (!result.success) return validationProblem(result.target, result.error, c);
    },
  });
  app.use('*', countRequests(deps.metrics));
  app.use('/v1/*', bodyLimit({
    maxSize: deps.bodyLimit,
    onError: (c) => {
      // Answered before the body is read: the rest of it is still on the way, so the connection is not reused.
      c.header('Connection', 'close');
      return problem(c, 413, { title: 'Content too large', detail: `the request body is larger than ${deps.bodyLimit} bytes`, hint: 'Send a smaller body, or raise server.bodyLimit in slipway.yaml.' });
    },
  }));
  // The signed intake's signature stands in for a token, so it is checked before access control.
  hookRoutes(app, deps);
  // So are the chat platforms' signatures and secret tokens.
  slackRoutes(app, deps);
  telegramRoutes(app, deps);
  discordRoutes(app, deps);
  if (deps.access) app.use('/v1/*', deps.access);

  appRoutes(app, deps);
  promoteRoutes(app, deps);
  rollbackRoutes(app, deps);
  configRoutes(app, deps);
  runRoutes(app, deps);
  eventRoutes(app, deps);
  fileRoutes(app, deps);
  logRoutes(app, deps);
  versionRoutes(app, deps);
  templateRoutes(app, deps);
  generatorRoutes(app, deps);
  doctorRoutes(app, deps);
  webhookRoutes(app, deps);
  gcRoutes(app, deps);
  externalsRoutes(app, deps);
  sessionRoutes(app, deps);
  healthRoutes(app, deps);
  app.openAPIRegistry.registerComponent('securitySchemes', 'bearer', {
    type: 'http', scheme: 'bearer', description: 'an API token from `slipway token create`; none is asked on a loopback server while no token exists',
  });
  app.openAPIRegistry.registerComponent('securitySchemes', 'session', {
    type: 'apiKey', in: 'cookie', name: 'slipway_session',
    description: 'the web page\'s session, from `POST /v1/session`; a request that changes something also sends its csrf value as `X-CSRF-Token`',
  });
  app.doc31('/openapi.json', {
    openapi: '3.1.0',
    info: { title: 'Slipway', version: deps.version, description: 'Turn a request for a webapp into a running app, the GitOps way.' },
  });

  staticRoutes(app, deps.webDir ?? DEFAULT_WEB_DIR);

  app.notFound((c) => {
    // A path the API has, asked with another method: 405 with the methods it takes.
    const allowed = methodsFor(app, c.req.path);
    if (allowed.length > 0) {
      c.header('Allow', allowed.join(', '));
      return problem(c, 405, { title: 'Method not allowed', detail: `${c.req.path} takes ${allowed.join(', ')}, not ${c.req.method}`, hint: 'The routes are listed in /openapi.json.' });
    }
    return problem(c, 404, { title: 'Not found', detail: `no route ${c.req.method} ${c.req.path}`, hint: 'The routes are listed in /openapi.json.' });
  });
  app.onError((error, c) => errorProblem(error, c, deps.logger));
  return app;
}

/** The methods the API's routes take at `path` (middleware, registered for every method, left out). */
function methodsFor(app: OpenAPIHono, path: string): string[] {
  const methods = app.routes
    .filter((route) => route.method !== 'ALL' && patternOf(route.path).test(path))
    .map((route) => route.method);
  return [...new Set(methods)].sort();
}

/** A route's path as a pattern: `:name` is one segment, `:name{…}` its own expression, `*` anything. */
function patternOf(path: string): RegExp {
  const source = path.split('/').map((part) => {
    const param = /^:[^{]+(?:\{(.+)\})?$/.exec(part);
    if (param) return param[1] ?? '[^/]+';
    if (part === '*') return '.*';
    return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }).join('/');
  return new RegExp(`^${source}$`);
}

/** Counts each request by its route's pattern (`/v1/apps/:app`), never the raw path, so labels stay few. */
function countRequests(metrics: ServerMetrics): MiddlewareHandler {
  return async (c, next) => {
    await next();
    const handler = matchedRoutes(c).findLast((route) => route.method !== 'ALL');
    metrics.countRequest(c.req.method, handler?.path ?? 'unmatched', c.res.status);
  };
}
