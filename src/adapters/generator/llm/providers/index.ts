import { ConfigError } from '../../../../domain/errors.ts';
import { AnthropicMessages } from './anthropic.ts';
import { OpenAiChat } from './openai.ts';
import { DEFAULT_MODEL_RETRY, DEFAULT_TIMEOUT_MS, type RetryPolicy } from './transport.ts';
import type { ChatProvider, RetryNotice } from './types.ts';

export { AnthropicMessages, ANTHROPIC_VERSION } from './anthropic.ts';
export { OpenAiChat } from './openai.ts';
export { readSse, type SseEvent } from './sse.ts';
export { DEFAULT_MODEL_RETRY, DEFAULT_TIMEOUT_MS, ModelServiceError, providerError, scrub, type RetryPolicy } from './transport.ts';
export type * from './types.ts';

export type ProviderName = 'openai' | 'anthropic' | 'openai-compatible';

/** Where each provider lives when no base URL is configured. */
export const DEFAULT_BASE_URLS: Record<ProviderName, string | undefined> = {
  openai: 'https://api.openai.com',
  anthropic: 'https://api.anthropic.com',
  'openai-compatible': undefined,
};

/** The environment variable a person sets for each provider's key (named in errors; read by the CLI, not here). */
export const DEFAULT_API_KEY_ENV: Record<ProviderName, string> = {
  openai: 'OPENAI_API_KEY',
  anthropic: 'ANTHROPIC_API_KEY',
  'openai-compatible': 'SLIPWAY_LLM_API_KEY',
};

export interface ProviderOptions {
  provider: ProviderName;
  baseUrl?: string | undefined;
  apiKey?: string | undefined;
  apiKeyEnv?: string | undefined;
  structuredOutput?: 'tools' | 'json_schema' | undefined;
  retry?: RetryPolicy | undefined;
  timeoutMs?: number | undefined;
  onRetry?: ((notice: RetryNotice) => void) | undefined;
}

/**
 * Builds the client for one provider, failing early (ConfigError) when a hosted provider has no key
 * or a compatible endpoint has no base URL.
 * @example
 * const chat = createChatProvider({ provider: 'openai-compatible', baseUrl: 'http://127.0.0.1:11434' });
 */
export function createChatProvider(options: ProviderOptions): ChatProvider {
  const { provider } = options;
  const apiKeyEnv = options.apiKeyEnv ?? DEFAULT_API_KEY_ENV[provider];
  const baseUrl = options.baseUrl ?? DEFAULT_BASE_URLS[provider];
  if (!baseUrl) {
    throw new ConfigError(`the ${provider} model provider needs a base URL`, { hint: 'Set the generator base URL, e.g. http://127.0.0.1:11434 for Ollama.' });
  }
  let parsed: URL;
  try {
    parsed = new URL(baseUrl);
  } catch {
    throw new ConfigError(`the model base URL is not a URL`, { hint: 'Use e.g. https://api.openai.com or http://127.0.0.1:11434.' });
  }
  if (parsed.username || parsed.password) throw new ConfigError('the model base URL must not carry credentials', { hint: `Give the key in ${apiKeyEnv} instead.` });
  if (provider !== 'openai-compatible' && !options.apiKey) {
    throw new ConfigError(`no API key for ${provider}; set ${apiKeyEnv}`, { hint: `Export ${apiKeyEnv}=<your key> and run the command again.` });
  }
  const service = provider === 'openai' ? 'OpenAI' : provider === 'anthropic' ? 'Anthropic' : `the model endpoint at ${parsed.origin}`;
  const transport = {
    service,
    provider,
    apiKeyEnv,
    apiKey: options.apiKey,
    retry: options.retry ?? DEFAULT_MODEL_RETRY,
    timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    onRetry: options.onRetry,
  };
  if (provider === 'anthropic') return new AnthropicMessages({ baseUrl, apiKey: options.apiKey!, transport });
  return new OpenAiChat({ flavour: provider, baseUrl, apiKey: options.apiKey, structuredOutput: options.structuredOutput ?? 'tools', transport });
}
