import { EventSourceParserStream } from 'eventsource-parser/stream';
import { z } from 'zod';
import type { ServerClient } from './server-client.ts';
import { UnexpectedAnswerError } from './server-errors.ts';

export interface LogRequest {
  tail: number;
  follow?: boolean;
  since?: Date;
  env?: string;
  signal?: AbortSignal;
}

const LogData = z.object({ line: z.string() });

/**
 * An app's output from `GET /v1/apps/{app}/logs` (Server-Sent Events, `event: log` with
 * `data: {"line"}`). The stream is opened before this returns, so a refusal (unknown app, a bad
 * `since`, missing cluster permissions) rejects with its error rather than ending an empty stream.
 * It ends when the server ends it (the last line without `follow`, or the app went away), and
 * quietly when `signal` aborts. `appSegment` is the app's name as a path segment (encoded).
 */
export async function openLogLines(client: ServerClient, appSegment: string, request: LogRequest): Promise<AsyncIterable<string>> {
  const query = new URLSearchParams({
    tail: String(request.tail),
    follow: String(request.follow ?? true),
    ...(request.since ? { since: request.since.toISOString() } : {}),
    ...(request.env ? { env: request.env } : {}),
  });
  const response = await client.open(`v1/apps/${appSegment}/logs?${query}`, {}, request.signal);
  return linesOf(client, response, request.signal);
}

async function* linesOf(client: ServerClient, response: Response, signal?: AbortSignal): AsyncGenerator<string> {
  const messages = response.body!.pipeThrough(new TextDecoderStream()).pipeThrough(new EventSourceParserStream());
  try {
    for await (const message of messages) {
      if (message.event !== 'log') continue;
      let data: unknown;
      try {
        data = JSON.parse(message.data);
      } catch {
        throw new UnexpectedAnswerError(client.server, 'a log line', 'not JSON');
      }
      const parsed = LogData.safeParse(data);
      if (!parsed.success) throw new UnexpectedAnswerError(client.server, 'a log line', 'no line');
      yield parsed.data.line;
    }
  } catch (error) {
    if (!signal?.aborted) throw error;
  }
}
