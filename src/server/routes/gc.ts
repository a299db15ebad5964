import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { NotFoundError } from '../../domain/errors.ts';
import type { ServerDeps } from '../app.ts';
import { BEARER, GcReportSchema, problemResponses } from '../schemas.ts';

const GcRequestSchema = z
  .object({
    keep: z.number().int().min(1).max(1000).optional().openapi({ description: 'versions kept per app and environment besides the pinned ones (default 5)', example: 5 }),
    dryRun: z.boolean().optional().openapi({ description: 'report what would be deleted, and delete nothing' }),
  })
  .strict()
  .openapi('GcRequest');

const gc = createRoute({
  method: 'post',
  path: '/v1/gc',
  security: BEARER,
  summary: 'Delete the registry\'s images of deleted apps, and versions beyond the newest `keep` that no environment pins (scope admin)',
  request: { body: { required: false, content: { 'application/json': { schema: GcRequestSchema } } } },
  responses: {
    200: { description: 'what was deleted (or with dryRun would be) and kept', content: { 'application/json': { schema: GcReportSchema } } },
    ...problemResponses(400, 401, 403, 404, 409, 413, 415, 422, 429, 500),
  },
});

/** `POST /v1/gc`: registry clean-up, for admins (see scopeForMethod); 404 where the server has no registry clean-up. */
export function gcRoutes(app: OpenAPIHono, deps: ServerDeps): void {
  app.openapi(gc, async (c) => {
    if (!deps.gc) throw new NotFoundError('this server does not clean a registry', { hint: 'Run `slipway gc` on the machine that holds Slipway\'s state.' });
    const body = c.req.valid('json') ?? {};
    return c.json(await deps.gc({ ...(body.keep !== undefined ? { keep: body.keep } : {}), ...(body.dryRun !== undefined ? { dryRun: body.dryRun } : {}), signal: c.req.raw.signal }), 200);
  });
}
