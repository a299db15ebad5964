import { z } from '@hono/zod-openapi';
import { appNameProblem, RUN_ID_PATTERN } from '../domain/index.ts';

/**
 * The API's JSON shapes, declared once: requests are validated against them and the OpenAPI
 * document is generated from them. Field names are what users' scripts rely on.
 */

export const ProblemSchema = z
  .object({
    type: z.string().openapi({ example: 'https://slipway.dev/problems/not-found' }),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    hint: z.string().optional(),
    stage: z.string().optional().openapi({ description: 'the step of the run the problem belongs to' }),
    instance: z.string().optional(),
  })
  .openapi('Problem');

/**
 * /v1 routes take an API token (`Authorization: Bearer`) or the web page's session cookie, except on
 * a loopback server while no token exists.
 */
export const BEARER: Array<Record<string, string[]>> = [{ bearer: [] }, { session: [] }];

/** Responses every route may give with a problem body. */
export function problemResponses<S extends number>(...statuses: S[]) {
  const described: Record<number, string> = {
    400: 'bad JSON or bad parameters', 401: 'missing or unknown token', 403: 'insufficient scope', 404: 'not found',
    409: 'conflicts with the current state', 413: 'body too large', 415: 'the body is not JSON', 422: 'the body does not validate', 429: 'too many requests',
    500: 'unexpected error',
  };
  return Object.fromEntries(statuses.map((status) => [status, {
    description: described[status] ?? 'problem',
    ...(status === 429 ? { headers: { 'Retry-After': { schema: { type: 'integer' as const }, description: 'seconds to wait' } } } : {}),
    content: { 'application/problem+json': { schema: ProblemSchema } },
  }])) as Record<S, { description: string; content: { 'application/problem+json': { schema: typeof ProblemSchema } } }>;
}

export const AppNameParam = z
  .string()
  .superRefine((name, ctx) => {
    const problem = appNameProblem(name);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  })
  .openapi({ param: { name: 'app', in: 'path' }, example: 'pomodoro-timer-dark-theme' });

export const RunIdParam = z
  .string()
  // Said as the service says it, so a client prints what the command line prints here.
  .superRefine((id, ctx) => {
    if (!RUN_ID_PATTERN.test(id)) ctx.addIssue({ code: 'custom', message: `'${id}' is not a run id (they look like run-20261122033000-ab12cd)` });
  })
  .openapi({ param: { name: 'id', in: 'path' }, example: 'run-20261122101500-k3x9q2' });

const RunStatus = z.enum(['queued', 'running', 'succeeded', 'failed', 'cancelled', 'interrupted']);
const RunKind = z.enum(['create', 'delete']);

const ErrorInfo = z
  .object({
    name: z.string(),
    message: z.string(),
    hint: z.string().optional(),
    details: z.record(z.string(), z.unknown()).optional(),
    stepId: z.string().optional(),
  })
  .openapi('ErrorInfo');

const Step = z
  .object({
    stepId: z.string(),
    title: z.string(),
    status: z.enum(['running', 'succeeded', 'failed', 'cancelled', 'skipped', 'interrupted']),
    startedAt: z.string(),
    endedAt: z.string().optional(),
    durationMs: z.number().optional(),
    attempt: z.number().int(),
    error: ErrorInfo.optional(),
    reused: z.boolean().optional(),
  })
  .openapi('Step');

const Commits = z.object({ source: z.string().optional(), gitops: z.string().optional() });

export const RunAcceptedSchema = z
  .object({ runId: z.string(), app: z.string(), kind: RunKind, status: RunStatus })
  .openapi('RunAccepted');

/** A run as lists show it: its state and timeline (the run itself adds url, commits and what to do next). */
export const RunSummarySchema = z
  .object({
    runId: z.string(),
    app: z.string(),
    kind: RunKind,
    status: RunStatus,
    createdAt: z.string(),
    updatedAt: z.string(),
    endedAt: z.string().optional(),
    error: ErrorInfo.optional(),
    timeline: z.array(Step),
    events: z.number().int().openapi({ description: 'how many events the run has stored: the id of the last one' }),
  })
  .openapi('RunSummary');

export const RunSchema = RunSummarySchema.extend({
  url: z.string().optional(),
  template: z.string().optional(),
  commits: Commits,
  outputs: z.record(z.string(), z.unknown()).openapi({ description: 'what each finished step produced, by step id (the plan, commits, image digest …)' }),
  next: z.string().optional(),
  notifications: z.array(z.object({ target: z.string(), ok: z.boolean(), attempts: z.number().int(), error: z.string().optional() })).optional()
    .openapi({ description: 'the notifications sent about its outcome' }),
}).openapi('Run');

export const RunListSchema = z.object({ runs: z.array(RunSummarySchema), nextCursor: z.string().optional() }).openapi('RunList');

export const AppSchema = z
  .object({
    app: z.string(),
    state: z.enum(['deploying', 'running', 'stopped', 'failed', 'interrupted']),
    url: z.string().nullable(),
    description: z.string(),
    template: z.string(),
    generator: z.string().optional().openapi({ description: 'what made it: templates, or model and the planner\'s model', example: 'templates' }),
    target: z.enum(['local', 'cluster']),
    commits: Commits,
    lastRunId: z.string(),
    createdAt: z.string(),
    updatedAt: z.string(),
    runtimeState: z.enum(['running', 'stopped']).optional(),
    next: z.string().optional(),
  })
  .openapi('App');

const Commit = z.object({ sha: z.string(), subject: z.string(), author: z.string(), date: z.string(), trailers: z.record(z.string(), z.string()) });

export const AppDetailSchema = AppSchema.extend({
  recentCommits: z.object({ source: z.array(Commit), gitops: z.array(Commit) }),
}).openapi('AppDetail');

export const AppListSchema = z.object({ apps: z.array(AppSchema) }).openapi('AppList');

export const CreateAppSchema = z
  .object({
    description: z.string().optional().openapi({ example: 'a pomodoro timer with a dark theme' }),
    template: z.string().optional().openapi({ example: 'timer' }),
    name: z.string().optional().openapi({ description: 'derived from the description when absent' }),
  })
  .strict()
  .refine((body) => body.description !== undefined || body.template !== undefined, {
    message: 'give a description, a template, or both, e.g. {"description": "a pomodoro timer with a dark theme"}',
  })
  .openapi('CreateApp');

/** Up to 200 printable ASCII characters: the same key returns the first run started with it. */
export const IdempotencyHeaders = z.object({
  'idempotency-key': z
    .string()
    .min(1)
    .max(200)
    .regex(/^[\x20-\x7e]+$/, 'the Idempotency-Key holds printable ASCII characters only')
    .optional()
    .openapi({ description: 'the same key returns the first run started with it' }),
});
