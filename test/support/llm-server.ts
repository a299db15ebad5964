/**
 * A stand-in for OpenAI Chat Completions and Anthropic Messages on 127.0.0.1: it checks each request
 * the way the real API does (path, auth headers, model, forced tool), records it, and answers with
 * the next scripted reply — a recorded answer from test/fixtures/llm, sent as JSON or, when the
 * request asks to stream, as the provider's SSE events; `.sse` fixtures are sent byte for byte.
 */
import { readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

export type LlmWireFormat = 'openai' | 'anthropic';

export const LLM_FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'llm');

export interface ScriptedReply {
  /** A file under test/fixtures/llm, e.g. `openai/plan.json` or `anthropic/files-length.sse`. */
  fixture?: string;
  /** Or the body itself. */
  body?: unknown;
  /** Or a raw `text/event-stream` body. */
  sse?: string;
  /** HTTP status (default 200). */
  status?: number;
  headers?: Record<string, string>;
  /** Close the connection after this many bytes of the body (a dropped stream). */
  dropAfterBytes?: number;
  /** Wait this long before answering (timeouts, cancellation). */
  delayMs?: number;
}

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  /** The parsed JSON body. */
  body: any;
}

export interface LlmServer {
  /** `http://127.0.0.1:PORT`: the base URL to give the client (without /v1). */
  url: string;
  requests: RecordedRequest[];
  /** What was wrong with requests (bad auth is not listed: it is a normal 401). A test expects []. */
  problems: string[];
  /** Queues replies, answered in order, one per request. */
  reply(...replies: ScriptedReply[]): void;
  /** Replies still queued. */
  pending(): number;
  close(): Promise<void>;
}

/**
 * @example
 * const server = await startLlmServer({ format: 'openai', apiKey: 'sk-test-1234' });
 * server.reply({ status: 429, headers: { 'retry-after-ms': '20' }, fixture: 'openai/error-429.json' }, { fixture: 'openai/plan.json' });
 */
export async function startLlmServer(options: { format: LlmWireFormat; apiKey: string; chunkSize?: number }): Promise<LlmServer> {
  const { format, apiKey } = options;
  const queue: ScriptedReply[] = [];
  const requests: RecordedRequest[] = [];
  const problems: string[] = [];
  const error = (type: string, message: string) =>
    format === 'openai' ? { error: { message, type, param: null, code: null } } : { type: 'error', error: { type, message } };

  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const sendJson = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(body));
    };
    let body: any;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      problems.push('the body is not JSON');
      return sendJson(400, error('invalid_request_error', 'could not parse the JSON body of your request'));
    }
    requests.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body });
    const expectedPath = format === 'openai' ? '/v1/chat/completions' : '/v1/messages';
    if (req.method !== 'POST' || req.url !== expectedPath) {
      problems.push(`${req.method} ${req.url} is not ${expectedPath}`);
      return sendJson(404, error('not_found_error', `Unknown request URL: ${req.method} ${req.url}`));
    }
    if (format === 'openai' && req.headers.authorization !== `Bearer ${apiKey}`) {
      return sendJson(401, readFixture('openai/error-401.json'));
    }
    if (format === 'anthropic') {
      if (req.headers['x-api-key'] !== apiKey) return sendJson(401, readFixture('anthropic/error-401.json'));
      if (req.headers['anthropic-version'] !== '2023-06-01') {
        problems.push(`anthropic-version is ${String(req.headers['anthropic-version'])}`);
        return sendJson(400, error('invalid_request_error', 'anthropic-version: header is required'));
      }
    }
    const invalid = format === 'openai' ? openAiProblems(body) : anthropicProblems(body);
    if (invalid.length > 0) {
      problems.push(...invalid);
      return sendJson(400, error('invalid_request_error', invalid.join('; ')));
    }
    const next = queue.shift();
    if (!next) {
      problems.push('a request came with no scripted reply left');
      return sendJson(500, error('api_error', 'no scripted reply left'));
    }
    if (next.delayMs) await new Promise((resolve) => setTimeout(resolve, next.delayMs));
    if (res.destroyed) return;
    const status = next.status ?? 200;
    const fixture = next.fixture;
    if (fixture?.endsWith('.sse') || next.sse !== undefined) {
      if (body.stream !== true) problems.push(`${fixture ?? 'an SSE reply'} is a stream but the request did not ask to stream`);
      return sendRaw(status, next.sse ?? readFileSync(join(LLM_FIXTURES, fixture!), 'utf8'), 'text/event-stream', next);
    }
    const payload = fixture ? readFixture(fixture) : next.body;
    if (status !== 200 || body.stream !== true) return sendRaw(status, JSON.stringify(payload), 'application/json', next);
    const events = format === 'openai'
      ? toOpenAiChunks(payload as any, { chunkSize: options.chunkSize ?? 64, includeUsage: body.stream_options?.include_usage === true })
      : toAnthropicEvents(payload as any, { chunkSize: options.chunkSize ?? 64 });
    return sendRaw(200, events, 'text/event-stream', next);

    function sendRaw(code: number, text: string, type: string, reply: ScriptedReply): void {
      res.writeHead(code, { 'content-type': type, ...(type === 'text/event-stream' ? { 'cache-control': 'no-cache' } : {}), ...reply.headers });
      const bytes = Buffer.from(text);
      if (reply.dropAfterBytes === undefined) {
        res.end(bytes);
        return;
      }
      res.write(bytes.subarray(0, reply.dropAfterBytes), () => res.destroy());
    }
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    problems,
    reply: (...replies) => void queue.push(...replies),
    pending: () => queue.length,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

