import { readSse } from './sse.ts';
import { ModelServiceError, postJson, type TransportOptions } from './transport.ts';
import type { ChatProvider, ChatRequest, ChatResult, ToolCall } from './types.ts';

export interface OpenAiChatOptions {
  /** `openai` (api.openai.com) or `openai-compatible` (Ollama, LM Studio, vLLM …). */
  flavour: 'openai' | 'openai-compatible';
  /** API root without `/v1`, e.g. `https://api.openai.com` or `http://127.0.0.1:11434`. */
  baseUrl: string;
  apiKey?: string | undefined;
  /**
   * `tools` (function calling, forced with tool_choice) or `json_schema` (response_format), for
   * servers whose tool calling is weak but whose structured output works.
   */
  structuredOutput?: 'tools' | 'json_schema';
  transport: TransportOptions;
}

interface ToolCallDelta {
  index?: number;
  id?: string;
  function?: { name?: string; arguments?: string };
}

interface Choice {
  message?: { content?: string | null; refusal?: string | null; tool_calls?: { function?: { name?: string; arguments?: string } }[] };
  delta?: { content?: string | null; refusal?: string | null; tool_calls?: ToolCallDelta[] };
  finish_reason?: string | null;
}

interface Completion {
  model?: string;
  choices?: Choice[] | null;
  usage?: { prompt_tokens?: number; completion_tokens?: number } | null;
}

/**
 * OpenAI Chat Completions (`POST {base}/v1/chat/completions`) and the servers that copy it.
 * The model is made to call one function (`tool_choice`), or to answer in a JSON schema.
 * @example
 * const chat = new OpenAiChat({ flavour: 'openai', baseUrl: 'https://api.openai.com', apiKey, transport });
 * const result = await chat.complete({ model: 'gpt-4.1', system, messages, tool, maxTokens: 8000, stream: true });
 */
export class OpenAiChat implements ChatProvider {
  readonly name: string;
  readonly #options: OpenAiChatOptions;

  constructor(options: OpenAiChatOptions) {
    this.name = options.flavour;
    this.#options = options;
  }

  async complete(request: ChatRequest): Promise<ChatResult> {
    const { apiKey, transport } = this.#options;
    const url = `${this.#options.baseUrl.replace(/\/+$/, '')}/v1/chat/completions`;
    const headers: Record<string, string> = apiKey ? { authorization: `Bearer ${apiKey}` } : {};
    const { value, attempts } = await postJson(transport, { url, headers, body: this.#body(request), signal: request.signal }, (response) =>
      request.stream ? this.#readStream(response) : this.#readJson(response),
    );
    const result = toResult(value, request.tool.name, this.#options.structuredOutput ?? 'tools', transport.service);
    return { ...result, model: result.model || request.model, attempts };
  }

  #body(request: ChatRequest): Record<string, unknown> {
    const openai = this.#options.flavour === 'openai';
    const body: Record<string, unknown> = {
      model: request.model,
      messages: [{ role: 'system', content: request.system }, ...request.messages.map((m) => ({ role: m.role, content: m.content }))],
      // OpenAI's newer models only take max_completion_tokens; most compatible servers only know max_tokens.
      [openai ? 'max_completion_tokens' : 'max_tokens']: request.maxTokens,
      stream: request.stream,
    };
    if (request.temperature !== undefined) body.temperature = request.temperature;
    if (request.stream && openai) body.stream_options = { include_usage: true };
    const { name, description, parameters } = request.tool;
    if (this.#options.structuredOutput === 'json_schema') {
      body.response_format = { type: 'json_schema', json_schema: { name, description, schema: parameters, strict: true } };
    } else {
      body.tools = [{ type: 'function', function: { name, description, parameters, ...(openai ? { strict: true } : {}) } }];
      body.tool_choice = { type: 'function', function: { name } };
    }
    return body;
  }

  async #readJson(response: Response): Promise<Completion> {
    const text = await response.text();
    try {
      return JSON.parse(text) as Completion;
    } catch {
      throw new ModelServiceError(this.#options.transport.service, 'answered with a body that is not JSON', { retryable: true });
    }
  }

  /** Folds `chat.completion.chunk`s into the one completion they spell out. */
  async #readStream(response: Response): Promise<Completion> {
    if (!response.body) throw new ModelServiceError(this.#options.transport.service, 'answered a streaming request without a body', { retryable: true });
    let model = '';
    let content = '';
    let refusal = '';
    let finish: string | null = null;
    let usage: Completion['usage'] = null;
    let done = false;
    const calls: { name: string; arguments: string }[] = [];
    for await (const { data } of readSse(response.body)) {
      if (data === '[DONE]') {
        done = true;
        break;
      }
      const chunk = parseChunk(data, this.#options.transport.service);
      model ||= chunk.model ?? '';
      if (chunk.usage) usage = chunk.usage;
      for (const choice of chunk.choices ?? []) {
        const delta = choice.delta ?? {};
        if (delta.content) content += delta.content;
        if (delta.refusal) refusal += delta.refusal;
        for (const call of delta.tool_calls ?? []) {
          const slot = (calls[call.index ?? 0] ??= { name: '', arguments: '' });
          if (call.function?.name) slot.name += call.function.name;
          if (call.function?.arguments) slot.arguments += call.function.arguments;
        }
        if (choice.finish_reason) finish = choice.finish_reason;
      }
    }
    // Without [DONE] or a finish_reason the connection broke off: the answer is incomplete, ask again.
    if (!done && finish === null) throw new ModelServiceError(this.#options.transport.service, 'the answer stream ended early', { retryable: true });
    const message = {
      content: content || null,
      refusal: refusal || null,
      tool_calls: calls.filter(Boolean).map((c) => ({ function: { name: c.name, arguments: c.arguments } })),
    };
    return { model, choices: [{ message, finish_reason: finish }], usage };
  }
}

function parseChunk(data: string, service: string): Completion & { error?: { message?: string } } {
  let chunk: Completion & { error?: { message?: string } };
  try {
    chunk = JSON.parse(data) as typeof chunk;
  } catch {
    throw new ModelServiceError(service, 'sent a stream event that is not JSON', { retryable: true });
  }
  // Some compatible servers report failures inside the stream instead of with a status.
  if (chunk.error) throw new ModelServiceError(service, `the stream reported an error: ${chunk.error.message ?? 'unknown'}`, { retryable: true });
  return chunk;
}

function toResult(completion: Completion, toolName: string, mode: 'tools' | 'json_schema', service: string): Omit<ChatResult, 'attempts'> {
  const choice = completion.choices?.[0];
  const message = choice?.message ?? {};
  if (message.refusal) throw new ModelServiceError(service, `refused to answer: ${message.refusal.slice(0, 300)}`, { hint: 'Rephrase the request.' });
  const call = (message.tool_calls ?? []).find((c) => c.function?.name === toolName) ?? message.tool_calls?.[0];
  let tool: ToolCall | undefined = call?.function ? { name: call.function.name ?? toolName, raw: call.function.arguments ?? '' } : undefined;
  let text = message.content ?? '';
  // In json_schema mode the content *is* the structured answer.
  if (mode === 'json_schema' && !tool && text) {
    tool = { name: toolName, raw: text };
    text = '';
  }
  const stopReason = choice?.finish_reason ?? 'unknown';
  return {
    model: completion.model ?? '',
    tool,
    text,
    truncated: stopReason === 'length',
    stopReason,
    usage: { inputTokens: completion.usage?.prompt_tokens ?? 0, outputTokens: completion.usage?.completion_tokens ?? 0 },
  };
}
