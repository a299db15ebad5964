/**
 * The structured answers asked of the models: a plan (stage 1) and files (stage 2 and repairs).
 * Each is one zod schema; the JSON Schema sent as the tool's parameters is derived from it.
 */
import { z } from 'zod';
import { normaliseModelPlan } from './plan-normalise.ts';
import type { JsonSchema, ToolSpec } from './providers/types.ts';

/** An env-var name as the model is asked for it; reserved names and other slips are handled when the plan is read. */
const EnvNameWire = z.string().regex(/^[A-Z][A-Z0-9_]*$/, 'an env name in UPPER_SNAKE_CASE, e.g. API_KEY');

const Route = z.object({
  method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']),
  path: z.string().min(1).max(200).describe('URL path starting with /api/, e.g. /api/notes/:id'),
  purpose: z.string().max(300),
});

/** Stage 1: the request as technical requirements. `template` is limited to the bundled template ids. */
export function modelPlanSchema(templateIds: readonly [string, ...string[]]) {
  return z.object({
    name: z.string().max(200).describe('Suggested app name: lowercase letters, digits and -, at most 40 characters'),
    title: z.string().min(1).max(80).describe('Human title shown in the page header'),
    summary: z.string().min(1).max(600).describe('One or two sentences: what the app does'),
    runtime: z.enum(['static', 'node']).describe('static: everything runs in the browser; node: the server keeps data or has API routes'),
    template: z.enum(templateIds).describe('The bundled template closest in kind, used as the style and structure example'),
    features: z.array(z.string().min(1).max(200)).max(30).describe('User-visible features, one per entry'),
    pages: z.array(z.object({ path: z.string().min(1).max(200), purpose: z.string().max(300) })).max(20).describe('Pages the browser loads'),
    apiRoutes: z.array(Route).max(30).describe('HTTP API routes served by server.js (empty for static apps); GET /healthz is implied'),
    persistent: z.boolean().describe('true when data must survive restarts (kept under $DATA_DIR)'),
    needs: z.object({
      settings: z.array(z.object({
        name: EnvNameWire.describe('Variable name in UPPER_SNAKE_CASE, e.g. GREETING or API_BASE_URL'),
        description: z.string().max(300).describe('What the setting changes, for the person who sets it'),
        default: z.string().max(200).describe('The safe value the app uses when it is not set'),
      })).max(20).describe('Plain settings the app reads from its environment, each with a safe default (empty when none)'),
      secrets: z.array(z.object({
        name: EnvNameWire.describe('Variable name in UPPER_SNAKE_CASE, e.g. WEATHER_API_KEY'),
        description: z.string().max(300).describe('What the secret is and where the person gets it'),
      })).max(10).describe('Secrets the app reads from its environment (API keys, tokens, passwords); values are never in the plan (empty when none)'),
      database: z.enum(['none', 'postgres']).describe('postgres only when the request asks for a database or clearly needs one; the app then reads DATABASE_URL'),
      externals: z.array(z.string().regex(/^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$/)).max(10)
        .describe('Names of services outside the cluster the request names, e.g. nas or printer (empty when none)'),
    }).describe('What the app needs besides its code, besides PORT, HOST and DATA_DIR which Slipway always sets'),
    port: z.number().int().min(1024).max(65535).describe('Port inside the container; 8080 unless there is a reason'),
  });
}
export type ModelPlan = z.infer<ReturnType<typeof modelPlanSchema>>;

/**
 * How a model's plan is read: normalised first (see {@link normaliseModelPlan}: `api key` → `API_KEY`,
 * spaces trimmed, duplicates dropped), then checked against {@link modelPlanSchema} — all but
 * `needs`, which is taken as it comes and checked entry by entry afterwards (`checkNeeds`): a bad
 * or reserved name there drops that entry with a warning instead of costing the whole plan.
 */
export function modelPlanAnswer(templateIds: readonly [string, ...string[]]) {
  return z.preprocess(normaliseModelPlan, modelPlanSchema(templateIds).extend({ needs: z.unknown() }));
}

