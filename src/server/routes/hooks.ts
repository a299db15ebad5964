import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import type { ServerDeps } from '../app.ts';
import { problem } from '../problem.ts';
import { CreateAppSchema, IdempotencyHeaders, problemResponses, RunAcceptedSchema } from '../schemas.ts';
import { runAccepted } from '../views.ts';

const signedCreate = createRoute({
  method: 'post',
  path: '/v1/hooks/create',
  // The signature stands in for a token.
  security: [],
  summary: 'Create an app from a signed request (no token: the body is signed with server.hookSecret)',
  description:
    'Headers `X-Slipway-Timestamp: <unix seconds>` and `X-Slipway-Signature: sha256=<hex HMAC-SHA256(secret, "<timestamp>.<raw body>")>`; ' +
    'the timestamp must be within 5 minutes and a signature is accepted once. The body is as for POST /v1/apps. ' +
    'Answers 404 when server.hookSecret is not set.',
  request: {
    headers: IdempotencyHeaders,
    body: { required: true, content: { 'application/json': { schema: CreateAppSchema } } },
  },
  responses: {
    202: {
      description: 'the run is queued; follow it at Location',
      headers: { Location: { schema: { type: 'string' as const }, description: '/v1/runs/{runId}' } },
      content: { 'application/json': { schema: RunAcceptedSchema } },
    },
    ...problemResponses(400, 403, 404, 409, 413, 415, 422, 429, 500),
  },
});

/**
 * The signed intake, for senders that sign instead of holding a token (n8n, a Git forge's webhook).
 * `deps.signedIntake` checks the signature in front of it; without a secret configured it is off.
 */
export function hookRoutes(app: OpenAPIHono, deps: ServerDeps): void {
  if (deps.signedIntake) app.use(signedCreate.path, deps.signedIntake);
  else {
    app.use(signedCreate.path, async (c) => problem(c, 404, { title: 'Not found', detail: 'the signed intake is off on this server', hint: 'Set server.hookSecret in slipway.yaml to turn it on.' }));
  }
  app.openapi(signedCreate, async (c) => {
    const key = c.req.valid('header')['idempotency-key'];
    const run = await deps.service.start({ kind: 'create', ...c.req.valid('json') }, key ? { idempotencyKey: key } : {});
    return c.json(runAccepted(run), 202, { Location: `/v1/runs/${run.id}` });
  });
}
