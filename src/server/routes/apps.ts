import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import type { ServerDeps } from '../app.ts';
import { AppDetailSchema, AppListSchema, AppNameParam, ChangeAppSchema, CreateAppSchema, IdempotencyHeaders, BEARER, problemResponses, RunAcceptedSchema } from '../schemas.ts';
import { appDetail, appView, runAccepted } from '../views.ts';

/** The 202 answer of a route that queues a run. */
export const accepted = {
  description: 'the run is queued; follow it at Location',
  headers: { Location: { schema: { type: 'string' as const }, description: '/v1/runs/{runId}' } },
  content: { 'application/json': { schema: RunAcceptedSchema } },
};

const createApp = createRoute({
  method: 'post',
  path: '/v1/apps',
  security: BEARER,
  summary: 'Create an app from a description and/or a template',
  request: {
    headers: IdempotencyHeaders,
    body: { required: true, content: { 'application/json': { schema: CreateAppSchema } } },
  },
  responses: { 202: accepted, ...problemResponses(400, 401, 403, 409, 413, 415, 422, 429, 500) },
});

const listApps = createRoute({
  method: 'get',
  path: '/v1/apps',
  security: BEARER,
  summary: 'List apps with their state, URL and last commits',
  responses: { 200: { description: 'the apps', content: { 'application/json': { schema: AppListSchema } } }, ...problemResponses(401, 403, 429, 500) },
});

const getApp = createRoute({
  method: 'get',
  path: '/v1/apps/{app}',
  security: BEARER,
  summary: "An app's state, URL and recent commits",
  request: { params: z.object({ app: AppNameParam }) },
  responses: { 200: { description: 'the app', content: { 'application/json': { schema: AppDetailSchema } } }, ...problemResponses(400, 401, 403, 404, 429, 500) },
});

const deleteApp = createRoute({
  method: 'delete',
  path: '/v1/apps/{app}',
  security: BEARER,
  summary: 'Stop an app and remove it from both repos',
  request: {
    params: z.object({ app: AppNameParam }),
    query: z.object({
      data: z.enum(['keep', 'delete'], { error: 'data must be keep or delete' }).optional().openapi({
        description: "what to do with the app's database on this machine: required when it has one (400 otherwise); on the cluster it is always kept",
      }),
    }),
  },
  responses: { 202: accepted, ...problemResponses(400, 401, 403, 404, 409, 429, 500) },
});

const changeApp = createRoute({
  method: 'post',
  path: '/v1/apps/{app}/changes',
  security: BEARER,
  summary: 'Ship a new version of an app made from a request (verified, committed, built and deployed like a create)',
  request: {
    headers: IdempotencyHeaders,
    params: z.object({ app: AppNameParam }),
    body: { required: true, content: { 'application/json': { schema: ChangeAppSchema } } },
  },
  responses: { 202: accepted, ...problemResponses(400, 401, 403, 404, 409, 413, 415, 422, 429, 500) },
});

export function appRoutes(app: OpenAPIHono, { service }: ServerDeps): void {
  app.openapi(createApp, async (c) => {
    const key = c.req.valid('header')['idempotency-key'];
    const run = await service.start({ kind: 'create', ...c.req.valid('json') }, key ? { idempotencyKey: key } : {});
    return c.json(runAccepted(run), 202, { Location: `/v1/runs/${run.id}` });
  });
  app.openapi(listApps, async (c) => c.json({ apps: (await service.list()).map(appView) }, 200));
  app.openapi(getApp, async (c) => c.json(appDetail(await service.status(c.req.valid('param').app)), 200));
  app.openapi(changeApp, async (c) => {
    const key = c.req.valid('header')['idempotency-key'];
    const { request, bump, env, access, uses } = c.req.valid('json');
    const change = {
      kind: 'change' as const, app: c.req.valid('param').app, ...(request !== undefined ? { request } : {}), ...(bump ? { bump } : {}), ...(env ? { env } : {}), ...(access ? { access } : {}),
      ...(uses ? { uses } : {}),
    };
    const run = await service.start(change, key ? { idempotencyKey: key } : {});
    return c.json(runAccepted(run), 202, { Location: `/v1/runs/${run.id}` });
  });
  app.openapi(deleteApp, async (c) => {
    const { data } = c.req.valid('query');
    const run = await service.start({ kind: 'delete', app: c.req.valid('param').app, ...(data ? { data } : {}) });
    return c.json(runAccepted(run), 202, { Location: `/v1/runs/${run.id}` });
  });
}
