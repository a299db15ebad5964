import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import type { ServerDeps } from '../app.ts';
import { BEARER, problemResponses } from '../schemas.ts';

const DoctorSchema = z
  .object({
    checks: z.array(z.object({
      name: z.string().openapi({ example: 'git' }),
      status: z.enum(['ok', 'warn', 'fail']).openapi({ description: 'warn: an optional part is missing; fail: Slipway cannot work until it is fixed' }),
      detail: z.string(),
      fix: z.string().optional().openapi({ description: 'what to do about it' }),
    })),
  })
  .openapi('Doctor');

const doctor = createRoute({
  method: 'get',
  path: '/v1/doctor',
  security: BEARER,
  summary: 'The checks `slipway doctor` makes, with how to fix each failure',
  responses: { 200: { description: 'the checks', content: { 'application/json': { schema: DoctorSchema } } }, ...problemResponses(401, 403, 429, 500) },
});

export function doctorRoutes(app: OpenAPIHono, { service }: ServerDeps): void {
  app.openapi(doctor, async (c) => c.json({ checks: await service.doctor() }, 200));
}
