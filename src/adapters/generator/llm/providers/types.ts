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
  /** Stream the answer (SSE); long answers then do not hit HTTP idle timeouts. */
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
  /** `openai`, `anthropic` or `openai-compatible`. */
  readonly name: string;
  complete(request: ChatRequest): Promise<ChatResult>;
}
