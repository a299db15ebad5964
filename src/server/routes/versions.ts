import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import type { ServerDeps } from '../app.ts';
import { AppNameParam, AppVersionListSchema, BEARER, problemResponses } from '../schemas.ts';

const appVersions = createRoute({
  method: 'get',
  path: '/v1/apps/{app}/versions',
  security: BEARER,
  summary: "An app's versions, newest first, and the one it runs",
  description:
    'Every successful create, change, rollback and promote is a version, read from the GitOps history: its image and digest, the source and GitOps commits, ' +
    'the run and what it was asked. Without `env`, every environment\'s versions, and `current` is the default environment\'s.',
  request: {
    params: z.object({ app: AppNameParam }),
    query: z.object({ env: z.string().optional().openapi({ description: "only this environment's versions", example: 'prod' }) }),
  },
  responses: {
    200: { description: 'the versions', content: { 'application/json': { schema: AppVersionListSchema } } },
    ...problemResponses(400, 401, 403, 404, 429, 500),
  },
});

export function versionRoutes(app: OpenAPIHono, { service }: ServerDeps): void {
  app.openapi(appVersions, async (c) => {
    const { env } = c.req.valid('query');
    return c.json(await service.versions(c.req.valid('param').app, env !== undefined ? { env } : {}), 200);
  });
}
