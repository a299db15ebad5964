import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import type { ServerDeps } from '../app.ts';
import { AppNameParam, BEARER, problemResponses, RunAcceptedSchema, RunIdParam, RunListSchema, RunSchema, RunStatusSchema, RunSummarySchema } from '../schemas.ts';
import { runAccepted, runDetail, runSummary } from '../views.ts';

const listRuns = createRoute({
  method: 'get',
  path: '/v1/runs',
  security: BEARER,
  summary: 'Recent runs, newest first, with their timelines',
  request: {
    query: z.object({
      app: AppNameParam.optional().openapi({ param: { name: 'app', in: 'query' } }),
      status: RunStatusSchema.optional(),
      limit: z.coerce.number().int().min(1).max(200).default(20),
      cursor: z.string().min(1).max(200).optional().openapi({ description: 'nextCursor of the previous page' }),
    }),
  },
  responses: { 200: { description: 'a page of runs', content: { 'application/json': { schema: RunListSchema } } }, ...problemResponses(400, 401, 403, 429, 500) },
});

const runParams = z.object({ id: RunIdParam });

const getRun = createRoute({
  method: 'get',
  path: '/v1/runs/{id}',
  security: BEARER,
  summary: 'A run: its status, timeline, error and outputs (URL, commits)',
  request: { params: runParams },
  responses: { 200: { description: 'the run', content: { 'application/json': { schema: RunSchema } } }, ...problemResponses(400, 401, 403, 404, 429, 500) },
});

const resumeRun = createRoute({
  method: 'post',
  path: '/v1/runs/{id}/resume',
  security: BEARER,
  summary: 'Queue an interrupted, failed or cancelled run again, from its last finished step',
  request: { params: runParams },
  responses: {
    202: {
      description: 'the run is queued again (a succeeded run is returned as it is)',
      headers: { Location: { schema: { type: 'string' as const }, description: '/v1/runs/{runId}' } },
      content: { 'application/json': { schema: RunAcceptedSchema } },
    },
    ...problemResponses(400, 401, 403, 404, 409, 429, 500),
  },
});

const cancelRun = createRoute({
  method: 'post',
  path: '/v1/runs/{id}/cancel',
  security: BEARER,
  summary: 'Cancel a queued or running run',
  request: { params: runParams },
  responses: { 200: { description: 'the run', content: { 'application/json': { schema: RunSummarySchema } } }, ...problemResponses(400, 401, 403, 404, 409, 429, 500) },
});

export function runRoutes(app: OpenAPIHono, { service }: ServerDeps): void {
  app.openapi(listRuns, async (c) => {
    const { app: name, status, limit, cursor } = c.req.valid('query');
    const page = await service.runs({ limit, ...(name ? { app: name } : {}), ...(status ? { status } : {}), ...(cursor ? { cursor } : {}) });
    return c.json({ runs: page.runs.map(runSummary), ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}) }, 200);
  });
  app.openapi(getRun, async (c) => c.json(runDetail(await service.report(c.req.valid('param').id)), 200));
  app.openapi(resumeRun, async (c) => {
    const run = await service.resume(c.req.valid('param').id);
    return c.json(runAccepted(run), 202, { Location: `/v1/runs/${run.id}` });
  });
  app.openapi(cancelRun, async (c) => c.json(runSummary(await service.cancel(c.req.valid('param').id)), 200));
}
