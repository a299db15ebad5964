import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { SECRET_VALUE_MAX } from '../../domain/index.ts';
import type { ServerDeps } from '../app.ts';
import { AppNameParam, BEARER, IdempotencyHeaders, problemResponses } from '../schemas.ts';
import { runAccepted } from '../views.ts';
import { accepted } from './apps.ts';

const EnvQuery = z.object({ env: z.string().min(1).optional().openapi({ description: 'the environment; default: the default environment', example: 'prod' }) });
const SecretNameParam = z.string().openapi({ param: { name: 'name', in: 'path' }, description: 'the environment variable the app reads it from', example: 'API_KEY' });

const AppConfigSchema = z
  .object({
    app: z.string(),
    env: z.string(),
    settings: z.record(z.string(), z.string()).openapi({ description: 'plain settings, by name', example: { THEME: 'dark' } }),
    secrets: z.array(z.string()).openapi({ description: 'the names of its secrets; their values are never shown', example: ['API_KEY'] }),
  })
  .openapi('AppConfig');

const ConfigPatchSchema = z
  .object({
    env: z.string().min(1).optional().openapi({ description: 'the environment; default: the default environment' }),
    settings: z.record(z.string(), z.string().nullable())
      .openapi({ description: 'settings to set, by name; null unsets one (as in a JSON merge patch)', example: { THEME: 'dark', OLD_FLAG: null } }),
  })
  .strict()
  .openapi('ConfigPatch');

const SecretValueSchema = z
  .object({
    value: z.string().min(1).max(SECRET_VALUE_MAX).openapi({ description: 'the value; stored encrypted and never answered back' }),
    env: z.string().min(1).optional().openapi({ description: 'the environment; default: the default environment' }),
  })
  .strict()
  .openapi('SecretValue');

const getConfig = createRoute({
  method: 'get',
  path: '/v1/apps/{app}/config',
  security: BEARER,
  summary: "An app's settings (with values) and the names of its secrets (never their values), in one environment",
  request: { params: z.object({ app: AppNameParam }), query: EnvQuery },
  responses: { 200: { description: 'its configuration', content: { 'application/json': { schema: AppConfigSchema } } }, ...problemResponses(400, 401, 403, 404, 429, 500) },
});

const patchConfig = createRoute({
  method: 'patch',
  path: '/v1/apps/{app}/config',
  security: BEARER,
  summary: "Set or unset an app's settings: a configure run ships the version it runs with them (the version stays the same)",
  request: {
    params: z.object({ app: AppNameParam }),
    headers: IdempotencyHeaders,
    body: { required: true, content: { 'application/json': { schema: ConfigPatchSchema } } },
  },
  responses: { 202: accepted, ...problemResponses(400, 401, 403, 404, 409, 413, 415, 422, 429, 500) },
});

const putSecret = createRoute({
  method: 'put',
  path: '/v1/apps/{app}/secrets/{name}',
  security: BEARER,
  summary: 'Set one secret of an app: stored encrypted, then a configure run ships the version it runs with it',
  request: {
    params: z.object({ app: AppNameParam, name: SecretNameParam }),
    headers: IdempotencyHeaders,
    body: { required: true, content: { 'application/json': { schema: SecretValueSchema } } },
  },
  responses: { 202: accepted, ...problemResponses(400, 401, 403, 404, 409, 413, 415, 422, 429, 500) },
});

const deleteSecret = createRoute({
  method: 'delete',
  path: '/v1/apps/{app}/secrets/{name}',
  security: BEARER,
  summary: 'Unset one secret of an app; a configure run ships the version it runs without it',
  request: { params: z.object({ app: AppNameParam, name: SecretNameParam }), query: EnvQuery, headers: IdempotencyHeaders },
  responses: { 202: accepted, ...problemResponses(400, 401, 403, 404, 409, 429, 500) },
});

/** `GET/PATCH /v1/apps/{app}/config` and `PUT/DELETE /v1/apps/{app}/secrets/{name}`: each change is one configure run. */
export function configRoutes(app: OpenAPIHono, { service }: ServerDeps): void {
  app.openapi(getConfig, async (c) => {
    const { env } = c.req.valid('query');
    return c.json(await service.config(c.req.valid('param').app, env !== undefined ? { env } : {}), 200);
  });
  app.openapi(patchConfig, async (c) => {
    const key = c.req.valid('header')['idempotency-key'];
    const { env, settings } = c.req.valid('json');
    const set = Object.fromEntries(Object.entries(settings).filter((entry): entry is [string, string] => entry[1] !== null));
    const unset = Object.keys(settings).filter((name) => settings[name] === null);
    const run = await service.start({ kind: 'configure', app: c.req.valid('param').app, set, unset, ...(env !== undefined ? { env } : {}) }, key ? { idempotencyKey: key } : {});
    return c.json(runAccepted(run), 202, { Location: `/v1/runs/${run.id}` });
  });
  app.openapi(putSecret, async (c) => {
    const key = c.req.valid('header')['idempotency-key'];
    const { app: name, name: secret } = c.req.valid('param');
    const { env, value } = c.req.valid('json');
    const run = await service.start({ kind: 'configure', app: name, secrets: { [secret]: value }, ...(env !== undefined ? { env } : {}) }, key ? { idempotencyKey: key } : {});
    return c.json(runAccepted(run), 202, { Location: `/v1/runs/${run.id}` });
  });
  app.openapi(deleteSecret, async (c) => {
    const key = c.req.valid('header')['idempotency-key'];
    const { app: name, name: secret } = c.req.valid('param');
    const { env } = c.req.valid('query');
    const run = await service.start({ kind: 'configure', app: name, unsetSecrets: [secret], ...(env !== undefined ? { env } : {}) }, key ? { idempotencyKey: key } : {});
    return c.json(runAccepted(run), 202, { Location: `/v1/runs/${run.id}` });
  });
}
