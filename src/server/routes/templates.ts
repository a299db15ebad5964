import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import type { ServerDeps } from '../app.ts';
import { BEARER, problemResponses } from '../schemas.ts';

const TemplateListSchema = z
  .object({ templates: z.array(z.object({ id: z.string().openapi({ example: 'notes-api' }), title: z.string(), description: z.string() })) })
  .openapi('TemplateList');

const listTemplates = createRoute({
  method: 'get',
  path: '/v1/templates',
  security: BEARER,
  summary: 'The templates a create may name, with what each makes',
  responses: { 200: { description: 'the templates, by id', content: { 'application/json': { schema: TemplateListSchema } } }, ...problemResponses(401, 403, 429, 500) },
});

export function templateRoutes(app: OpenAPIHono, { service }: ServerDeps): void {
  app.openapi(listTemplates, async (c) => c.json({ templates: await service.templates() }, 200));
}
