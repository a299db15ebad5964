/**
 * A ChatProvider on the AI SDK: one forced tool call (or, on OpenAI-style APIs when asked, a
 * JSON-schema answer), sent with `generateText`, or `streamText` when streaming. What the SDK leaves
 * to Slipway stays here: the raw text of a tool call cut off at the token limit (for continuations),
 * answers in plain text (recovered by the caller, so the SDK must not reject them), and one retry
 * loop honouring `retry-after` (the SDK's retries are off).
 */
import { generateText, jsonSchema, Output, streamText, tool, wrapLanguageModel, type LanguageModel, type ModelMessage } from 'ai';
import { ModelServiceError, withRetries, type TransportOptions } from './transport.ts';
import type { ChatProvider, ChatRequest, ChatResult, ModelOptions, ProviderDescriptor, ToolCall } from './types.ts';

export interface SdkChatOptions {
  descriptor: ProviderDescriptor;
  baseUrl: string;
  apiKey?: string | undefined;
  structuredOutput: 'tools' | 'json_schema';
  transport: TransportOptions;
}

type Answer = Omit<ChatResult, 'attempts'>;

export class SdkChat implements ChatProvider {
  readonly name: string;
  readonly #options: SdkChatOptions;
  readonly #models = new Map<string, Promise<LanguageModel>>();

  constructor(options: SdkChatOptions) {
    this.name = options.descriptor.name;
    this.#options = options;
  }

  async complete(request: ChatRequest): Promise<ChatResult> {
    const model = await this.#model(request.model);
    const { value, attempts } = await withRetries(this.#options.transport, request.signal, (signal) =>
      request.stream ? this.#stream(model, request, signal) : this.#generate(model, request, signal));
    return { ...value, attempts };
  }

  /** The SDK model for one id, its package loaded on first use. */
  #model(modelId: string): Promise<LanguageModel> {
    let model = this.#models.get(modelId);
    if (!model) {
      const { descriptor, baseUrl, apiKey, structuredOutput } = this.#options;
      const options: ModelOptions = { modelId, baseUrl, apiKey, structuredOutput };
      model = descriptor.create(options).then(forceToolOnTheWire);
      this.#models.set(modelId, model);
    }
    return model;
  }

  #jsonAnswer(): boolean {
    return this.#options.structuredOutput === 'json_schema' && (this.name === 'openai' || this.name === 'openai-compatible');
  }

  /** The call's settings; OpenAI's tools are strict (Slipway's schemas are written for it), compatible servers often refuse that. */
  #call(model: LanguageModel, request: ChatRequest, signal: AbortSignal) {
    const messages: ModelMessage[] = request.messages.map((m) => ({ role: m.role, content: m.content }));
    const providerOptions = this.#options.descriptor.providerOptions?.({ maxTokens: request.maxTokens, temperature: request.temperature });
    const schema = jsonSchema(request.tool.parameters as Parameters<typeof jsonSchema>[0]);
    const shape = this.#jsonAnswer()
      ? { output: Output.object({ schema, name: request.tool.name, description: request.tool.description }) }
      : { tools: { [request.tool.name]: tool({ description: request.tool.description, inputSchema: schema, ...(this.name === 'openai' ? { strict: true } : {}) }) } };
    return {
      model,
      system: request.system,
      messages,
      ...shape,
      maxOutputTokens: request.maxTokens,
      ...(request.temperature === undefined ? {} : { temperature: request.temperature }),
      ...(providerOptions ? { providerOptions } : {}),
      maxRetries: 0,
      abortSignal: signal,
    };
  }

  async #generate(model: LanguageModel, request: ChatRequest, signal: AbortSignal): Promise<Answer> {
    const result = await generateText(this.#call(model, request, signal));
    const call = result.toolCalls.find((c) => c.toolName === request.tool.name) ?? result.toolCalls[0];
    const tool = call ? toolCall(call.toolName, call.input) : this.#jsonAnswer() && result.text ? { name: request.tool.name, raw: result.text } : undefined;
    return {
      model: result.response.modelId,
      text: tool && 'raw' in tool && this.#jsonAnswer() ? '' : result.text,
      tool,
      truncated: result.finishReason === 'length',
      stopReason: result.rawFinishReason ?? result.finishReason,
      usage: { inputTokens: result.usage.inputTokens ?? 0, outputTokens: result.usage.outputTokens ?? 0 },
    };
  }

  /** Reads the SDK's stream part by part, so a tool call cut off mid-JSON keeps its raw text. */
  async #stream(model: LanguageModel, request: ChatRequest, signal: AbortSignal): Promise<Answer> {
    // Errors arrive as stream parts and are thrown below; the SDK must not log them itself.
    const result = streamText({ ...this.#call(model, request, signal), onError: () => {} });
    let text = '';
    let tool: ToolCall | undefined;
    const rawInput = new Map<string, { name: string; text: string }>();
    let finish: { modelId: string; finishReason: string; rawFinishReason: string | undefined; inputTokens: number; outputTokens: number } | undefined;
    for await (const part of result.fullStream) {
      switch (part.type) {
        case 'text-delta':
          text += part.text;
          break;
        case 'tool-input-start':
          rawInput.set(part.id, { name: part.toolName, text: '' });
          break;
        case 'tool-input-delta': {
          const input = rawInput.get(part.id);
          if (input) input.text += part.delta;
          break;
        }
        case 'tool-call':
          tool ??= toolCall(part.toolName, part.input);
          break;
        case 'finish-step':
          finish = {
            modelId: part.response.modelId, finishReason: part.finishReason, rawFinishReason: part.rawFinishReason,
            inputTokens: part.usage.inputTokens ?? 0, outputTokens: part.usage.outputTokens ?? 0,
          };
          break;
        case 'error':
          throw part.error;
        case 'abort':
          signal.throwIfAborted();
          break;
        default:
          break;
      }
    }
    if (!finish) throw new ModelServiceError(this.#options.transport.service, 'the answer stream ended early', { retryable: true });
    if (!tool) {
      // A call the provider never closed (cut off at the limit): its raw arguments as streamed.
      const [open] = [...rawInput.values()];
      if (open) tool = { name: open.name, raw: open.text };
      else if (this.#jsonAnswer() && text) {
        tool = { name: request.tool.name, raw: text };
        text = '';
      }
    }
    return {
      model: finish.modelId,
      text,
      tool,
      truncated: finish.finishReason === 'length',
      stopReason: finish.rawFinishReason ?? finish.finishReason,
      usage: { inputTokens: finish.inputTokens, outputTokens: finish.outputTokens },
    };
  }
}

/**
 * Sends every tool as a forced choice (`tool_choice`), while the SDK itself sees `auto`: a model
 * that answers in prose or markdown anyway is then an answer Slipway recovers or corrects, not an
 * SDK error without the usage it cost.
 */
function forceToolOnTheWire(model: LanguageModel): LanguageModel {
  if (typeof model === 'string') return model;
  return wrapLanguageModel({
    model: model as Parameters<typeof wrapLanguageModel>[0]['model'],
    middleware: {
      specificationVersion: 'v4',
      transformParams: async ({ params }) => {
        const only = params.tools?.length === 1 ? params.tools[0] : undefined;
        return only ? { ...params, toolChoice: { type: 'tool', toolName: only.name } } : params;
      },
    },
  });
}

/** The SDK parses arguments it can; what it could not parse (cut-off JSON, prose) stays raw text. */
function toolCall(name: string, input: unknown): ToolCall {
  return typeof input === 'string' ? { name, raw: input } : { name, input };
}
