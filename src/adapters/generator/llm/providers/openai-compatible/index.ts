import type { ProviderDescriptor } from '../types.ts';

/** Any server speaking OpenAI's Chat Completions (vLLM, LM Studio, llama.cpp, LiteLLM …); the key is optional. */
export const openaiCompatible: ProviderDescriptor = {
  name: 'openai-compatible',
  label: 'model endpoint',
  apiKeyEnv: ['SLIPWAY_LLM_API_KEY'],
  keyRequired: false,
  detectEnv: ['SLIPWAY_LLM_BASE_URL'],
  async create({ modelId, baseUrl, apiKey, structuredOutput }) {
    const { createOpenAICompatible } = await import('@ai-sdk/openai-compatible');
    return createOpenAICompatible({
      name: 'openai-compatible',
      baseURL: `${baseUrl}/v1`,
      ...(apiKey ? { apiKey } : {}),
      supportsStructuredOutputs: structuredOutput === 'json_schema',
    }).chatModel(modelId);
  },
};
