import { ConfigError } from '../../../../domain/errors.ts';
import { providerFor, type ProviderName } from './registry.ts';
import { SdkChat } from './sdk-chat.ts';
import { DEFAULT_MODEL_RETRY, DEFAULT_TIMEOUT_MS, type RetryPolicy } from './transport.ts';
import type { ChatProvider, RetryNotice } from './types.ts';

export { PROVIDER_NAMES, PROVIDERS, providerFor, type ProviderName } from './registry.ts';
export { DEFAULT_MODEL_RETRY, DEFAULT_TIMEOUT_MS, ModelServiceError, providerError, scrub, type RetryPolicy } from './transport.ts';
export type * from './types.ts';

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

/** Who is named in messages about a provider's answers: `OpenAI`, `Anthropic`, `Google Gemini` … */
export function serviceName(provider: ProviderName): string {
  return providerFor(provider).label;
}

/**
 * Builds the client for one provider, failing early (ConfigError) when a hosted provider has no key
 * or a compatible endpoint has no base URL. The provider's SDK package loads on the first call.
 * @example
 * const chat = createChatProvider({ provider: 'ollama', baseUrl: 'http://127.0.0.1:11434' });
 */
export function createChatProvider(options: ProviderOptions): ChatProvider {
  const descriptor = providerFor(options.provider);
  const { name: provider } = descriptor;
  const apiKeyEnv = options.apiKeyEnv ?? descriptor.apiKeyEnv[0];
  const baseUrl = options.baseUrl ?? descriptor.baseUrl;
  if (!baseUrl) {
    throw new ConfigError(`the ${provider} model provider needs a base URL`, { hint: 'Set the generator base URL, e.g. http://127.0.0.1:8000 for a vLLM server.' });
  }
  let parsed: URL;
  try {
    parsed = new URL(baseUrl);
  } catch {
    throw new ConfigError(`the model base URL is not a URL`, { hint: 'Use e.g. https://api.openai.com or http://127.0.0.1:11434.' });
  }
  if (parsed.username || parsed.password) throw new ConfigError('the model base URL must not carry credentials', { hint: `Give the key in ${apiKeyEnv} instead.` });
  if (descriptor.keyRequired && !options.apiKey) {
    throw new ConfigError(`no API key for ${provider}; set ${apiKeyEnv}`, { hint: `Export ${apiKeyEnv}=<your key> and run the command again.` });
  }
  const service = provider === 'openai-compatible' ? `the model endpoint at ${parsed.origin}` : provider === 'ollama' ? `Ollama at ${parsed.origin}` : descriptor.label;
  return new SdkChat({
    descriptor,
    // The API root: the provider adds its version path (/v1, /v1beta, /api).
    baseUrl: baseUrl.replace(/\/+$/, ''),
    apiKey: options.apiKey,
    structuredOutput: options.structuredOutput ?? 'tools',
    transport: {
      service,
      provider,
      apiKeyEnv,
      apiKey: options.apiKey,
      retry: options.retry ?? DEFAULT_MODEL_RETRY,
      timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      onRetry: options.onRetry,
    },
  });
}
