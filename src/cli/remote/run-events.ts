import { setTimeout as delay } from 'node:timers/promises';
import { backoffDelay } from '../../adapters/http/index.ts';
import { EventSourceParserStream } from 'eventsource-parser/stream';
import { z } from 'zod';
import { ExternalServiceError, SlipwayError } from '../../domain/errors.ts';
import type { RunEvent, StoredRunEvent } from '../../pipeline/index.ts';
import type { ServerClient } from './server-client.ts';
import { UnexpectedAnswerError } from './server-errors.ts';

export interface FollowOptions {
  /** Only events after this `seq` (a reconnecting reader's Last-Event-ID). */
  after?: number;
  /** Ends the stream quietly (Ctrl-C). */
  signal?: AbortSignal;
  /** Connections in a row that may fail before following gives up; default 20 (about half a minute). */
  attempts?: number;
  /** The first wait before reconnecting, doubled up to 2 s; a `retry:` field from the server replaces it. */
  retryMs?: number;
}

const EventData = z.looseObject({ type: z.string() });

/**
 * A run's events from `GET /v1/runs/{id}/events` (Server-Sent Events, parsed by eventsource-parser):
 * what was stored before, then each step as it happens, ending when the server closes the stream
 * after the run's final `run:end`. When the connection drops (the server restarts, a proxy times
 * out), it reconnects with `Last-Event-ID`, so the server replays exactly what was missed; an event
 * seen twice is skipped. Refusals (404, 401…) end it at once with their error; a server that stays
 * unreachable ends it with an error naming it.
 */
export async function* followRunEvents(client: ServerClient, runId: string, options: FollowOptions = {}): AsyncGenerator<StoredRunEvent> {
  const { signal } = options;
  const attempts = options.attempts ?? 20;
  let retryMs = options.retryMs ?? 250;
  let last = options.after ?? 0;
  let ended = false;
  let failures = 0;
  const path = `v1/runs/${encodeURIComponent(runId)}/events`;
  for (;;) {
    let lost: unknown;
    try {
      const response = await client.open(path, last > 0 ? { 'last-event-id': String(last) } : {}, signal);
      const messages = response.body!
        .pipeThrough(new TextDecoderStream())
        .pipeThrough(new EventSourceParserStream({ onRetry: (ms) => (retryMs = ms) }));
      let received = 0;
      for await (const message of messages) {
        const seq = Number(message.id);
        // Comments and keep-alives carry no id; a replayed event the reader already has is skipped.
        if (!message.id || !Number.isSafeInteger(seq) || seq <= last) continue;
        const event = parseEvent(client, message.data);
        last = seq;
        failures = 0;
        ended = event.type === 'run:end';
        received++;
        // The stream carries the event, not when it was stored: `at` is when it arrived here.
        yield { seq, at: new Date().toISOString(), event };
      }
      // The server ends the stream after the run's final run:end (a resumed run has earlier ones it
      // streams past), and at once when there is nothing after `last` to wait for. A stream that
      // ends cleanly after anything else was cut short (a server shutting down): reconnect.
      if (ended || received === 0) return;
      lost = new Error('the stream ended before the run did');
    } catch (error) {
      if (signal?.aborted) return;
      // Lost just after a run:end, the run has most likely ended: a server has nothing to send after it.
      if (ended && worthRetrying(error)) return;
      if (!worthRetrying(error)) throw error;
      lost = error;
    }
    if (signal?.aborted) return;
    if (++failures >= attempts) {
      if (lost instanceof ExternalServiceError) throw lost;
      throw new ExternalServiceError(`Slipway server ${client.server}`, `lost the events of run ${runId} (${(lost as Error).message})`, {
        hint: `The run goes on on the server: follow it with \`slipway runs\`, or see it with GET /v1/runs/${runId}.`,
      });
    }
    await delay(backoffDelay({ attempts, baseDelayMs: retryMs, maxDelayMs: Math.max(retryMs, 2000) }, failures), undefined, { signal }).catch(() => undefined);
    if (signal?.aborted) return;
  }
}

function parseEvent(client: ServerClient, data: string): RunEvent {
  let value: unknown;
  try {
    value = JSON.parse(data);
  } catch {
    throw new UnexpectedAnswerError(client.server, 'an event', 'not JSON');
  }
  const parsed = EventData.safeParse(value);
  if (!parsed.success) throw new UnexpectedAnswerError(client.server, 'an event', 'no type');
  return parsed.data as unknown as RunEvent;
}

/**
 * Only a server that cannot be reached, failed, or dropped the connection is worth another try;
 * a refusal (404, 401…) or an answer this client cannot read is final.
 */
function worthRetrying(error: unknown): boolean {
  if (error instanceof UnexpectedAnswerError) return false;
  if (error instanceof ExternalServiceError) return true;
  if (error instanceof SlipwayError) return false;
  // A body that stops mid-stream: fetch reports it as a TypeError ("terminated") or a socket error.
  return error instanceof TypeError || (error instanceof Error && 'code' in error);
}
