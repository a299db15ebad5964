import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import type { ServerDeps } from '../app.ts';
import { problemResponses } from '../schemas.ts';

const healthz = createRoute({
  method: 'get',
  path: '/healthz',
  summary: 'The server answers',
  responses: { 200: { description: 'alive', content: { 'application/json': { schema: z.object({ status: z.literal('ok') }) } } } },
});

const Checks = z.object({
  status: z.enum(['ready', 'not-ready']),
  checks: z.array(z.object({ name: z.string(), ok: z.boolean(), detail: z.string().optional() })),
}).openapi('Readiness');

const readyz = createRoute({
  method: 'get',
  path: '/readyz',
  summary: 'The store, the repos and the registry are reachable',
  responses: {
    200: { description: 'ready', content: { 'application/json': { schema: Checks } } },
    503: { description: 'a check failed', content: { 'application/json': { schema: Checks } } },
    ...problemResponses(500),
  },
});

const metrics = createRoute({
  method: 'get',
  path: '/metrics',
  summary: 'Prometheus metrics: runs by kind and outcome, step durations, queue depth, HTTP requests, the process',
  responses: { 200: { description: 'Prometheus text format', content: { 'text/plain': { schema: z.string() } } }, ...problemResponses(500) },
});

export function healthRoutes(app: OpenAPIHono, deps: ServerDeps): void {
  app.openapi(healthz, (c) => c.json({ status: 'ok' as const }, 200));
  app.openapi(readyz, async (c) => {
    const checks = await deps.service.ready();
    const ok = checks.every((check) => check.ok);
    return ok ? c.json({ status: 'ready' as const, checks }, 200) : c.json({ status: 'not-ready' as const, checks }, 503);
  });
  app.openapi(metrics, async (c) => c.text(await deps.metrics.text(), 200, { 'Content-Type': deps.metrics.contentType }));
}
