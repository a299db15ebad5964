import { z } from '@hono/zod-openapi';
import { appNameProblem, RUN_ID_PATTERN, WEBHOOK_EVENTS } from '../domain/index.ts';
import { apiJson } from './api-json.ts';

/**
 * The API's requests, parameters and problems, and its answers (declared in api-json.ts) as named
 * in the OpenAPI document: requests are validated against them and the document is generated from them.
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

const shapes = apiJson(z, (schema, name) => schema.openapi(name));
export const RunStatusSchema = shapes.RunStatus;
export const RunAcceptedSchema = shapes.RunAccepted;
export const RunSummarySchema = shapes.RunSummary;
export const RunSchema = shapes.Run;
export const RunListSchema = shapes.RunList;
export const AppDetailSchema = shapes.AppDetail;
export const AppListSchema = shapes.AppList;
export const AppVersionListSchema = shapes.AppVersionList;
export const WebhookSchema = shapes.Webhook;
export const WebhookListSchema = shapes.WebhookList;
export const GcReportSchema = shapes.GcReport;

/** Why the API takes no folder: it would be read on the server's machine, not the caller's. */
export const FROM_REFUSED = 'a folder is read on the machine running the command; use the CLI: slipway create --from <dir>';

/** The services outside the cluster an app calls, by name (see /v1/externals). */
const UsesField = z.array(z.string().max(63)).max(50, 'an app uses at most 50 externals').optional();

/** Who may open an app, as a create or a change asks. */
const AccessField = z.enum(['public', 'private'], { error: 'access must be public or private' }).optional();

export const CreateAppSchema = z
  .object({
    description: z.string().optional().openapi({ example: 'a pomodoro timer with a dark theme' }),
    template: z.string().optional().openapi({ example: 'timer' }),
    name: z.string().optional().openapi({ description: 'derived from the description when absent' }),
    env: z.string().optional().openapi({ description: 'the environment it ships to (`environments:` in slipway.yaml); default `defaultEnv`', example: 'dev' }),
    from: z.string().optional().openapi({ description: 'refused: a folder of code is shipped with the CLI (`slipway create --from <dir>`), which reads it where it runs' }),
    access: AccessField.openapi({ description: 'who may open it: public (everyone) or private (only those `access:` in slipway.yaml lets in); default `access.default`' }),
    database: z.enum(['postgres'], { error: 'database must be postgres' }).optional().openapi({ description: 'give the app a PostgreSQL database (DATABASE_URL), whether or not its plan asks for one' }),
    uses: UsesField.openapi({ description: 'the services outside the cluster it calls (each added with POST /v1/externals); its NetworkPolicy allows them', example: ['nas'] }),
  })
  .strict()
  .refine((body) => body.from === undefined, { message: FROM_REFUSED, path: ['from'] })
  .refine((body) => body.from !== undefined || body.description !== undefined || body.template !== undefined, {
    message: 'give a description, a template, or both, e.g. {"description": "a pomodoro timer with a dark theme"}',
  })
  .openapi('CreateApp');

/** A change to an app: what to change, and how to number the version. */
export const ChangeAppSchema = z
  .object({
    request: z.string().optional().openapi({ example: 'make the timer digits larger and add a reset button' }),
    bump: z.enum(['minor', 'patch', 'major'], { error: 'bump must be minor, patch or major' }).optional().openapi({ description: 'which part of the version goes up (default minor: v1.0.0 → v1.1.0)' }),
    env: z.string().min(1).max(63).optional().openapi({ description: 'the environment whose version is changed (default prod)' }),
    access: AccessField.openapi({ description: 'who may open it from this version on: public or private (default: as it is now)' }),
    uses: UsesField.openapi({ description: 'the services outside the cluster it calls from this version on (replaces the list)', example: ['nas'] }),
    from: z.unknown().optional().openapi({ description: 'refused: a folder of code is read by the command line on its own machine (`slipway change <app> --from <dir>`)' }),
  })
  .strict()
  .refine((body) => body.from === undefined, { message: 'from names a folder on the machine that runs the command, which the server cannot read; run `slipway change <app> --from <dir>` there (without --server)', path: ['from'] })
  .refine((body) => body.request !== undefined, { message: 'say what to change, e.g. {"request": "make it dark with teal accents"}', path: ['request'] })
  .openapi('ChangeApp');

/** A subscription to how runs end. The messages never quote the values: a secret must not reach an answer or a log. */
export const CreateWebhookSchema = z
  .object({
    url: z
      .url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL, e.g. http://127.0.0.1:5678/webhook/slipway' })
      .max(2048, 'must be at most 2048 characters')
      .openapi({ example: 'http://127.0.0.1:5678/webhook/slipway' }),
    events: z
      .array(z.enum(WEBHOOK_EVENTS, { error: `each event must be one of ${WEBHOOK_EVENTS.join(', ')}` }))
      .min(1, `list at least one of ${WEBHOOK_EVENTS.join(', ')}, or leave events out`)
      .optional()
      .openapi({ description: 'default ["run.succeeded", "run.failed"]' }),
    secret: z
      .string()
      .regex(/^[\x20-\x7e]{16,256}$/, 'must be 16 to 256 printable ASCII characters')
      .optional()
      .openapi({ description: 'signs each delivery: X-Slipway-Signature: sha256=<hex HMAC-SHA256(secret, "<timestamp>.<raw body>")>; never shown again' }),
    name: z
      .string()
      .regex(/^[^\p{Cc}]{1,64}$/u, 'must be 1 to 64 characters, without control characters')
      .optional()
      .openapi({ description: 'shown on runs as webhook:<name> (default webhook:<host>)', example: 'n8n' }),
  })
  .strict()
  .openapi('CreateWebhook');

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
