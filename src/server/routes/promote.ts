import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import type { ServerDeps } from '../app.ts';
import { AppNameParam, BEARER, IdempotencyHeaders, problemResponses } from '../schemas.ts';
import { accepted } from './apps.ts';
import { runAccepted } from '../views.ts';

const PromoteSchema = z
  .object({
    from: z.string().min(1).openapi({ description: 'the environment whose running version is copied', example: 'dev' }),
    to: z.string().min(1).openapi({ description: 'the environment it goes to', example: 'prod' }),
  })
  .strict()
  .openapi('Promote');

const promote = createRoute({
  method: 'post',
  path: '/v1/apps/{app}/promote',
  security: BEARER,
  summary: 'Ship the exact image one environment runs to another (same digest, the target\'s tag), as a promote run',
  request: {
    params: z.object({ app: AppNameParam }),
    headers: IdempotencyHeaders,
    body: { required: true, content: { 'application/json': { schema: PromoteSchema } } },
  },
  responses: { 202: accepted, ...problemResponses(400, 401, 403, 404, 409, 413, 415, 422, 429, 500) },
});

/** `POST /v1/apps/{app}/promote`: what `slipway promote` starts. */
export function promoteRoutes(app: OpenAPIHono, { service }: ServerDeps): void {
  app.openapi(promote, async (c) => {
    const key = c.req.valid('header')['idempotency-key'];
    const run = await service.start({ kind: 'promote', app: c.req.valid('param').app, ...c.req.valid('json') }, key ? { idempotencyKey: key } : {});
    return c.json(runAccepted(run), 202, { Location: `/v1/runs/${run.id}` });
  });
}
