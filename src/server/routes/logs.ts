import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { streamSSE } from 'hono/streaming';
import { parseLogSince } from '../../domain/index.ts';
import type { ServerDeps } from '../app.ts';
import { AppNameParam, BEARER, problemResponses } from '../schemas.ts';

const appLogs = createRoute({
  method: 'get',
  path: '/v1/apps/{app}/logs',
  security: BEARER,
  summary: "An app's output as Server-Sent Events, as it writes it",
  description:
    'Each line is `event: log` with `data: {"line": "…"}`: the last `tail` lines first (written since `since`, when given), then with `follow` each new one until the client leaves or the app goes away; without `follow` the stream ends after the last line. ' +
    'A local app (a process or a podman container) is read from its runtime; an app on the cluster from the logs of its current ReplicaSet\'s pods through the Kubernetes API, each line starting `[<pod>] ` ' +
    '(409 when the server has no Kubernetes API access or the app has no pods; 500 naming the RBAC rules when the API refuses).',
  request: {
    params: z.object({ app: AppNameParam }),
    query: z.object({
      tail: z.coerce.number().int().min(0).max(10_000).default(200).openapi({ description: 'how many of the last lines to start with (per pod on the cluster)' }),
      since: z.string().max(64).optional().openapi({ description: 'only lines written since then: a duration back from now (30s, 10m, 2h, 1d) or an RFC 3339 time', example: '10m' }),
      follow: z.enum(['true', 'false']).default('true').openapi({ description: 'keep the stream open for new lines (default), or end it after the last one' }),
      env: z.string().max(63).optional().openapi({ description: 'the environment whose cluster namespace the app runs in (default: the default environment)' }),
    }),
  },
  responses: {
    200: { description: 'the log stream', content: { 'text/event-stream': { schema: z.string() } } },
    ...problemResponses(400, 401, 403, 404, 409, 429, 500),
  },
});

export function logRoutes(app: OpenAPIHono, { service, logger, heartbeatMs = 15_000 }: ServerDeps): void {
  app.openapi(appLogs, async (c) => {
    const { app: name } = c.req.valid('param');
    const query = c.req.valid('query');
    const following = new AbortController();
    // Asked before the stream starts, so an unknown app, a bad `since` or a cluster refusal is a problem, not an empty stream.
    const lines = await service.logs(name, {
      tail: query.tail,
      follow: query.follow === 'true',
      ...(query.since !== undefined ? { since: parseLogSince(query.since, new Date(), 'since') } : {}),
      ...(query.env !== undefined ? { env: query.env } : {}),
      signal: following.signal,
    });
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
