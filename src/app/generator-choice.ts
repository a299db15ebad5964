import { join } from 'node:path';
import type { Logger } from 'pino';
import type { ResolvedConfig } from '../config/index.ts';
import { readSecret } from '../config/index.ts';
import { PROVIDERS, providerFor, type ProviderName } from '../adapters/generator/llm/providers/registry.ts';
import { ConfigError } from '../domain/index.ts';
import type { AppPlan, AppRequest, CodeGenerator, GeneratedApp, GeneratorInfo } from '../ports/index.ts';

export interface GeneratorChoice {
  generator: CodeGenerator & { infoFor(plan: AppPlan): GeneratorInfo };
  /** One line for people: which generator and why (e.g. that no provider is configured). */
  description: string;
}

/** The provider slipway.yaml or the environment selects, if any (a base URL alone means an OpenAI-compatible server). */
export function llmProvider(config: ResolvedConfig, env: Record<string, string | undefined>): ProviderName | undefined {
  const llm = config.llm;
  if (llm?.provider) return llm.provider;
  if (llm?.baseUrl) return 'openai-compatible';
  return PROVIDERS.find((p) => p.detectEnv.some((name) => env[name]))?.name as ProviderName | undefined;
}

/** The variables that select a provider, for the hint shown when none is configured. */
const DETECTED_BY = PROVIDERS.flatMap((p) => p.detectEnv).join(', ');

/**
 * Picks how apps are generated: a model when a provider is configured (slipway.yaml `llm`, or a
 * provider's variable such as OPENAI_API_KEY or OLLAMA_HOST), else the offline templates. A request
 * that names `--template` always uses that template.
 */
export async function chooseGenerator(config: ResolvedConfig, env: Record<string, string | undefined>, templates: CodeGenerator, packageRoot: string, logger: Logger): Promise<GeneratorChoice> {
  const llm = config.llm;
  const provider = llmProvider(config, env);
  if (!provider) {
    return { generator: route(templates, undefined), description: `no model provider configured: using the offline templates (set one of ${DETECTED_BY} to generate with a model)` };
  }
  const descriptor = providerFor(provider);
  const keyEnv = llm?.apiKey?.env ?? descriptor.apiKeyEnv.find((name) => env[name]) ?? descriptor.apiKeyEnv[0];
  const apiKey = llm?.apiKey ? readSecret(llm.apiKey, 'llm.apiKey', env) : env[keyEnv];
  const baseUrl = llm?.baseUrl ?? baseUrlFromEnv(provider, env);
  const fallback = descriptor.models;
  const one = env.SLIPWAY_LLM_MODEL;
  const planner = llm?.models.planner ?? env.SLIPWAY_LLM_PLANNER_MODEL ?? one ?? fallback?.planner;
  const coder = llm?.models.coder ?? env.SLIPWAY_LLM_CODER_MODEL ?? one ?? fallback?.coder;
  if (!planner || !coder) {
    const what = provider === 'openai-compatible' ? 'an OpenAI-compatible server' : `${descriptor.label}`;
    throw new ConfigError(`${what} needs model names`, { hint: 'Set SLIPWAY_LLM_MODEL (or llm.models.planner and llm.models.coder in slipway.yaml), e.g. qwen2.5-coder:14b.' });
  }
  const { LlmGenerator } = await import('../adapters/generator/llm/index.ts');
  const model = new LlmGenerator({
    provider, ...(baseUrl ? { baseUrl } : {}), ...(apiKey ? { apiKey } : {}), apiKeyEnv: keyEnv,
    models: { planner, coder, ...(llm?.models.repair ? { repair: llm.models.repair } : {}) },
    templatesDir: join(packageRoot, 'templates'), promptsDir: join(packageRoot, 'prompts'),
    ...(llm?.maxTokens ? { maxTokens: llm.maxTokens } : {}),
    onUsage: (usage) => logger.info({ usage }, 'model call'),
    onEvent: (event) => logger.info({ event }, 'model event'),
  });
  return { generator: route(templates, model), description: `generating with ${provider} (planner ${planner}, coder ${coder})` };
}

/** SLIPWAY_LLM_BASE_URL for a compatible server; OLLAMA_HOST as Ollama's own tools read it (`host:port` needs no scheme). */
export function baseUrlFromEnv(provider: ProviderName, env: Record<string, string | undefined>): string | undefined {
  if (provider === 'openai-compatible') return env.SLIPWAY_LLM_BASE_URL || undefined;
  if (provider === 'ollama' && env.OLLAMA_HOST) return /^https?:\/\//.test(env.OLLAMA_HOST) ? env.OLLAMA_HOST : `http://${env.OLLAMA_HOST}`;
  return undefined;
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
  // A change goes to the model when there is one (it can make any change), else to the templates,
  // which make the few a template understands and refuse the rest saying a model is needed.
  const changer = model?.change ? model : templates;
  if (changer.change) routed.change = changer.change.bind(changer);
  return routed;
}
