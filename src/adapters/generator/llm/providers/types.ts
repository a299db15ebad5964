/**
 * The one small interface every model provider speaks inside Slipway: a system prompt, user turns
 * and one tool the model is asked to call. Providers translate it to their wire format and back.
 */

/** A JSON Schema object, as sent to a provider (already trimmed to the keywords they all accept). */
export type JsonSchema = Record<string, unknown>;

/** The tool the model must call (function calling / tool use): its answer is the tool's arguments. */
export interface ToolSpec {
  name: string;
  description: string;
  parameters: JsonSchema;
}

export interface ChatMessage {
  role: 'user' | 'assistant';
  content: string;
}

export interface ChatRequest {
  model: string;
  system: string;
  messages: ChatMessage[];
  tool: ToolSpec;
  maxTokens: number;
  temperature?: number | undefined;
  /** Stream the answer; long answers then do not hit HTTP idle timeouts. */
  stream: boolean;
  signal?: AbortSignal | undefined;
}

/** The tool call as the provider gave it: the raw JSON text, or an already parsed object. */
export type ToolCall = { name: string; raw: string } | { name: string; input: unknown };

export interface ChatUsage {
  inputTokens: number;
  outputTokens: number;
}

export interface ChatResult {
  /** The model that answered, as the provider reports it. */
  model: string;
  /** The call of the requested tool, when the model made one. */
  tool?: ToolCall | undefined;
  /** Any text the model wrote besides (or instead of) calling the tool. */
  text: string;
  /** The output stopped at the token limit (`finish_reason: length`, `stop_reason: max_tokens`). */
  truncated: boolean;
  /** The provider's own word for why it stopped (`stop`, `tool_calls`, `tool_use`, `length` …). */
  stopReason: string;
  usage: ChatUsage;
  /** HTTP attempts it took (retries included). */
  attempts: number;
}

/** A retry the provider is about to make, for logs and timelines. */
export interface RetryNotice {
  provider: string;
  status: number | undefined;
  attempt: number;
  delayMs: number;
  reason: string;
}

/** A chat model behind one API. */
export interface ChatProvider {
  /** The registry name: `openai`, `anthropic`, `google` … */
  readonly name: string;
  complete(request: ChatRequest): Promise<ChatResult>;
}

/** What a provider's own module hands back: the AI SDK model for one model id. */
export type { LanguageModel } from 'ai';

/** How Slipway reaches one provider's model: which model, where, and with which key. */
export interface ModelOptions {
  modelId: string;
  /** The API root, without a version path (`https://api.openai.com`, `http://127.0.0.1:11434`). */
  baseUrl: string;
  apiKey?: string | undefined;
  /** OpenAI-style APIs only: tool calls (default) or a JSON-schema response format. */
  structuredOutput?: 'tools' | 'json_schema' | undefined;
}

/**
 * One model provider, as its folder describes it. Everything but `create` is plain data, so the
 * registry can list providers (config schema, `slipway doctor`) without loading the AI SDK.
 */
export interface ProviderDescriptor {
  readonly name: string;
  /** Who is named in messages: `OpenAI`, `Anthropic` … */
  readonly label: string;
  /** The API root used when none is configured; none means the user must give one. */
  readonly baseUrl?: string | undefined;
  /** Variables a key is read from, first match wins; the first is named in errors. */
  readonly apiKeyEnv: readonly [string, ...string[]];
  readonly keyRequired: boolean;
  /** Variables whose presence selects this provider when slipway.yaml names none. */
  readonly detectEnv: readonly string[];
  /** Models used when none are configured; none means the user must name them. */
  readonly models?: { planner: string; coder: string } | undefined;
  /** Settings the SDK does not map for this provider, as its `providerOptions`. */
  providerOptions?(call: { maxTokens: number; temperature?: number | undefined }): Record<string, Record<string, import('ai').JSONValue>>;
  /** Loads the provider's SDK package (only now) and returns the model. */
  create(options: ModelOptions): Promise<import('ai').LanguageModel>;
}
