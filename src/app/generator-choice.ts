import { join } from 'node:path';
import type { Logger } from 'pino';
import type { ResolvedConfig } from '../config/index.ts';
import { readSecret } from '../config/index.ts';
import { ConfigError } from '../domain/index.ts';
import type { AppPlan, AppRequest, CodeGenerator, GeneratedApp, GeneratorInfo } from '../ports/index.ts';

/** Default models per provider when slipway.yaml and the environment name none. */
const DEFAULT_MODELS: Record<'openai' | 'anthropic', { planner: string; coder: string }> = {
  openai: { planner: 'gpt-4.1-mini', coder: 'gpt-4.1' },
  anthropic: { planner: 'claude-sonnet-4-5', coder: 'claude-sonnet-4-5' },
};

export interface GeneratorChoice {
  generator: CodeGenerator & { infoFor(plan: AppPlan): GeneratorInfo };
  /** One line for people: which generator and why (e.g. that no provider is configured). */
  description: string;
}

/**
 * Picks how apps are generated: a model when a provider is configured (slipway.yaml `llm`, or
 * SLIPWAY_LLM_BASE_URL / ANTHROPIC_API_KEY / OPENAI_API_KEY), else the offline templates. A request
 * that names `--template` always uses that template.
 */
/** The provider slipway.yaml or the environment selects, if any. */
export function llmProvider(config: ResolvedConfig, env: Record<string, string | undefined>): 'openai' | 'anthropic' | 'openai-compatible' | undefined {
  const llm = config.llm;
  return llm?.provider
    ?? (env.SLIPWAY_LLM_BASE_URL || llm?.baseUrl ? 'openai-compatible' : env.ANTHROPIC_API_KEY ? 'anthropic' : env.OPENAI_API_KEY ? 'openai' : undefined);
}

export async function chooseGenerator(config: ResolvedConfig, env: Record<string, string | undefined>, templates: CodeGenerator, packageRoot: string, logger: Logger): Promise<GeneratorChoice> {
  const llm = config.llm;
  const provider = llmProvider(config, env);
  if (!provider) {
    return { generator: route(templates, undefined), description: 'no model provider configured: using the offline templates (set OPENAI_API_KEY, ANTHROPIC_API_KEY or SLIPWAY_LLM_BASE_URL to generate with a model)' };
  }
  const keyEnv = provider === 'openai' ? 'OPENAI_API_KEY' : provider === 'anthropic' ? 'ANTHROPIC_API_KEY' : 'SLIPWAY_LLM_API_KEY';
  const apiKey = llm?.apiKey ? readSecret(llm.apiKey, 'llm.apiKey', env) : env[keyEnv];
  const baseUrl = llm?.baseUrl ?? (provider === 'openai-compatible' ? env.SLIPWAY_LLM_BASE_URL : undefined);
  const fallback = provider === 'openai-compatible' ? undefined : DEFAULT_MODELS[provider];
  const one = env.SLIPWAY_LLM_MODEL;
  const planner = llm?.models.planner ?? env.SLIPWAY_LLM_PLANNER_MODEL ?? one ?? fallback?.planner;
  const coder = llm?.models.coder ?? env.SLIPWAY_LLM_CODER_MODEL ?? one ?? fallback?.coder;
  if (!planner || !coder) {
    throw new ConfigError('an OpenAI-compatible server needs model names', { hint: 'Set SLIPWAY_LLM_MODEL (or llm.models.planner and llm.models.coder in slipway.yaml), e.g. qwen2.5-coder:14b.' });
  }
  const { LlmGenerator } = await import('../adapters/generator/llm/index.ts');
  const model = new LlmGenerator({
    provider, ...(baseUrl ? { baseUrl } : {}), ...(apiKey ? { apiKey } : {}), apiKeyEnv: llm?.apiKey?.env ?? keyEnv,
    models: { planner, coder, ...(llm?.models.repair ? { repair: llm.models.repair } : {}) },
    templatesDir: join(packageRoot, 'templates'), promptsDir: join(packageRoot, 'prompts'),
    ...(llm?.maxTokens ? { maxTokens: llm.maxTokens } : {}),
    onUsage: (usage) => logger.info({ usage }, 'model call'),
    onEvent: (event) => logger.info({ event }, 'model event'),
  });
  return { generator: route(templates, model), description: `generating with ${provider} (planner ${planner}, coder ${coder})` };
}

/** Sends each request to the model, or to the templates when it names one; later stages follow the plan's generator. */
function route(templates: CodeGenerator, model: CodeGenerator | undefined): GeneratorChoice['generator'] {
  const pick = (plan: AppPlan) => (plan.generator.kind === 'model' && model ? model : templates);
  const routed: GeneratorChoice['generator'] = {
    info: (model ?? templates).info,
    infoFor: (plan) => pick(plan).info,
    plan: (request: AppRequest, signal?: AbortSignal) => (model && !request.template ? model.plan(request, signal) : templates.plan(request, signal)),
    generate: (plan, app, signal) => pick(plan).generate(plan, app, signal),
  };
  if (model?.repair) {
    const repair = model.repair.bind(model);
    routed.repair = (plan: AppPlan, app: { name: string; description: string }, previous: GeneratedApp, failure: string, signal?: AbortSignal) => {
      if (plan.generator.kind !== 'model') throw new ConfigError('templates are not repaired');
      return repair(plan, app, previous, failure, signal);
    };
  }
  return routed;
}