/** Reads a JSON fixture from test/fixtures/llm. */
export function readFixture(name: string): any {
  return JSON.parse(readFileSync(join(LLM_FIXTURES, name), 'utf8'));
}

/** What OpenAI would refuse (or what Slipway must always send: a forced tool or a JSON schema). */
function openAiProblems(body: any): string[] {
  const out: string[] = [];
  if (typeof body.model !== 'string' || !body.model) out.push('model is missing');
  if (!Array.isArray(body.messages) || body.messages.length === 0) out.push('messages is empty');
  else if (body.messages.some((m: any) => !['system', 'developer', 'user', 'assistant', 'tool'].includes(m.role) || typeof m.content !== 'string')) out.push('a message has no role or no text content');
  const max = body.max_completion_tokens ?? body.max_tokens;
  if (!Number.isInteger(max) || max <= 0) out.push('max_completion_tokens is missing');
  if (body.stream !== undefined && typeof body.stream !== 'boolean') out.push('stream is not a boolean');
  if (body.response_format) {
    if (body.response_format.type !== 'json_schema' || typeof body.response_format.json_schema?.schema !== 'object') out.push('response_format is not a json_schema');
    return out;
  }
  const tools = Array.isArray(body.tools) ? body.tools : [];
  if (tools.length === 0) out.push('no tools were sent');
  for (const t of tools) if (t.type !== 'function' || typeof t.function?.name !== 'string' || typeof t.function?.parameters !== 'object') out.push('a tool is not a function with parameters');
  const forced = body.tool_choice?.type === 'function' ? body.tool_choice.function?.name : undefined;
  if (!forced || !tools.some((t: any) => t.function?.name === forced)) out.push('tool_choice does not force one of the tools');
  return out;
}

