import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { VERSION_PATTERN } from '../../domain/index.ts';
import type { ServerDeps } from '../app.ts';
import { AppNameParam, BEARER, IdempotencyHeaders, problemResponses } from '../schemas.ts';
import { runAccepted } from '../views.ts';
import { accepted } from './apps.ts';

const RollbackSchema = z
  .object({
    to: z.string().regex(VERSION_PATTERN, 'a version such as v1.0.0').optional()
      .openapi({ description: 'the version to go back to; default: the one before the current image', example: 'v1.0.0' }),
    env: z.string().min(1).optional().openapi({ description: 'the environment to roll back; default: the default environment' }),
  })
  .strict()
  .openapi('Rollback');

const rollback = createRoute({
  method: 'post',
  path: '/v1/apps/{app}/rollback',
  security: BEARER,
  summary: 'Ship an earlier version of an app again, as a new version that pins its image (history is never rewritten)',
  request: {
    params: z.object({ app: AppNameParam }),
    headers: IdempotencyHeaders,
    body: { required: false, content: { 'application/json': { schema: RollbackSchema } } },
  },
  responses: { 202: accepted, ...problemResponses(400, 401, 403, 404, 409, 413, 415, 422, 429, 500) },
});

export function rollbackRoutes(app: OpenAPIHono, { service }: ServerDeps): void {
  app.openapi(rollback, async (c) => {
    const key = c.req.valid('header')['idempotency-key'];
    const body = c.req.valid('json') ?? {};
    const run = await service.start({ kind: 'rollback', app: c.req.valid('param').app, ...body }, key ? { idempotencyKey: key } : {});
    return c.json(runAccepted(run), 202, { Location: `/v1/runs/${run.id}` });
  });
}
