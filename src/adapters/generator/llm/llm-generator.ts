import { appNameProblem, assertDescription, checkNeeds, RESERVED_ENV_NAMES, ConfigError, deriveAppName, ExternalServiceError, InputError, needsNothing, Runtime, type AppNeeds, type AppSpec, type GeneratedFile } from '../../../domain/index.ts';
import type { AppPlan, AppRequest, ChangedApp, CodeGenerator, GeneratedApp, GeneratorInfo } from '../../../ports/index.ts';
import { listTemplates, loadTemplate, type TemplateManifest } from '../template-manifest.ts';
import { APP_PORT, TemplateGenerator } from '../template-generator.ts';
import { assertGuardrails, DEFAULT_LIMITS, pathProblem, type GuardrailLimits } from './guardrails.ts';
import { changeMessage, coderMessage, plannerMessage, repairMessage } from './messages.ts';
import { askFiles, askStructured, type CallContext, type LlmEvent, type LlmUsageEvent } from './model-call.ts';
import { loadPrompt, fillPrompt, PROMPT_NAMES, type Prompt, type PromptName } from './prompts.ts';
import { createChatProvider, serviceName, type ProviderName, type RetryNotice, type RetryPolicy } from './providers/index.ts';
import { filesTool, modelPlanAnswer, planTool, RepairFilesParsed, WriteFilesParsed, type ModelPlan } from './schemas.ts';
import { findSecrets } from './secret-scan.ts';

export interface LlmGeneratorOptions {
  provider: ProviderName;
  /** API root without /v1; defaults to the hosted provider's. Required for `openai-compatible`. */
  baseUrl?: string | undefined;
  apiKey?: string | undefined;
  /** The variable the key comes from, named in errors (default OPENAI_API_KEY / ANTHROPIC_API_KEY / SLIPWAY_LLM_API_KEY). */
  apiKeyEnv?: string | undefined;
  /** Model per stage; repairs use `coder` unless `repair` is given. */
  models: { planner: string; coder: string; repair?: string | undefined };
  templatesDir: string;
  promptsDir: string;
  /** Pin prompt versions (default: the highest `<name>.v<N>.md` in promptsDir). */
  promptVersions?: Partial<Record<PromptName, number>> | undefined;
  maxFiles?: number | undefined;
  maxTotalBytes?: number | undefined;
  /** Output token limit per call (default 16000). */
  maxTokens?: number | undefined;
  /** Follow-up calls after an answer cut off at maxTokens (default 2). */
  maxContinuations?: number | undefined;
  /** Sampling temperature (default 0.2); `null` sends none, for reasoning models that refuse it. */
  temperature?: number | null | undefined;
  /** One request's limit, streaming included (default 300 s). */
  timeoutMs?: number | undefined;
  /** Stream answers over SSE (default true). */
  stream?: boolean | undefined;
  /** OpenAI-style APIs only: `tools` (default) or `json_schema` (response_format). */
  structuredOutput?: 'tools' | 'json_schema' | undefined;
  retry?: RetryPolicy | undefined;
  onUsage?: ((event: LlmUsageEvent) => void) | undefined;
  onEvent?: ((event: LlmGeneratorEvent) => void) | undefined;
}

/** How answers were obtained (recoveries, continuations, corrections) and the retries it took. */
export type LlmGeneratorEvent = LlmEvent | ({ type: 'retry' } & RetryNotice);

/** The generator's `info`, with the prompt versions for provenance. */
export type LlmGeneratorInfo = GeneratorInfo & { kind: 'llm'; provider: ProviderName; models: Record<string, string>; prompts: Record<PromptName, string> };

/**
 * Plans and writes apps with language models: a planner model turns the request into technical
 * requirements (the plan's title, features, pages, routes, data, env and port, with the prompt
 * versions as its generator), a coder
 * model writes the files with the closest bundled template as its example, and every answer passes
 * the guardrails before it becomes an app.
 * @example
 * const generator = new LlmGenerator({ provider: 'anthropic', apiKey, models: { planner: 'claude-haiku-4-5', coder: 'claude-sonnet-4-5' }, templatesDir, promptsDir });
 * const plan = await generator.plan({ description: 'a guestbook' });
 * const app = await generator.generate(plan, { name: 'guestbook', description: 'a guestbook' });
 */
