import type { ProviderDescriptor } from '../types.ts';

/** Anthropic's Messages API. */
export const anthropic: ProviderDescriptor = {
  name: 'anthropic',
  label: 'Anthropic',
  baseUrl: 'https://api.anthropic.com',
  apiKeyEnv: ['ANTHROPIC_API_KEY'],
  keyRequired: true,
  detectEnv: ['ANTHROPIC_API_KEY'],
  models: { planner: 'claude-sonnet-4-5', coder: 'claude-sonnet-4-5' },
  async create({ modelId, baseUrl, apiKey }) {
    const { createAnthropic } = await import('@ai-sdk/anthropic');
    return createAnthropic({ baseURL: `${baseUrl}/v1`, apiKey: apiKey ?? '' }).languageModel(modelId);
  },
};
