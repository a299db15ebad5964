/**
 * A stand-in for OpenAI Chat Completions, Anthropic Messages, Gemini generateContent and Ollama's
 * /api/chat on 127.0.0.1: it checks each request the way the real API does (path, auth headers,
 * model, tools), records it, and answers with the next scripted reply — a recorded answer from
 * test/fixtures/llm or a body, sent as JSON or, when the request asks to stream, as the provider's
 * stream (SSE; NDJSON for Ollama); `.sse` fixtures are sent byte for byte.
 */
import { readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

export type LlmWireFormat = 'openai' | 'anthropic' | 'google' | 'ollama';

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
    format === 'openai' ? { error: { message, type, param: null, code: null } }
      : format === 'anthropic' ? { type: 'error', error: { type, message } }
        : format === 'google' ? { error: { code: 400, message, status: type } }
          : { error: message };

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
    const refused = refusal(format, req.method ?? '', req.url ?? '', req.headers, body, apiKey);
    if (refused) {
      if (refused.problems.length > 0) problems.push(...refused.problems);
      return sendJson(refused.status, refused.body ?? error(refused.type ?? 'invalid_request_error', refused.problems.join('; ')));
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
    // Gemini streams on its own path; the others ask in the body.
    const streaming = format === 'google' ? (req.url ?? '').includes(':streamGenerateContent') : body.stream === true;
    if (fixture?.endsWith('.sse') || next.sse !== undefined) {
      if (!streaming) problems.push(`${fixture ?? 'an SSE reply'} is a stream but the request did not ask to stream`);
      return sendRaw(status, next.sse ?? readFileSync(join(LLM_FIXTURES, fixture!), 'utf8'), 'text/event-stream', next);
    }
    const payload = fixture ? readFixture(fixture) : next.body;
    if (status !== 200 || !streaming) return sendRaw(status, JSON.stringify(payload), 'application/json', next);
    const chunkSize = options.chunkSize ?? 64;
    if (format === 'ollama') return sendRaw(200, toOllamaLines(payload as any, { chunkSize }), 'application/x-ndjson', next);
    const events = format === 'openai'
      ? toOpenAiChunks(payload as any, { chunkSize, includeUsage: body.stream_options?.include_usage === true })
      : format === 'anthropic' ? toAnthropicEvents(payload as any, { chunkSize }) : toGeminiEvents(payload as any, { chunkSize });
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

interface Refusal {
  status: number;
  /** What Slipway did wrong (a test expects none); empty for a refusal that is the API's normal answer, such as a bad key. */
  problems: string[];
  type?: string;
  body?: unknown;
}

/** Why the real API would refuse this request (wrong path, key, headers or body), if it would. */
function refusal(format: LlmWireFormat, method: string, url: string, headers: IncomingHttpHeaders, body: any, apiKey: string): Refusal | undefined {
  const path = {
    openai: /^\/v1\/chat\/completions$/,
    anthropic: /^\/v1\/messages$/,
    google: /^\/v1beta\/models\/[^/:]+:(generateContent|streamGenerateContent\?alt=sse)$/,
    ollama: /^\/api\/chat$/,
  }[format];
  if (method !== 'POST' || !path.test(url)) return { status: 404, problems: [`${method} ${url} is not ${path.source}`], type: format === 'google' ? 'NOT_FOUND' : 'not_found_error' };
  switch (format) {
    case 'openai':
      if (headers.authorization !== `Bearer ${apiKey}`) return { status: 401, problems: [], body: readFixture('openai/error-401.json') };
      return bad(openAiProblems(body));
    case 'anthropic':
      if (headers['x-api-key'] !== apiKey) return { status: 401, problems: [], body: readFixture('anthropic/error-401.json') };
      if (headers['anthropic-version'] !== '2023-06-01') return { status: 400, problems: [`anthropic-version is ${String(headers['anthropic-version'])}`] };
      return bad(anthropicProblems(body));
    case 'google':
      // Gemini answers a wrong key with 400 INVALID_ARGUMENT and the reason API_KEY_INVALID.
      if (headers['x-goog-api-key'] !== apiKey) return { status: 400, problems: [], body: GEMINI_BAD_KEY };
      return bad(geminiProblems(body), 'INVALID_ARGUMENT');
    case 'ollama':
      // Ollama itself takes no key; a proxy in front of it wants a bearer token.
      if (apiKey && headers.authorization !== `Bearer ${apiKey}`) return { status: 401, problems: [], body: { error: 'unauthorized' } };
      return bad(ollamaProblems(body));
  }
}

function bad(problems: string[], type = 'invalid_request_error'): Refusal | undefined {
  return problems.length > 0 ? { status: 400, problems, type } : undefined;
}

const GEMINI_BAD_KEY = {
  error: {
    code: 400,
    message: 'API key not valid. Please pass a valid API key.',
    status: 'INVALID_ARGUMENT',
    details: [{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'API_KEY_INVALID', domain: 'googleapis.com' }],
  },
};

/** What Gemini would refuse, or Slipway must always send: contents, one function, and calling it forced (mode ANY). */
function geminiProblems(body: any): string[] {
  const out: string[] = [];
  const contents = Array.isArray(body.contents) ? body.contents : [];
  if (contents.length === 0) out.push('contents is empty');
  for (const c of contents) if (!['user', 'model'].includes(c.role) || !Array.isArray(c.parts) || c.parts.length === 0) out.push('a content has no role or no parts');
  if (body.systemInstruction !== undefined && !Array.isArray(body.systemInstruction.parts)) out.push('systemInstruction has no parts');
  const max = body.generationConfig?.maxOutputTokens;
  if (!Number.isInteger(max) || max <= 0) out.push('generationConfig.maxOutputTokens is missing');
  const functions = (Array.isArray(body.tools) ? body.tools : []).flatMap((t: any) => t.functionDeclarations ?? []);
  if (functions.length === 0) out.push('no functionDeclarations were sent');
  // `parametersJsonSchema` takes plain JSON Schema; `parameters` the older OpenAPI subset.
  for (const f of functions) if (typeof f.name !== 'string' || typeof (f.parametersJsonSchema ?? f.parameters) !== 'object') out.push('a function declaration has no name or parameters');
  const calling = body.toolConfig?.functionCallingConfig;
  if (calling?.mode !== 'ANY' || !functions.some((f: any) => calling.allowedFunctionNames?.includes(f.name))) out.push('functionCallingConfig does not force one of the functions');
  return out;
}

/** What Ollama's /api/chat would refuse, or Slipway must always send (tools; Ollama has no forced choice). */
function ollamaProblems(body: any): string[] {
  const out: string[] = [];
  if (typeof body.model !== 'string' || !body.model) out.push('model is required');
  if (!Array.isArray(body.messages) || body.messages.length === 0) out.push('messages is empty');
  else if (body.messages.some((m: any) => !['system', 'user', 'assistant', 'tool'].includes(m.role) || typeof m.content !== 'string')) out.push('a message has no role or no text content');
  if (typeof body.stream !== 'boolean' && body.stream !== undefined) out.push('stream is not a boolean');
  const tools = Array.isArray(body.tools) ? body.tools : [];
  if (tools.length === 0) out.push('no tools were sent');
  for (const t of tools) if (t.type !== 'function' || typeof t.function?.name !== 'string' || typeof t.function?.parameters !== 'object') out.push('a tool is not a function with parameters');
  if (!Number.isInteger(body.options?.num_predict) || body.options.num_predict <= 0) out.push('options.num_predict is missing');
  return out;
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

/**
 * A `GenerateContentResponse` as Gemini's `streamGenerateContent?alt=sse` stream: text in fragments,
 * each function call whole (Gemini never splits one), finishReason and usageMetadata on the last event.
 */
export function toGeminiEvents(response: any, options: { chunkSize: number }): string {
  const candidate = response.candidates[0];
  const event = (parts: unknown[], last: boolean) => sse({
    candidates: [{ content: { role: 'model', parts }, index: 0, ...(last ? { finishReason: candidate.finishReason } : {}) }],
    ...(last ? { usageMetadata: response.usageMetadata } : {}),
    modelVersion: response.modelVersion,
    responseId: response.responseId,
  });
  const parts: unknown[][] = [];
  for (const part of candidate.content.parts as any[]) {
    if (typeof part.text === 'string') for (const piece of pieces(part.text, options.chunkSize)) parts.push([{ text: piece }]);
    else parts.push([part]);
  }
  if (parts.length === 0) parts.push([]);
  return parts.map((p, i) => event(p, i === parts.length - 1)).join('');
}

/**
 * An /api/chat answer as Ollama's NDJSON stream: the text in fragments (`done: false`), tool calls
 * whole, then a last line with `done: true`, `done_reason` and the token counts.
 */
export function toOllamaLines(answer: any, options: { chunkSize: number }): string {
  const { message, done: _done, done_reason, ...rest } = answer;
  const head = { model: answer.model, created_at: answer.created_at };
  const lines: unknown[] = [];
  for (const piece of pieces(message.content ?? '', options.chunkSize)) lines.push({ ...head, message: { role: 'assistant', content: piece }, done: false });
  if (message.tool_calls) lines.push({ ...head, message: { role: 'assistant', content: '', tool_calls: message.tool_calls }, done: false });
  lines.push({ ...rest, message: { role: 'assistant', content: '' }, done: true, done_reason });
  return lines.map((line) => `${JSON.stringify(line)}\n`).join('');
}

/**
 * An OpenAI answer calling write_files with these files and deletions (the recorded repair answer
 * with its arguments replaced): what a model sends back for a repair or a change.
 * @example server.reply({ body: openAiFilesAnswer({ files: [{ path: 'public/index.html', content: html }] }) });
 */
export function openAiFilesAnswer(answer: { files: Array<{ path: string; content: string }>; delete?: string[] }): any {
  const completion = readFixture('openai/repair.json');
  completion.choices[0].message.tool_calls[0].function.arguments = JSON.stringify({ delete: answer.delete ?? [], files: answer.files });
  return completion;
}