export class LlmGenerator implements CodeGenerator {
  readonly info: LlmGeneratorInfo;
  readonly #options: LlmGeneratorOptions;
  readonly #prompts: Record<PromptName, Prompt>;
  readonly #limits: GuardrailLimits;
  readonly #ctx: CallContext;

  constructor(options: LlmGeneratorOptions) {
    if (!options.models.planner || !options.models.coder) throw new ConfigError('the LLM generator needs a planner and a coder model', { hint: 'Name both models in the generator settings.' });
    this.#options = options;
    this.#limits = { maxFiles: options.maxFiles ?? DEFAULT_LIMITS.maxFiles, maxTotalBytes: options.maxTotalBytes ?? DEFAULT_LIMITS.maxTotalBytes };
    this.#prompts = Object.fromEntries(PROMPT_NAMES.map((n) => [n, loadPrompt(options.promptsDir, n, options.promptVersions?.[n])])) as Record<PromptName, Prompt>;
    const chat = createChatProvider({
      provider: options.provider, baseUrl: options.baseUrl, apiKey: options.apiKey, apiKeyEnv: options.apiKeyEnv,
      structuredOutput: options.structuredOutput, retry: options.retry, timeoutMs: options.timeoutMs,
      onRetry: options.onEvent ? (notice) => options.onEvent!({ type: 'retry', ...notice }) : undefined,
    });
    this.#ctx = {
      chat,
      service: serviceName(options.provider),
      stream: options.stream ?? true,
      maxTokens: options.maxTokens ?? 16_000,
      temperature: options.temperature === null ? undefined : options.temperature ?? 0.2,
      maxContinuations: options.maxContinuations ?? 2,
      onUsage: options.onUsage,
      onEvent: options.onEvent,
    };
    const models: Record<string, string> = { planner: options.models.planner, coder: options.models.coder };
    if (options.models.repair) models.repair = options.models.repair;
    this.info = { kind: 'llm', provider: options.provider, models, prompts: Object.fromEntries(PROMPT_NAMES.map((n) => [n, this.#prompts[n].id])) as Record<PromptName, string> };
  }

  async plan(request: AppRequest, signal?: AbortSignal): Promise<AppPlan> {
    signal?.throwIfAborted();
    const description = assertDescription(request.description);
    const templates = await listTemplates(this.#options.templatesDir);
    const ids = templates.map((t) => t.id);
    if (ids.length === 0) throw new Error(`there are no templates in ${this.#options.templatesDir}`);
    if (request.template !== undefined && !ids.includes(request.template)) {
      throw new InputError(`unknown template '${request.template}'; known templates: ${ids.join(', ')}`);
    }
    const schema = modelPlanAnswer(ids as [string, ...string[]]);
    const answer = await askStructured(this.#ctx, {
      stage: 'plan', model: this.#options.models.planner, signal,
      // The names Slipway sets come from the same list that refuses them, so the prompt cannot fall behind it.
      system: fillPrompt(this.#prompts.planner.body, { reservedNames: RESERVED_ENV_NAMES.join(', ') }),
      user: plannerMessage(description, templates, request.template),
      tool: planTool(ids as [string, ...string[]]),
    }, schema);
    const secrets = findSecrets(JSON.stringify(answer, null, 1));
    if (secrets.length > 0) throw new InputError(`refused the plan: it holds ${secrets[0]!.kind}`, { hint: 'Plan again; apps take secrets from the environment.' });
    const { needs, warnings } = checkNeeds(answer.needs);
    const modelPlan = { ...answer, name: appNameProblem(answer.name) ? deriveAppName(answer.name || description, new Set()) : answer.name };
    const template = request.template ?? modelPlan.template;
    const manifest = templates.find((t) => t.id === template)!;
    return {
      name: modelPlan.name,
      title: modelPlan.title,
      summary: modelPlan.summary,
      runtime: modelPlan.runtime,
      features: modelPlan.features,
      pages: modelPlan.pages,
      routes: modelPlan.apiRoutes,
      persistent: modelPlan.persistent,
      needs,
      ...(warnings.length > 0 ? { warnings } : {}),
      port: modelPlan.port,
      template: {
        id: template,
        version: manifest.version,
        chosenBy: request.template !== undefined ? 'flag' : 'model',
        score: null,
        matched: [],
        candidates: [],
        explanation: `planned by ${this.#options.provider} ${this.#options.models.planner}: ${modelPlan.summary}`,
        params: {},
      },
      generator: { kind: 'model', model: this.#options.models.planner, prompts: Object.fromEntries(PROMPT_NAMES.map((n) => [n, this.#prompts[n].id])) },
    };
  }

  async generate(plan: AppPlan, app: { name: string; description: string }, signal?: AbortSignal): Promise<GeneratedApp> {
    signal?.throwIfAborted();
    const runtime = assertRuntime(plan.runtime);
    const modelPlan = readModelPlan(plan);
    const { manifest, files: example } = await this.#example(plan, app, signal);
    const entries = (await askFiles(this.#ctx, {
      stage: 'generate', model: this.#options.models.coder, signal,
      system: this.#system('coder'),
      user: coderMessage(app, plan, modelPlan, example),
      tool: filesTool(false),
    }, WriteFilesParsed)).entries;
    const { files, command } = assertGuardrails(entries, { runtime, limits: this.#limits });
    return { spec: this.#spec(plan, app, runtime, modelPlan, manifest, command), files };
  }

  async repair(plan: AppPlan, app: { name: string; description: string }, previous: GeneratedApp, failure: string, signal?: AbortSignal): Promise<GeneratedApp> {
    signal?.throwIfAborted();
    const answer = await askFiles(this.#ctx, {
      stage: 'repair', model: this.#options.models.repair ?? this.#options.models.coder, signal,
      system: this.#system('repair'),
      user: repairMessage(app, plan, readModelPlan(plan), previous.files, failure),
      tool: filesTool('repair'),
    }, RepairFilesParsed);
    return this.#overlay(previous, answer, 'the repair answer', 'The model could not fix this failure; change the request or use a template.');
  }

  /**
   * Sends the current files and the request; the answer's files and deletions are laid over the
   * current files and pass the same guardrails as a generated app. The plan now names the model as
   * the app's generator: a template re-rendered later would lose the model's work.
   */
  async change(plan: AppPlan, app: { name: string; description: string }, current: GeneratedApp, request: string, signal?: AbortSignal): Promise<ChangedApp> {
    signal?.throwIfAborted();
    const answer = await askFiles(this.#ctx, {
      stage: 'change', model: this.#options.models.coder, signal,
      system: this.#system('change'),
      user: changeMessage(app, plan, readModelPlan(plan), current.files, request),
      tool: filesTool('change'),
    }, RepairFilesParsed);
    const changed = await this.#overlay(current, answer, 'the change answer', 'Say the change differently, or in smaller steps.');
    const generator = { kind: 'model' as const, model: this.#options.models.coder, prompts: Object.fromEntries(PROMPT_NAMES.map((n) => [n, this.#prompts[n].id])) };
    return { ...changed, plan: { ...plan, generator } };
  }

  /** The previous files with an answer's deletions and files laid over them, through the guardrails; an answer that changes nothing is refused. */
  async #overlay(previous: GeneratedApp, answer: { entries: unknown[]; deleted: string[] }, what: string, hint: string): Promise<GeneratedApp> {
    const runtime = assertRuntime(previous.spec.runtime);
    if (answer.entries.length === 0 && answer.deleted.length === 0) throw new ExternalServiceError(this.#ctx.service, `${what} changed no file`, { hint });
    const merged = mergeRepair(previous.files, answer.entries, answer.deleted);
    const { files, command } = assertGuardrails(merged, { runtime, limits: this.#limits });
    if (sameFiles(files, previous.files)) throw new ExternalServiceError(this.#ctx.service, `${what} left every file as it was`, { hint });
    return { spec: { ...previous.spec, command }, files };
  }

  #system(name: 'coder' | 'repair' | 'change'): string {
    return fillPrompt(this.#prompts[name].body, { maxFiles: String(this.#limits.maxFiles), maxKiB: String(Math.floor(this.#limits.maxTotalBytes / 1024)) });
  }

  /** The closest template, filled with its defaults: the coder's worked example. */
  async #example(plan: AppPlan, app: { name: string; description: string }, signal?: AbortSignal): Promise<{ manifest?: TemplateManifest; files: GeneratedFile[] }> {
    const manifest = await loadTemplate(this.#options.templatesDir, plan.template.id).catch(() => undefined);
    if (!manifest) return { files: [] };
    const templates = new TemplateGenerator({ templatesDir: this.#options.templatesDir });
    const example = await templates.generate({ ...plan, template: { ...plan.template, params: {} }, generator: { kind: 'template' } }, app, signal);
    return { manifest, files: example.files.filter((f) => f.path !== 'README.md') };
  }

  #spec(plan: AppPlan, app: { name: string; description: string }, runtime: Runtime, modelPlan: ModelPlan | undefined, manifest: TemplateManifest | undefined, command: string[]): AppSpec {
    return {
      name: app.name,
      description: app.description,
      template: plan.template.id,
      templateVersion: plan.template.version,
      runtime,
      port: modelPlan?.port ?? APP_PORT,
      persistent: modelPlan?.persistent ?? manifest?.persistent ?? false,
      command,
      ...(needsNothing(plan.needs) ? {} : { needs: plan.needs }),
    };
  }
}

function assertRuntime(runtime: string): Runtime {
  const parsed = Runtime.safeParse(runtime);
  if (!parsed.success) throw new InputError(`runtime '${runtime}' is not supported; Slipway runs node and static apps`);
  return parsed.data;
}

/** The plan as the model planner answered it (what the coder and repair prompts show); undefined for plans made by the templates. */
export function readModelPlan(plan: AppPlan): ModelPlan | undefined {
  if (plan.generator.kind !== 'model') return undefined;
  return {
    name: plan.name, title: plan.title, summary: plan.summary, runtime: plan.runtime, template: plan.template.id,
    features: plan.features, pages: plan.pages, apiRoutes: plan.routes, persistent: plan.persistent, needs: modelNeeds(plan.needs), port: plan.port,
  };
}

/** The plan's needs as the planner's schema writes them: every list present, `none` for no database. */
function modelNeeds(needs: AppNeeds): ModelPlan['needs'] {
  return {
    settings: (needs.settings ?? []).map((s) => ({ name: s.name, description: s.description, default: s.default ?? '' })),
    secrets: needs.secrets ?? [],
    database: needs.database ?? 'none',
    externals: needs.externals ?? [],
  };
}

/** Previous files, minus deletions, with the answer's entries laid over them (entries unchecked: guardrails follow). */
function mergeRepair(previous: readonly GeneratedFile[], entries: readonly unknown[], deleted: readonly string[]): unknown[] {
  const byPath = new Map<string, unknown>(previous.map((f) => [f.path, f]));
  const refused: unknown[] = [];
  for (const path of deleted) {
    // An unsafe deletion is surfaced through the guardrails as a refused entry with that path.
    if (pathProblem(path)) refused.push({ path, content: '' });
    else byPath.delete(path.replace(/^\.\//, ''));
  }
  const odd: unknown[] = [];
  for (const entry of entries) {
    const path = (entry as { path?: unknown }).path;
    if (typeof path === 'string') byPath.set(path.replace(/^\.\//, ''), entry);
    else odd.push(entry);
  }
  return [...byPath.values(), ...odd, ...refused];
}

function sameFiles(a: readonly GeneratedFile[], b: readonly GeneratedFile[]): boolean {
  if (a.length !== b.length) return false;
  const map = new Map(b.map((f) => [f.path, f.content]));
  return a.every((f) => map.get(f.path) === f.content);
}
