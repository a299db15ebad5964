import type { z as zod } from 'zod';

/** zod's `z`: plain, or as @hono/zod-openapi extends it. */
type Zod = typeof zod;

/**
 * The JSON of Slipway's HTTP API, declared once: the server answers with it and publishes it in its
 * OpenAPI document (schemas.ts builds it with @hono/zod-openapi's `z`, naming each shape there), and
 * the command line's client reads the server's answers with it (src/cli/remote, with plain zod, so a
 * client does not load the server's framework). Field names are what users' scripts rely on.
 * @example const { App } = apiJson(z); App.parse(await response.json());
 */
export function apiJson(z: Zod, named: <T extends zod.ZodType>(schema: T, name: string) => T = (schema) => schema) {
  const RunStatus = z.enum(['queued', 'running', 'succeeded', 'failed', 'cancelled', 'interrupted']);
  const RunKind = z.enum(['create', 'delete', 'change', 'rollback', 'promote', 'configure']);
  const ErrorInfo = named(z.object({
    name: z.string(),
    message: z.string(),
    hint: z.string().optional(),
    details: z.record(z.string(), z.unknown()).optional(),
    stepId: z.string().optional(),
  }), 'ErrorInfo');
  const Step = named(z.object({
    stepId: z.string(),
    title: z.string(),
    status: z.enum(['running', 'succeeded', 'failed', 'cancelled', 'skipped', 'interrupted']),
    startedAt: z.string(),
    endedAt: z.string().optional(),
    durationMs: z.number().optional(),
    attempt: z.number().int(),
    error: ErrorInfo.optional(),
    reused: z.boolean().optional(),
  }), 'Step');
  const Commits = z.object({ source: z.string().optional(), gitops: z.string().optional() });
  const runAccepted = { runId: z.string(), app: z.string(), kind: RunKind, status: RunStatus };
  /** What `POST /v1/apps`, `DELETE /v1/apps/{app}` and `POST /v1/runs/{id}/resume` answer (202). */
  const RunAccepted = named(z.object(runAccepted), 'RunAccepted');
  const runSummary = {
    ...runAccepted,
    createdAt: z.string(),
    updatedAt: z.string(),
    endedAt: z.string().optional(),
    error: ErrorInfo.optional(),
    timeline: z.array(Step),
    events: z.number().int().meta({ description: 'how many events the run has stored: the id of the last one' }),
  };
  /** A run as lists and cancel show it: its state and timeline (the run itself adds url, commits and what to do next). */
  const RunSummary = named(z.object(runSummary), 'RunSummary');
  /** What a change did to the app's files (SLIPWAY.md, rewritten with every version, left out). */
  const Diff = named(z.object({
    files: z.array(z.object({
      path: z.string(),
      change: z.enum(['added', 'changed', 'removed']),
      linesAdded: z.number().int().optional().meta({ description: 'absent for a binary file' }),
      linesRemoved: z.number().int().optional(),
    })),
    added: z.number().int(),
    changed: z.number().int(),
    removed: z.number().int(),
    linesAdded: z.number().int(),
    linesRemoved: z.number().int(),
  }), 'Diff');
  /** What a plan says an app needs (src/domain/app-spec.ts AppNeeds); secret values are never here. */
  const Needs = named(z.object({
    settings: z.array(z.object({ name: z.string(), description: z.string(), default: z.string().optional() })).optional(),
    secrets: z.array(z.object({ name: z.string(), description: z.string() })).optional(),
    database: z.literal('postgres').optional(),
    externals: z.array(z.string()).optional(),
  }), 'Needs');
  /** A run with what it made: `GET /v1/runs/{id}`. */
  const Run = named(z.object({
    ...runSummary,
    url: z.string().optional(),
    template: z.string().optional(),
    version: z.string().optional().meta({ description: 'the version the run ships, once numbered', example: 'v1.1.0' }),
    diff: Diff.optional().meta({ description: 'a change: the files it added, changed and removed, and the lines' }),
    commits: Commits,
    outputs: z.record(z.string(), z.unknown()).meta({ description: 'what each finished step produced, by step id (the plan, commits, image digest …)' }),
    next: z.string().optional(),
    needs: Needs.optional().meta({ description: 'what the plan says the app needs besides its code' }),
    nextSteps: z.array(z.string()).optional()
      .meta({ description: 'after a create: one command per secret the app needs that is not set yet (it runs on its defaults meanwhile)', example: ['slipway secret set weather API_KEY'] }),
    notifications: z.array(z.object({ target: z.string(), ok: z.boolean(), attempts: z.number().int(), error: z.string().optional() })).optional()
      .meta({ description: 'the notifications sent about its outcome' }),
    rollback: z.object({ to: z.string().optional(), auto: z.object({ failedRunId: z.string(), reason: z.string().optional() }).optional() }).optional()
      .meta({ description: 'a rollback: the version it went back to, and the failed run when Slipway started it on its own' }),
    rolledBackBy: z.string().optional().meta({ description: 'the automatic rollback run that followed this run\'s failure' }),
  }), 'Run');
  const RunList = named(z.object({ runs: z.array(RunSummary), nextCursor: z.string().optional() }), 'RunList');
  const app = {
    app: z.string(),
    state: z.enum(['deploying', 'running', 'stopped', 'failed', 'interrupted']),
    url: z.string().nullable(),
    description: z.string(),
    template: z.string(),
    generator: z.string().optional().meta({ description: "what made it: templates, or model and the planner's model", example: 'templates' }),
    target: z.enum(['local', 'cluster']),
    commits: Commits,
    version: z.string().optional().meta({ description: 'the version it runs (see /v1/apps/{app}/versions)', example: 'v1.1.0' }),
    env: z.string().optional().meta({ description: 'the environment it runs in', example: 'prod' }),
    access: z.enum(['public', 'private']).optional().meta({ description: 'who may open it: everyone, or only the people the access provider lets in (absent: public)' }),
    needs: Needs.optional().meta({ description: 'what its plan says it needs besides its code: settings, secrets, a database, services outside the cluster' }),
    lastRunId: z.string(),
    createdAt: z.string(),
    updatedAt: z.string(),
    runtimeState: z.enum(['running', 'stopped']).optional(),
    next: z.string().optional(),
  };
  /** An app: each of `GET /v1/apps`; `GET /v1/apps/{app}` adds its recent commits. */
  const App = named(z.object(app), 'App');
  const Commit = z.object({ sha: z.string(), subject: z.string(), author: z.string(), date: z.string(), trailers: z.record(z.string(), z.string()) });
  const AppDetail = named(z.object({ ...app, recentCommits: z.object({ source: z.array(Commit), gitops: z.array(Commit) }) }), 'AppDetail');
  const AppList = named(z.object({ apps: z.array(App) }), 'AppList');
  /** One version of an app: every successful deploy, change, rollback or promote is one. */
  const AppVersion = named(z.object({
    version: z.string().meta({ example: 'v1.1.0' }),
    image: z.string().meta({ description: "the pinned image, <repo>/<app>:<tag>@<digest> ('' when an older Slipway did not record it)" }),
    digest: z.string(),
    sourceCommit: z.string(),
    gitopsCommit: z.string(),
    runId: z.string(),
    action: z.enum(['create', 'change', 'rollback', 'promote']),
    request: z.string().meta({ description: 'what was asked for' }),
    at: z.string().meta({ description: 'when its manifests were committed' }),
    env: z.string(),
    generator: z.string().optional(),
  }), 'AppVersion');
  /** `GET /v1/apps/{app}/versions`: newest first, and the version the environment runs. */
  const AppVersionList = named(z.object({
    app: z.string(),
    current: z.string().nullable().meta({ description: 'the version the environment asked for (else the default one) runs; null when none' }),
    versions: z.array(AppVersion),
  }), 'AppVersionList');
  /** A webhook subscription as the API shows it: never its secret. */
  const Webhook = named(z.object({
    id: z.string().meta({ example: 'whk_3f9c0a1b2d4e5f60718293a4b5' }),
    url: z.string(),
    events: z.array(z.enum(['run.succeeded', 'run.failed', 'run.cancelled'])),
    name: z.string().optional().meta({ description: 'shown on runs as webhook:<name>' }),
    createdAt: z.string(),
  }), 'Webhook');
  const WebhookList = named(z.object({ webhooks: z.array(Webhook) }), 'WebhookList');
  /** One image in what `POST /v1/gc` answers: `kept` says why it stays, and is absent when it is deleted. */
  const GcImage = z.object({ repository: z.string(), app: z.string(), digest: z.string(), tags: z.array(z.string()), kept: z.string().optional() });
  /** What `POST /v1/gc` answers (src/app/registry-gc.ts GcReport); `next` is how to run the registry's garbage collection. */
  const GcReport = named(z.object({
    registry: z.string(), prefix: z.string(), keep: z.number().int(), dryRun: z.boolean(),
    deleted: z.array(GcImage), kept: z.array(GcImage), bytes: z.number().int(), next: z.string(),
  }), 'GcReport');
  return { RunStatus, RunKind, RunAccepted, RunSummary, Run, RunList, App, AppDetail, AppList, AppVersion, AppVersionList, Webhook, WebhookList, GcReport };
}
