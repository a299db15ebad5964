import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { streamSSE } from 'hono/streaming';
import { ENDED_STATUSES, InputError } from '../../domain/index.ts';
import type { ServerDeps } from '../app.ts';
import { BEARER, problemResponses, RunIdParam } from '../schemas.ts';

const EventId = z.string().regex(/^\d{1,15}$/, 'an event id is the seq of the last event received: a whole number');

const runEvents = createRoute({
  method: 'get',
  path: '/v1/runs/{id}/events',
  security: BEARER,
  summary: "A run's events as Server-Sent Events, as they happen",
  description:
    'Each event has `id: <seq>` (1, 2, 3… per run), `event: <type>` (run:queued, run:start, step:start, step:end, log, notify, run:end) and ' +
    '`data: <the event as JSON>`. Stored events come first, then live ones; the stream ends after `run:end`. A client that reconnects with ' +
    '`Last-Event-ID` (or `?after=<seq>`) gets only what it missed. An idle stream carries a comment line every 15 s.',
  request: {
    params: z.object({ id: RunIdParam }),
    query: z.object({ after: EventId.optional().openapi({ description: 'only events after this seq (as Last-Event-ID)' }) }),
    headers: z.object({ 'last-event-id': EventId.optional().openapi({ description: 'the seq of the last event received' }) }),
  },
  responses: {
    200: { description: 'the event stream', content: { 'text/event-stream': { schema: z.string() } } },
    ...problemResponses(400, 401, 403, 404, 429, 500),
  },
});

export function eventRoutes(app: OpenAPIHono, { service, logger, heartbeatMs = 15_000 }: ServerDeps): void {
  app.openapi(runEvents, async (c) => {
    const { id } = c.req.valid('param');
    const resumeFrom = c.req.valid('header')['last-event-id'] ?? c.req.valid('query').after;
    // Asked before the stream starts, so an unknown run is a 404 problem, not an empty stream.
    const run = await service.report(id);
    const after = resumeFrom === undefined ? 0 : Number(resumeFrom);
    if (after > run.events) {
      throw new InputError(`event ${after} is past the last event of run ${id} (${run.events})`, { hint: 'Reconnect with the id of the last event received, or without Last-Event-ID to get them all.' });
    }
    // A run that has ended has all its events stored: the stream ends with the last of them, also
    // when the client saw its run:end already (notifications come after it).
    const last = ENDED_STATUSES.includes(run.status) ? run.events : undefined;
    return streamSSE(c, async (stream) => {
      if (last !== undefined && last > 0 && after >= last) return;
      // The client going away stops the watch, so no listener outlives its connection.
      const watching = new AbortController();
      stream.onAbort(() => watching.abort());
      const heartbeat = setInterval(() => void stream.write(': heartbeat\n\n').catch(() => watching.abort()), heartbeatMs);
      try {
        for await (const stored of service.watch(id, { after, signal: watching.signal })) {
          await stream.writeSSE({ id: String(stored.seq), event: stored.event.type, data: JSON.stringify(stored.event) });
          if (last !== undefined && stored.seq >= last) break;
        }
      } finally {
        clearInterval(heartbeat);
        watching.abort();
      }
    }, async (error) => {
      // Headers are sent by now: the stream just ends, and the client reconnects with Last-Event-ID.
      if (!c.req.raw.signal.aborted) logger.warn({ err: error, runId: id }, 'an event stream failed');
    });
  });
}

