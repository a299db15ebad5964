import { z } from 'zod';
import { AppNeeds, Runtime } from './app-spec.ts';
import { Composition } from './composition.ts';

const Page = z.object({ path: z.string(), purpose: z.string() });
const Route = z.object({ method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']), path: z.string(), purpose: z.string() });

/** The bundled template an app is built from (the offline generator) or modelled on (a model's worked example). */
const PlannedTemplate = z.object({
  id: z.string(),
  version: z.string(),
  /** Who chose it: the `--template` flag, the offline scorer (its score is `score`), or the model that planned. */
  chosenBy: z.enum(['flag', 'scorer', 'model']),
  /** The scorer's score; `null` when the scorer did not choose. */
  score: z.number().nullable(),
  /** Keywords of the description that matched the template. */
  matched: z.array(z.string()),
  /** Every template the scorer considered, best first. */
  candidates: z.array(z.object({ template: z.string(), score: z.number() })),
  /** Why this choice, in words (e.g. that nothing matched and a fallback was used). */
  explanation: z.string().optional(),
  /** Values the template is filled with (title, heading, colours …); empty when a model writes the files. */
  params: z.record(z.string(), z.string()),
});

/** Who made the plan: the offline templates, or a model (with the prompt versions it was asked with). */
const PlanGenerator = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('template') }),
  // `model` is absent only in plans recorded before the planner's model was kept.
  z.object({ kind: z.literal('model'), model: z.string().optional(), prompts: z.record(z.string(), z.string()) }),
]);

const AppPlanShape = z.object({
  /** Suggested app name. */
  name: z.string(),
  title: z.string(),
  /** What the app does, in a sentence or two. */
  summary: z.string(),
  runtime: Runtime,
  /** User-visible features; pages the browser loads; the HTTP API the server offers (besides /healthz). */
  features: z.array(z.string()),
  pages: z.array(Page),
  routes: z.array(Route),
  /** Whether the app keeps data that must survive restarts. */
  persistent: z.boolean(),
  /** What the app reads from its environment besides PORT, HOST and DATA_DIR (settings with safe defaults, secrets), and a database or services outside the cluster. */
  needs: AppNeeds,
  /** What the planner's answer held that Slipway dropped or cut (a reserved name, too many entries), in words. */
  warnings: z.array(z.string()).optional(),
  port: z.number().int().min(1).max(65535),
  template: PlannedTemplate,
  /** What a composed app keeps and shows (template `composed`): its item, fields and views. */
  composition: Composition.optional(),
  generator: PlanGenerator,
});

/**
 * What to build, whoever planned it: the app in neutral terms (title, runtime, features, pages,
 * routes, data, needs, port), the template it is built from or modelled on, and the planner. Plans
 * recorded by older versions of Slipway (template-shaped, a model's plan as JSON text in
 * `params.plan`, plain settings as `env`) are read into this shape.
 */
export const AppPlan = z.preprocess(fromRecordedPlan, AppPlanShape);
export type AppPlan = z.infer<typeof AppPlanShape>;

/** Template parameters that were the model's plan and its planner, in plans recorded before the plan had fields for them. */
const MODEL_PARAMS = new Set(['plan', 'prompts', 'plannerModel']);

/**
 * An older recorded plan (`source: 'template' | 'llm'`, `template` a string) in today's shape; any
 * other value as it is, for the schema to check.
 */
function fromRecordedPlan(value: unknown): unknown {
  if (isRecord(value) && Array.isArray(value.env) && value.needs === undefined) {
    const { env, ...rest } = value;
    return { ...rest, needs: needsOfEnv(env) };
  }
  if (!isRecord(value) || typeof value.source !== 'string' || typeof value.template !== 'string') return value;
  const params = isRecord(value.params) ? value.params : {};
  const model = typeof params.plan === 'string' ? parseJson(params.plan) : undefined;
  const score = typeof value.score === 'number' ? value.score : null;
  const chosenBy = value.chosenBy ?? (score === null ? (value.source === 'llm' ? 'model' : 'flag') : 'scorer');
  const template = {
    id: value.template, version: value.templateVersion, chosenBy, score,
    matched: value.matched ?? [], candidates: value.candidates ?? [],
    ...(value.explanation === undefined ? {} : { explanation: value.explanation }),
    params: Object.fromEntries(Object.entries(params).filter(([key]) => !MODEL_PARAMS.has(key))),
  };
  // A model's plan that no longer reads is left for the schema to refuse: planning again is the fix.
  if (typeof params.plan === 'string' && !isRecord(model)) return value;
  if (value.source === 'llm') {
    const plan = isRecord(model) ? model : {};
    return {
      name: plan.name ?? '', title: plan.title ?? value.template, summary: plan.summary ?? '', runtime: value.runtime,
      features: plan.features ?? [], pages: plan.pages ?? [], routes: plan.apiRoutes ?? [], persistent: plan.persistent ?? false,
      needs: needsOfEnv(plan.env), port: plan.port ?? 8080, template,
      generator: { kind: 'model', ...(typeof params.plannerModel === 'string' ? { model: params.plannerModel } : {}), prompts: promptsOf(params.prompts) },
    };
  }
  return {
    name: '', title: params.title ?? value.template, summary: params.description ?? '', runtime: value.runtime,
    features: [], pages: [], routes: [], persistent: false, needs: {}, port: 8080, template, generator: { kind: 'template' },
  };
}

/** Plain settings as plans recorded them before `needs` (`env`: name, purpose, default) → `needs`. */
function needsOfEnv(env: unknown): AppNeeds {
  if (!Array.isArray(env) || env.length === 0) return {};
  return { settings: env.filter(isRecord).map((e) => ({ name: String(e.name), description: String(e.purpose ?? ''), default: String(e.default ?? '') })) };
}

/** `planner.v1 coder.v1` (how prompt versions were recorded) → { planner: 'planner.v1', coder: 'coder.v1' }. */
function promptsOf(recorded: unknown): Record<string, string> {
  if (typeof recorded !== 'string') return {};
  return Object.fromEntries(recorded.split(' ').filter(Boolean).map((id) => [id.split('.')[0]!, id]));
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
