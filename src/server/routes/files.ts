import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import type { ServerDeps } from '../app.ts';
import { validationProblem } from '../errors.ts';
import { AppNameParam, BEARER, problemResponses } from '../schemas.ts';

const RepoQuery = z.object({
  repo: z.enum(['source', 'gitops']).default('source').openapi({ description: "the app's source folder, or its manifests in the GitOps repo" }),
});

const FileListSchema = z
  .object({ repo: z.enum(['source', 'gitops']), files: z.array(z.object({ path: z.string().openapi({ example: 'public/index.html' }), size: z.number().int() })) })
  .openapi('FileList');

const FileSchema = z
  .object({
    path: z.string(),
    size: z.number().int(),
    binary: z.boolean(),
    content: z.string().optional().openapi({ description: 'the text (UTF-8); absent when the file is binary or larger than 512 KiB' }),
  })
  .openapi('File');

const listFiles = createRoute({
  method: 'get',
  path: '/v1/apps/{app}/files',
  security: BEARER,
  summary: "An app's files at the head of its source repo or GitOps repo",
  request: { params: z.object({ app: AppNameParam }), query: RepoQuery },
  responses: { 200: { description: 'paths relative to the app\'s folder, sorted', content: { 'application/json': { schema: FileListSchema } } }, ...problemResponses(400, 401, 403, 404, 429, 500) },
});

const FileParams = z.object({
  app: AppNameParam,
  path: z.string().openapi({ param: { name: 'path', in: 'path' }, description: "relative to the app's folder; may hold /", example: 'public/index.html' }),
});

/** Declared for the document; served by a wildcard route below, since `path` may hold slashes. */
const getFile = createRoute({
  method: 'get',
  path: '/v1/apps/{app}/files/{path}',
  security: BEARER,
  summary: 'One of an app\'s files, as text unless it is binary',
  request: { params: FileParams, query: RepoQuery },
  responses: { 200: { description: 'the file', content: { 'application/json': { schema: FileSchema } } }, ...problemResponses(400, 401, 403, 404, 429, 500) },
});

export function fileRoutes(app: OpenAPIHono, { service }: ServerDeps): void {
  app.openapi(listFiles, async (c) => {
    const { app: name } = c.req.valid('param');
    const { repo } = c.req.valid('query');
    return c.json({ repo, files: await service.files(name, repo) }, 200);
  });
  app.openAPIRegistry.registerPath(getFile);
  app.get('/v1/apps/:app/files/:path{.+}', async (c) => {
    const params = FileParams.safeParse({ app: c.req.param('app'), path: c.req.param('path') });
    if (!params.success) return validationProblem('param', params.error, c);
    const query = RepoQuery.safeParse(c.req.query());
    if (!query.success) return validationProblem('query', query.error, c);
    return c.json(await service.file(params.data.app, query.data.repo, params.data.path), 200);
  });
}
