import type { ProviderDescriptor } from '../types.ts';

/** Google's Gemini API (generateContent). */
export const google: ProviderDescriptor = {
  name: 'google',
  label: 'Google Gemini',
  baseUrl: 'https://generativelanguage.googleapis.com',
  // The SDK's own variable first; GEMINI_API_KEY is what Google's docs and CLI use.
  apiKeyEnv: ['GOOGLE_GENERATIVE_AI_API_KEY', 'GEMINI_API_KEY'],
  keyRequired: true,
  detectEnv: ['GOOGLE_GENERATIVE_AI_API_KEY', 'GEMINI_API_KEY'],
  models: { planner: 'gemini-2.5-flash', coder: 'gemini-2.5-pro' },
  async create({ modelId, baseUrl, apiKey }) {
    const { createGoogleGenerativeAI } = await import('@ai-sdk/google');
    return createGoogleGenerativeAI({ baseURL: `${baseUrl}/v1beta`, apiKey: apiKey ?? '' }).languageModel(modelId);
  },
};
