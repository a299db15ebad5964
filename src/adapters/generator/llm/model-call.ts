/**
 * Asking a model for a structured answer and getting a usable one: the tool call parsed and
 * validated, JSON recovered from prose, files recovered from markdown, cut-off answers continued —
 * every path bounded, so a bad model costs a known number of calls, never a loop.
 */
import type { z } from 'zod';
import { ExternalServiceError } from '../../../domain/errors.ts';
import type { GeneratedFile } from '../../../domain/index.ts';
import { extractJsonObject, salvageFiles, type SalvagedFiles } from './json-extract.ts';
import { filesFromMarkdown } from './markdown-files.ts';
import { continuationNote, correctionNote } from './messages.ts';
import type { ChatProvider, ChatResult, ToolSpec } from './providers/types.ts';

export type Stage = 'plan' | 'generate' | 'repair' | 'change';
export type CallKind = 'initial' | 'continuation' | 'correction';

/** Tokens one model call used: for cost accounting and the run's timeline. */
export interface LlmUsageEvent {
  stage: Stage;
  call: CallKind;
  provider: string;
  model: string;
  inputTokens: number;
  outputTokens: number;
  durationMs: number;
  attempts: number;
  stopReason: string;
}

/** Something worth recording about how an answer was obtained. */
export type LlmEvent =
  | { type: 'recovered'; stage: Stage; how: 'json-in-text' | 'json-in-arguments' | 'markdown' }
  | { type: 'continuation'; stage: Stage; complete: number; partialPath?: string | undefined }
  | { type: 'correction'; stage: Stage; problem: string };

export interface CallContext {
  chat: ChatProvider;
  /** `OpenAI`, `Anthropic` …: who is named in errors. */
  service: string;
  stream: boolean;
  maxTokens: number;
  temperature?: number | undefined;
  maxContinuations: number;
  onUsage?: ((event: LlmUsageEvent) => void) | undefined;
  onEvent?: ((event: LlmEvent) => void) | undefined;
}

interface Ask {
  stage: Stage;
  model: string;
  system: string;
  user: string;
  tool: ToolSpec;
  signal?: AbortSignal | undefined;
}

async function call(ctx: CallContext, ask: Ask, kind: CallKind, user: string): Promise<ChatResult> {
  const started = performance.now();
  const result = await ctx.chat.complete({
    model: ask.model,
    system: ask.system,
    messages: [{ role: 'user', content: user }],
    tool: ask.tool,
    maxTokens: ctx.maxTokens,
    temperature: ctx.temperature,
    stream: ctx.stream,
    signal: ask.signal,
  });
  ctx.onUsage?.({
    stage: ask.stage, call: kind, provider: ctx.chat.name, model: result.model,
    inputTokens: result.usage.inputTokens, outputTokens: result.usage.outputTokens,
    durationMs: Math.round(performance.now() - started), attempts: result.attempts, stopReason: result.stopReason,
  });
  return result;
}

type Parsed<T> = { value: T; how?: 'json-in-text' | 'json-in-arguments' | 'markdown' } | { problem: string };

function issues(error: z.ZodError): string {
  return error.issues.slice(0, 5).map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
}

/** The tool's arguments from a complete answer, validated; with `markdown`, files written in chat count too. */
export function parseAnswer<T>(result: ChatResult, schema: z.ZodType<T>, options: { markdown: boolean }): Parsed<T> {
  const accept = (v: unknown) => schema.safeParse(v).success;
  if (result.tool) {
    let value: unknown;
    let how: 'json-in-arguments' | undefined;
    if ('input' in result.tool) value = result.tool.input;
    else {
      try {
        value = JSON.parse(result.tool.raw);
      } catch {
        // Small local models sometimes wrap the arguments in prose or a fence.
        value = extractJsonObject(result.tool.raw, accept);
        how = 'json-in-arguments';
        if (value === undefined) return { problem: `the ${result.tool.name} arguments are not JSON` };
      }
    }
    const parsed = schema.safeParse(value);
    if (parsed.success) return how ? { value: parsed.data, how } : { value: parsed.data };
    return { problem: `the ${result.tool.name} arguments do not match its schema (${issues(parsed.error)})` };
  }
  if (result.text.trim()) {
    const value = extractJsonObject(result.text, accept);
    if (value !== undefined) return { value: schema.parse(value), how: 'json-in-text' };
    if (options.markdown) {
      const files = filesFromMarkdown(result.text);
      const parsed = schema.safeParse({ files, delete: [] });
      if (files.length > 0 && parsed.success) return { value: parsed.data, how: 'markdown' };
    }
    return { problem: 'it answered in text without calling the tool, and no usable JSON was in the text' };
  }
  return { problem: 'the answer was empty' };
}

/**
 * One structured answer (the plan): at most one corrective follow-up when the answer is unusable;
 * a cut-off answer fails at once, since a plan that does not fit means maxTokens is far too low.
 */
