import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { streamSSE } from 'hono/streaming';
import type { ServerDeps } from '../app.ts';
import { AppNameParam, BEARER, problemResponses } from '../schemas.ts';

const appLogs = createRoute({
  method: 'get',
  path: '/v1/apps/{app}/logs',
  security: BEARER,
  summary: "A local app's output as Server-Sent Events, as it writes it",
  description:
    'Each line is `event: log` with `data: {"line": "…"}`: the last `tail` lines first, then each new one until the client leaves. ' +
    'Apps this machine runs only (a process or a podman container); an app on a cluster is a 409: read its logs with kubectl.',
  request: {
    params: z.object({ app: AppNameParam }),
    query: z.object({ tail: z.coerce.number().int().min(0).max(10_000).default(200).openapi({ description: 'how many of the last lines to start with' }) }),
  },
  responses: {
    200: { description: 'the log stream', content: { 'text/event-stream': { schema: z.string() } } },
    ...problemResponses(400, 401, 403, 404, 409, 429, 500),
  },
});

export function logRoutes(app: OpenAPIHono, { service, logger, heartbeatMs = 15_000 }: ServerDeps): void {
  app.openapi(appLogs, async (c) => {
    const { app: name } = c.req.valid('param');
    const following = new AbortController();
    // Asked before the stream starts, so an unknown or cluster app is a problem, not an empty stream.
    const lines = await service.logs(name, { tail: c.req.valid('query').tail, signal: following.signal });
    return streamSSE(c, async (stream) => {
      stream.onAbort(() => following.abort());
      const heartbeat = setInterval(() => void stream.write(': heartbeat\n\n').catch(() => following.abort()), heartbeatMs);
      try {
        for await (const line of lines) await stream.writeSSE({ event: 'log', data: JSON.stringify({ line }) });
      } finally {
        clearInterval(heartbeat);
        following.abort();
      }
    }, async (error) => {
      if (!c.req.raw.signal.aborted) logger.warn({ err: error, app: name }, 'a log stream failed');
    });
  });
}
