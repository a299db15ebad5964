import { readSse } from './sse.ts';
import { ModelServiceError, postJson, type TransportOptions } from './transport.ts';
import type { ChatProvider, ChatRequest, ChatResult, ToolCall } from './types.ts';

/** The API version this client is written against (sent as `anthropic-version`). */
export const ANTHROPIC_VERSION = '2023-06-01';

export interface AnthropicMessagesOptions {
  /** API root without `/v1`, e.g. `https://api.anthropic.com`. */
  baseUrl: string;
  apiKey: string;
  transport: TransportOptions;
}

type Block =
  | { type: 'text'; text?: string }
  | { type: 'tool_use'; id?: string; name?: string; input?: unknown }
  | { type: string; [key: string]: unknown };

interface Message {
  model?: string;
  content?: Block[];
  stop_reason?: string | null;
  usage?: { input_tokens?: number; output_tokens?: number };
}

/** Mid-stream errors of these types are the service having a bad moment, not a bad request. */
const RETRYABLE_STREAM_ERRORS = new Set(['overloaded_error', 'api_error', 'rate_limit_error']);

/**
 * Anthropic Messages (`POST {base}/v1/messages`): the model is made to use one tool
 * (`tool_choice: { type: 'tool', name }`), its input is the structured answer.
 * @example
 * const chat = new AnthropicMessages({ baseUrl: 'https://api.anthropic.com', apiKey, transport });
 * const result = await chat.complete({ model: 'claude-sonnet-4-5', system, messages, tool, maxTokens: 8000, stream: true });
 */
export class AnthropicMessages implements ChatProvider {
  readonly name = 'anthropic';
  readonly #options: AnthropicMessagesOptions;

  constructor(options: AnthropicMessagesOptions) {
    this.#options = options;
  }

  async complete(request: ChatRequest): Promise<ChatResult> {
    const { apiKey, transport } = this.#options;
    const url = `${this.#options.baseUrl.replace(/\/+$/, '')}/v1/messages`;
    const headers = { 'x-api-key': apiKey, 'anthropic-version': ANTHROPIC_VERSION };
    const { name, description, parameters } = request.tool;
    const body: Record<string, unknown> = {
      model: request.model,
      max_tokens: request.maxTokens,
      system: request.system,
      messages: request.messages.map((m) => ({ role: m.role, content: m.content })),
      tools: [{ name, description, input_schema: parameters }],
      tool_choice: { type: 'tool', name },
      stream: request.stream,
    };
    if (request.temperature !== undefined) body.temperature = request.temperature;
    const { value, attempts } = await postJson(transport, { url, headers, body, signal: request.signal }, (response) =>
      request.stream ? this.#readStream(response) : this.#readJson(response),
    );
    return { ...value, model: value.model || request.model, attempts };
  }

  async #readJson(response: Response): Promise<Omit<ChatResult, 'attempts'>> {
    let message: Message;
    try {
      message = JSON.parse(await response.text()) as Message;
    } catch {
      throw new ModelServiceError(this.#options.transport.service, 'answered with a body that is not JSON', { retryable: true });
    }
    let text = '';
    let tool: ToolCall | undefined;
    for (const block of message.content ?? []) {
      if (block.type === 'text' && typeof block.text === 'string') text += block.text;
      if (block.type === 'tool_use' && !tool) tool = { name: String(block.name ?? ''), input: block.input ?? {} };
    }
    return finish(message.model ?? '', text, tool, message.stop_reason ?? 'unknown', message.usage ?? {});
  }

  /** Folds the event stream (message_start … message_stop) into the message it spells out. */
  async #readStream(response: Response): Promise<Omit<ChatResult, 'attempts'>> {
    const service = this.#options.transport.service;
    if (!response.body) throw new ModelServiceError(service, 'answered a streaming request without a body', { retryable: true });
    let model = '';
    let stopReason: string | null = null;
    let stopped = false;
    const usage: { input_tokens?: number; output_tokens?: number } = {};
    const blocks: { type: string; name: string; text: string; json: string }[] = [];
    for await (const { event, data } of readSse(response.body)) {
      if (event === 'ping') continue;
      let payload: Record<string, any>;
      try {
        payload = JSON.parse(data) as Record<string, any>;
      } catch {
        throw new ModelServiceError(service, `sent a ${event} event that is not JSON`, { retryable: true });
      }
      switch (payload.type ?? event) {
        case 'message_start':
          model = payload.message?.model ?? '';
          Object.assign(usage, payload.message?.usage ?? {});
          break;
        case 'content_block_start': {
          const block = payload.content_block ?? {};
          blocks[payload.index ?? blocks.length] = { type: block.type ?? '', name: block.name ?? '', text: block.text ?? '', json: '' };
          break;
        }
        case 'content_block_delta': {
          const block = blocks[payload.index ?? 0];
          if (!block) break;
          if (payload.delta?.type === 'text_delta') block.text += payload.delta.text ?? '';
          if (payload.delta?.type === 'input_json_delta') block.json += payload.delta.partial_json ?? '';
          break;
        }
        case 'message_delta':
          stopReason = payload.delta?.stop_reason ?? stopReason;
          // message_delta usage counts are cumulative.
          Object.assign(usage, payload.usage ?? {});
          break;
        case 'message_stop':
          stopped = true;
          break;
        case 'error': {
          const type = String(payload.error?.type ?? 'error');
          throw new ModelServiceError(service, `the stream reported ${type}: ${String(payload.error?.message ?? '')}`.trim(), {
            retryable: RETRYABLE_STREAM_ERRORS.has(type),
          });
        }
        default:
          // New event types may appear; the API's versioning policy says to ignore them.
          break;
      }
    }
    if (!stopped && stopReason === null) throw new ModelServiceError(service, 'the answer stream ended early', { retryable: true });
    const text = blocks.filter((b) => b?.type === 'text').map((b) => b.text).join('');
    const use = blocks.find((b) => b?.type === 'tool_use');
    const tool: ToolCall | undefined = use ? { name: use.name, raw: use.json } : undefined;
    return finish(model, text, tool, stopReason ?? 'unknown', usage);
  }
}

function finish(model: string, text: string, tool: ToolCall | undefined, stopReason: string, usage: { input_tokens?: number; output_tokens?: number }): Omit<ChatResult, 'attempts'> {
  return {
    model,
    text,
    tool,
    truncated: stopReason === 'max_tokens',
    stopReason,
    usage: { inputTokens: usage.input_tokens ?? 0, outputTokens: usage.output_tokens ?? 0 },
  };
}