export async function askStructured<T>(ctx: CallContext, ask: Ask, schema: z.ZodType<T>): Promise<T> {
  let user = ask.user;
  for (let round = 0; ; round++) {
    const result = await call(ctx, ask, round === 0 ? 'initial' : 'correction', user);
    if (result.truncated) throw truncated(ctx, ask.stage, 1, []);
    const parsed = parseAnswer(result, schema, { markdown: false });
    if ('value' in parsed) {
      if (parsed.how) ctx.onEvent?.({ type: 'recovered', stage: ask.stage, how: parsed.how });
      return parsed.value;
    }
    if (round >= 1) throw unusable(ctx, ask, parsed.problem);
    ctx.onEvent?.({ type: 'correction', stage: ask.stage, problem: parsed.problem });
    user = `${ask.user}\n\n${correctionNote(ask.tool.name, parsed.problem)}`;
  }
}

/** What a files answer amounts to: entries as the model gave them (unchecked) and paths to delete. */
export interface FilesAnswer {
  entries: unknown[];
  deleted: string[];
}

/**
 * Asks for files; when an answer stops at the output limit, keeps its complete files and asks for
 * the rest, up to `maxContinuations` times, then fails with "truncated output".
 */
export async function askFiles(ctx: CallContext, ask: Ask, schema: z.ZodType<{ files: unknown[]; delete?: string[] }>): Promise<FilesAnswer> {
  const byPath = new Map<string, unknown>();
  const odd: unknown[] = [];
  const deleted = new Set<string>();
  const keep = (entries: readonly unknown[]) => {
    let added = 0;
    for (const entry of entries) {
      const path = (entry as { path?: unknown } | null)?.path;
      if (typeof path !== 'string') odd.push(entry);
      else {
        if (!byPath.has(path)) added++;
        byPath.set(path, entry);
      }
    }
    return added;
  };
  let user = ask.user;
  let kind: CallKind = 'initial';
  let continuations = 0;
  let corrected = false;
  for (;;) {
    const result = await call(ctx, ask, kind, user);
    if (result.truncated) {
      const salvage = salvageFrom(result);
      const added = keep(salvage.files);
      salvage.deleted.forEach((p) => deleted.add(p));
      const done = completeFiles(byPath);
      if (continuations >= ctx.maxContinuations || added === 0) throw truncated(ctx, ask.stage, continuations + 1, done);
      continuations++;
      ctx.onEvent?.({ type: 'continuation', stage: ask.stage, complete: done.length, partialPath: salvage.partialPath });
      user = `${ask.user}\n\n${continuationNote(done, salvage.partialPath)}`;
      kind = 'continuation';
      continue;
    }
    const parsed = parseAnswer(result, schema, { markdown: true });
    if ('problem' in parsed) {
      if (corrected || continuations > 0) throw unusable(ctx, ask, parsed.problem);
      corrected = true;
      ctx.onEvent?.({ type: 'correction', stage: ask.stage, problem: parsed.problem });
      user = `${ask.user}\n\n${correctionNote(ask.tool.name, parsed.problem)}`;
      kind = 'correction';
      continue;
    }
    if (parsed.how) ctx.onEvent?.({ type: 'recovered', stage: ask.stage, how: parsed.how });
    keep(parsed.value.files);
    (parsed.value.delete ?? []).forEach((p) => deleted.add(p));
    return { entries: [...byPath.values(), ...odd], deleted: [...deleted] };
  }
}

/** The complete entries of a cut-off answer, whichever form it came in. */
function salvageFrom(result: ChatResult): SalvagedFiles {
  if (result.tool && 'input' in result.tool) {
    // A parsed object from a cut-off answer: its last file may be cut short, so it is never kept.
    const input = result.tool.input as { files?: unknown; delete?: unknown } | null;
    const files = Array.isArray(input?.files) ? input.files : [];
    const last = files.at(-1) as { path?: unknown } | undefined;
    // `delete` comes before `files`, so it is whole once a file has started.
    const deleted = files.length > 0 && Array.isArray(input?.delete) ? input.delete.filter((p): p is string => typeof p === 'string') : [];
    return { files: files.slice(0, -1), deleted, partialPath: typeof last?.path === 'string' ? last.path : undefined };
  }
  if (result.tool) return salvageFiles(result.tool.raw);
  if (/"files"\s*:\s*\[/.test(result.text)) return salvageFiles(result.text);
  return { files: filesFromMarkdown(result.text), deleted: [] };
}

function completeFiles(byPath: ReadonlyMap<string, unknown>): GeneratedFile[] {
  const out: GeneratedFile[] = [];
  for (const [path, entry] of byPath) {
    const content = (entry as { content?: unknown }).content;
    if (typeof content === 'string') out.push({ path, content });
  }
  return out;
}

function truncated(ctx: CallContext, stage: Stage, times: number, done: readonly GeneratedFile[]): ExternalServiceError {
  const got = done.length > 0 ? `; ${done.length} file${done.length === 1 ? ' was' : 's were'} complete (${done.map((f) => f.path).join(', ')})` : '';
  const tries = times === 1 ? 'once' : `${times} times`;
  return new ExternalServiceError(ctx.service, `truncated output: the ${stage} answer stopped at the output limit (${ctx.maxTokens} tokens) ${tries}${got}`, {
    hint: 'Raise maxTokens for this model, allow more continuations, or ask for a smaller app.',
  });
}

function unusable(ctx: CallContext, ask: Ask, problem: string): ExternalServiceError {
  return new ExternalServiceError(ctx.service, `the ${ask.stage} answer could not be used twice in a row: ${problem}`, {
    hint: 'The model does not call tools reliably; try another model, or the template generator.',
  });
}