const FileOut = z.object({
  path: z.string().describe('Path relative to the app folder, with / between folders, e.g. public/index.html'),
  content: z.string().describe('The whole file, as text'),
});

/** Stage 2: the app's files. Entries are parsed loosely so that stray fields reach the guardrails. */
export const WriteFilesWire = z.object({ files: z.array(FileOut).describe('Every file of the app, each complete') });
export const WriteFilesParsed = z.object({ files: z.array(z.looseObject({ path: z.unknown(), content: z.unknown() })) });

/** Repairs: `delete` first, so it is complete even when a long answer is cut off in `files`. */
export const RepairFilesWire = z.object({
  delete: z.array(z.string()).describe('Paths of files to remove (usually empty)'),
  files: z.array(FileOut).describe('Only the files that change or are new, each complete'),
});
export const RepairFilesParsed = z.object({
  delete: z.array(z.string()).default([]),
  files: z.array(z.looseObject({ path: z.unknown(), content: z.unknown() })),
});

/** Keywords every provider's tool schemas accept (OpenAI strict mode is the narrowest). */
const KEPT = new Set(['type', 'properties', 'required', 'additionalProperties', 'items', 'enum', 'description', 'anyOf']);

/** The constraints that are dropped from the schema, in words for the description the model reads. */
const IN_WORDS: Record<string, (value: unknown, node: Record<string, unknown>) => string> = {
  pattern: (v) => `must match the regular expression ${String(v)}`,
  minLength: (v) => `at least ${String(v)} characters`,
  maxLength: (v) => `at most ${String(v)} characters`,
  minItems: (v) => `at least ${String(v)} entries`,
  maxItems: (v) => `at most ${String(v)} entries`,
  minimum: (v, node) => `${node.type === 'integer' ? 'a whole number ' : ''}at least ${String(v)}`,
  maximum: (v) => `at most ${String(v)}`,
  format: (v) => `format ${String(v)}`,
};

function trim(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(trim);
  if (!node || typeof node !== 'object') return node;
  const source = node as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(source)) {
    if (!KEPT.has(key)) continue;
    out[key] = key === 'properties' ? Object.fromEntries(Object.entries(value as object).map(([k, v]) => [k, trim(v)])) : trim(value);
  }
  // A model never sees a dropped constraint, so it is said in the description, where every provider shows it.
  const rules = Object.entries(source).filter(([key]) => key in IN_WORDS).map(([key, value]) => IN_WORDS[key]!(value, source));
  if (rules.length > 0) out.description = `${typeof out.description === 'string' ? `${out.description} ` : ''}(${rules.join('; ')})`;
  return out;
}

/**
 * The JSON Schema for a tool's parameters: every property required, no extra properties, and only
 * the keywords all providers accept; the limits that takes away are written into the descriptions
 * (and checked on our side after parsing).
 * @example toolParameters(WriteFilesWire).required // ['files']
 */
export function toolParameters(schema: z.ZodType): JsonSchema {
  return trim(z.toJSONSchema(schema, { io: 'output' })) as JsonSchema;
}

export const PLAN_TOOL = 'submit_plan';
export const FILES_TOOL = 'write_files';

export function planTool(templateIds: readonly [string, ...string[]]): ToolSpec {
  return {
    name: PLAN_TOOL,
    description: 'Submit the technical plan for the requested web app.',
    parameters: toolParameters(modelPlanSchema(templateIds)),
  };
}

export function filesTool(partial: false | 'repair' | 'change'): ToolSpec {
  const descriptions = {
    repair: 'Write the corrected files (whole files, only those that change) and list files to delete.',
    change: 'Write the files the change adds or alters (whole files, only those) and list files to delete.',
  };
  return {
    name: FILES_TOOL,
    description: partial ? descriptions[partial] : 'Write every file of the app, each one whole.',
    parameters: toolParameters(partial ? RepairFilesWire : WriteFilesWire),
  };
}
