export { LlmGenerator, readModelPlan, type LlmGeneratorEvent, type LlmGeneratorInfo, type LlmGeneratorOptions } from './llm-generator.ts';
export type { LlmEvent, LlmUsageEvent, Stage } from './model-call.ts';
export { ALLOWED_DOTFILES, assertGuardrails, checkFiles, DEFAULT_LIMITS, formatRefusals, pathProblem, type GuardrailLimits, type Refusal } from './guardrails.ts';
export { findSecrets, type SecretFinding } from './secret-scan.ts';
export { dockerfileProblems } from './dockerfile-rules.ts';
export { packageJsonProblems } from './package-rules.ts';
export { loadPrompt, PROMPT_NAMES, type Prompt, type PromptName } from './prompts.ts';
export { createChatProvider, PROVIDER_NAMES, PROVIDERS, providerFor, serviceName, type ProviderName, type ProviderOptions } from './providers/index.ts';
