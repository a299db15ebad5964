import { describe, expect, it } from 'vitest';
import { readSse, type SseEvent } from './sse.ts';

function streamOf(...parts: string[]): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream({
    start(controller) {
      for (const part of parts) controller.enqueue(encoder.encode(part));
      controller.close();
    },
  });
}

async function collect(stream: ReadableStream<Uint8Array>): Promise<SseEvent[]> {
  const out: SseEvent[] = [];
  for await (const event of readSse(stream)) out.push(event);
  return out;
}

describe('readSse', () => {
  it('reads events split anywhere across chunks, with CRLF, comments and multi-line data', async () => {
    const events = await collect(streamOf('event: message_start\r\nda', 'ta: {"a":1}\r\n\r\n: keep-alive\n\n', 'data: line one\ndata: line two\n\ndata:[DONE]\n\n'));
    expect(events).toEqual([
      { event: 'message_start', data: '{"a":1}' },
      { event: 'message', data: 'line one\nline two' },
      { event: 'message', data: '[DONE]' },
    ]);
  });

  it('delivers a last event that lacks the closing blank line, and decodes UTF-8 split mid-character', async () => {
    const bytes = new TextEncoder().encode('data: "é"\n\ndata: end');
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(bytes.subarray(0, 8));
        controller.enqueue(bytes.subarray(8));
        controller.close();
      },
    });
    expect(await collect(stream)).toEqual([{ event: 'message', data: '"é"' }, { event: 'message', data: 'end' }]);
  });
});