function anthropicProblems(body: any): string[] {
  const out: string[] = [];
  if (typeof body.model !== 'string' || !body.model) out.push('model: Field required');
  if (!Number.isInteger(body.max_tokens) || body.max_tokens <= 0) out.push('max_tokens: Field required');
  if (!Array.isArray(body.messages) || body.messages.length === 0) out.push('messages: at least one message is required');
  else if (body.messages[0].role !== 'user') out.push('messages: the first message must use the "user" role');
  if (body.system !== undefined && typeof body.system !== 'string' && !Array.isArray(body.system)) out.push('system: Input should be a valid string');
  const tools = Array.isArray(body.tools) ? body.tools : [];
  if (tools.length === 0) out.push('no tools were sent');
  for (const t of tools) if (typeof t.name !== 'string' || t.input_schema?.type !== 'object') out.push('tools: each tool needs a name and an object input_schema');
  if (body.tool_choice?.type !== 'tool' || !tools.some((t: any) => t.name === body.tool_choice.name)) out.push('tool_choice does not force one of the tools');
  return out;
}

const sse = (data: unknown, event?: string) => `${event ? `event: ${event}\n` : ''}data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`;
const pieces = (text: string, size: number) => text.match(new RegExp(`[\\s\\S]{1,${size}}`, 'g')) ?? [];

/**
 * A `chat.completion` as the `chat.completion.chunk` stream OpenAI sends for it: the role first, the
 * content and each tool call's arguments in fragments, `finish_reason` last, then usage, then [DONE].
 */
export function toOpenAiChunks(completion: any, options: { chunkSize: number; includeUsage: boolean }): string {
  const base = { id: completion.id, object: 'chat.completion.chunk', created: completion.created, model: completion.model, service_tier: completion.service_tier, system_fingerprint: completion.system_fingerprint };
  const usage = options.includeUsage ? { usage: null } : {};
  const chunk = (delta: unknown, finish: string | null = null) => sse({ ...base, choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }], ...usage });
  const message = completion.choices[0].message;
  let out = chunk({ role: 'assistant', content: message.tool_calls ? null : '', refusal: null });
  for (const part of pieces(message.content ?? '', options.chunkSize)) out += chunk({ content: part });
  (message.tool_calls ?? []).forEach((call: any, index: number) => {
    out += chunk({ tool_calls: [{ index, id: call.id, type: 'function', function: { name: call.function.name, arguments: '' } }] });
    for (const part of pieces(call.function.arguments, options.chunkSize)) out += chunk({ tool_calls: [{ index, function: { arguments: part } }] });
  });
  out += chunk({}, completion.choices[0].finish_reason);
  if (options.includeUsage) out += sse({ ...base, choices: [], usage: completion.usage });
  return `${out}${sse('[DONE]')}`;
}

/**
 * A Messages API `message` as the event stream Anthropic sends for it: message_start, each content
 * block (start, deltas, stop), message_delta with stop_reason and usage, message_stop.
 */
export function toAnthropicEvents(message: any, options: { chunkSize: number }): string {
  const { content, stop_reason, stop_sequence, usage, ...head } = message;
  let out = sse({ type: 'message_start', message: { ...head, content: [], stop_reason: null, stop_sequence: null, usage: { ...usage, output_tokens: 1 } } }, 'message_start');
  (content as any[]).forEach((block, index) => {
    if (block.type === 'tool_use') {
      out += sse({ type: 'content_block_start', index, content_block: { type: 'tool_use', id: block.id, name: block.name, input: {} } }, 'content_block_start');
      if (index === 0) out += sse({ type: 'ping' }, 'ping');
      for (const part of ['', ...pieces(JSON.stringify(block.input), options.chunkSize)]) {
        out += sse({ type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: part } }, 'content_block_delta');
      }
    } else {
      out += sse({ type: 'content_block_start', index, content_block: { type: 'text', text: '' } }, 'content_block_start');
      if (index === 0) out += sse({ type: 'ping' }, 'ping');
      for (const part of pieces(block.text, options.chunkSize)) out += sse({ type: 'content_block_delta', index, delta: { type: 'text_delta', text: part } }, 'content_block_delta');
    }
    out += sse({ type: 'content_block_stop', index }, 'content_block_stop');
  });
  out += sse({ type: 'message_delta', delta: { stop_reason, stop_sequence }, usage: { output_tokens: usage.output_tokens } }, 'message_delta');
  return out + sse({ type: 'message_stop' }, 'message_stop');
}
