import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import type { ServerDeps } from '../app.ts';
import { BEARER, problemResponses } from '../schemas.ts';

const GeneratorSchema = z
  .object({
    kind: z.enum(['templates', 'model']).openapi({ description: 'a model writes the app, or the offline templates do' }),
    description: z.string().openapi({ example: 'generating with ollama (planner qwen2.5-coder:14b, coder qwen2.5-coder:14b)' }),
  })
  .openapi('Generator');

const getGenerator = createRoute({
  method: 'get',
  path: '/v1/generator',
  security: BEARER,
  summary: 'What a create without a template generates with',
  responses: { 200: { description: 'the generator', content: { 'application/json': { schema: GeneratorSchema } } }, ...problemResponses(401, 403, 429, 500) },
});

export function generatorRoutes(app: OpenAPIHono, { service }: ServerDeps): void {
  app.openapi(getGenerator, async (c) => c.json(await service.generator(), 200));
}
