/** One Server-Sent Event: its `event:` name (`message` when absent) and its joined `data:` lines. */
export interface SseEvent {
  event: string;
  data: string;
}

/**
 * Reads a `text/event-stream` body event by event (the WHATWG rules that matter here: `event:` and
 * `data:` fields, comment lines starting with `:`, a blank line ends an event, CRLF or LF).
 * @example
 * for await (const { event, data } of readSse(response.body!)) if (data !== '[DONE]') handle(event, JSON.parse(data));
 */
export async function* readSse(body: ReadableStream<Uint8Array>): AsyncGenerator<SseEvent> {
  const decoder = new TextDecoder();
  let buffer = '';
  let event = '';
  let data: string[] = [];
  const line = function* (text: string): Generator<SseEvent> {
    if (text === '') {
      if (data.length > 0) yield { event: event || 'message', data: data.join('\n') };
      event = '';
      data = [];
      return;
    }
    if (text.startsWith(':')) return;
    const colon = text.indexOf(':');
    const field = colon === -1 ? text : text.slice(0, colon);
    let value = colon === -1 ? '' : text.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'event') event = value;
    else if (field === 'data') data.push(value);
  };
  for await (const chunk of body) {
    buffer += decoder.decode(chunk, { stream: true });
    let newline: number;
    while ((newline = buffer.indexOf('\n')) !== -1) {
      const text = buffer.slice(0, newline).replace(/\r$/, '');
      buffer = buffer.slice(newline + 1);
      yield* line(text);
    }
  }
  buffer += decoder.decode();
  // A stream that ends without the final blank line still delivers its last event.
  if (buffer !== '') yield* line(buffer.replace(/\r$/, ''));
  yield* line('');
}
