import type { ProviderDescriptor } from '../types.ts';

/** OpenAI's Chat Completions API (the SDK's `chat` model: tool calls and JSON-schema answers). */
export const openai: ProviderDescriptor = {
  name: 'openai',
  label: 'OpenAI',
  baseUrl: 'https://api.openai.com',
  apiKeyEnv: ['OPENAI_API_KEY'],
  keyRequired: true,
  detectEnv: ['OPENAI_API_KEY'],
  models: { planner: 'gpt-4.1-mini', coder: 'gpt-4.1' },
  async create({ modelId, baseUrl, apiKey }) {
    const { createOpenAI } = await import('@ai-sdk/openai');
    return createOpenAI({ baseURL: `${baseUrl}/v1`, apiKey: apiKey ?? '' }).chat(modelId);
  },
};
