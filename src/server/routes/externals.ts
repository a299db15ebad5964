import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import type { Externals } from '../../app/externals.ts';
import { NotFoundError } from '../../domain/errors.ts';
import type { ServerDeps } from '../app.ts';
import { BEARER, problemResponses } from '../schemas.ts';

const ExternalSchema = z
  .object({
    name: z.string().openapi({ description: 'the name apps call it by (a DNS label)', example: 'nas' }),
    address: z.string().openapi({ description: 'an IPv4 or IPv6 address (Service + EndpointSlice), or a host name (ExternalName Service)', example: '192.168.1.20' }),
    port: z.number().int().openapi({ example: 445 }),
    protocol: z.enum(['TCP', 'UDP']).openapi({ example: 'TCP' }),
  })
  .openapi('External');

const AddExternalSchema = z
  .object({
    name: z.string().max(63).openapi({ example: 'nas' }),
    address: z.string().max(253).openapi({ example: '192.168.1.20' }),
    port: z.number().int().openapi({ example: 445 }),
    protocol: z.enum(['TCP', 'UDP'], { error: 'protocol must be TCP or UDP' }).optional().openapi({ description: 'default TCP' }),
    env: z.string().max(63).optional().openapi({ description: 'the environment it is for (default `defaultEnv`)' }),
  })
  .strict()
  .openapi('AddExternal');

const ExternalChangeSchema = z
  .object({
    external: ExternalSchema,
    env: z.string(),
    kind: z.enum(['ip', 'hostname']).openapi({ description: 'ip: a Service without selector and an EndpointSlice; hostname: an ExternalName Service, which no NetworkPolicy can pin' }),
    file: z.string().openapi({ description: 'its file in the GitOps repo', example: 'kubernetes/apps/dynamic/externals/nas.yaml' }),
    commit: z.string().openapi({ description: 'the GitOps commit that added or removed it' }),
  })
  .openapi('ExternalChange');

const EnvQuery = z.object({ env: z.string().max(63).optional().openapi({ description: 'the environment (default `defaultEnv`)' }) });
const NameParam = z.object({ name: z.string().max(63).openapi({ param: { name: 'name', in: 'path' }, example: 'nas' }) });

const listExternals = createRoute({
  method: 'get', path: '/v1/externals', security: BEARER,
  summary: 'The services outside the cluster apps may use',
  request: { query: EnvQuery },
  responses: { 200: { description: 'by name', content: { 'application/json': { schema: z.object({ externals: z.array(ExternalSchema) }) } } }, ...problemResponses(400, 401, 403, 404, 429, 500) },
});

const addExternal = createRoute({
  method: 'post', path: '/v1/externals', security: BEARER,
  summary: 'Add a service outside the cluster: one GitOps commit of its Service (and EndpointSlice for an IP address)',
  request: { body: { required: true, content: { 'application/json': { schema: AddExternalSchema } } } },
  responses: { 201: { description: 'added and committed', content: { 'application/json': { schema: ExternalChangeSchema } } }, ...problemResponses(400, 401, 403, 404, 409, 413, 415, 422, 429, 500) },
});

const removeExternal = createRoute({
  method: 'delete', path: '/v1/externals/{name}', security: BEARER,
  summary: 'Remove a service outside the cluster no app uses (409 naming the apps that still do)',
  request: { params: NameParam, query: EnvQuery },
  responses: { 200: { description: 'removed and committed', content: { 'application/json': { schema: ExternalChangeSchema } } }, ...problemResponses(400, 401, 403, 404, 409, 429, 500) },
});

/** `/v1/externals`: what `slipway external` does, for the API. 404 where the server keeps none. */
export function externalsRoutes(app: OpenAPIHono, deps: ServerDeps): void {
  const externals = (): Pick<Externals, 'add' | 'list' | 'remove'> => {
    if (!deps.externals) throw new NotFoundError('this server keeps no services outside the cluster');
    return deps.externals;
  };
  app.openapi(listExternals, async (c) => c.json({ externals: await externals().list(c.req.valid('query').env) }, 200));
  app.openapi(addExternal, async (c) => {
    const body = c.req.valid('json');
    const change = await externals().add(body);
    return c.json(change, 201, { Location: `/v1/externals/${change.external.name}` });
  });
  app.openapi(removeExternal, async (c) => c.json(await externals().remove(c.req.valid('param').name, c.req.valid('query').env), 200));
}
