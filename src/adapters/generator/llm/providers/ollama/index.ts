import type { ProviderDescriptor } from '../types.ts';

/** Ollama's native chat API (`/api/chat`), local or behind a proxy that wants a bearer key. */
export const ollama: ProviderDescriptor = {
  name: 'ollama',
  label: 'Ollama',
  baseUrl: 'http://127.0.0.1:11434',
  apiKeyEnv: ['OLLAMA_API_KEY'],
  keyRequired: false,
  detectEnv: ['OLLAMA_HOST'],
  // Ollama reads the token limit and temperature from `options` only; the provider package sends
  // them at the top level too, where /api/chat ignores them.
  providerOptions: ({ maxTokens, temperature }) => ({ ollama: { options: { num_predict: maxTokens, ...(temperature === undefined ? {} : { temperature }) } } }),
  async create({ modelId, baseUrl, apiKey }) {
    const { createOllama } = await import('ollama-ai-provider-v2');
    return createOllama({
      baseURL: `${baseUrl}/api`,
      ...(apiKey ? { headers: { authorization: `Bearer ${apiKey}` } } : {}),
    }).chat(modelId);
  },
};
