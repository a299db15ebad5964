import { describeComposition, type AppSpec } from '../../domain/index.ts';
import { escapeMarkdown } from '../../domain/text-escape.ts';
import type { AppPlan, GeneratorInfo } from '../../ports/index.ts';

/** One verification attempt, as the provenance keeps it (no timings: they differ on every run). */
export interface ProvenanceAttempt {
  attempt: number;
  ok: boolean;
  checks: Array<{ name: string; ok: boolean }>;
  failure?: string;
  files: number;
  repairedFiles?: string[];
}

/** Everything SLIPWAY.md says. Only these values go in, so the same record gives the same bytes. */
export interface ProvenanceRecord {
  app: string;
  description: string;
  plan: AppPlan;
  spec: AppSpec;
  generator: GeneratorInfo;
  runId: string;
  slipwayVersion: string;
  /** Absent when the app was not verified. */
  attempts?: ProvenanceAttempt[];
}

/**
 * SLIPWAY.md: how an app came to be, for people (prose and tables) and tools (a JSON block with
 * sorted keys). Pure and deterministic.
 * @example writeFile(join(dir, 'SLIPWAY.md'), renderProvenance({ app, description, plan, spec, generator: generator.info, runId, slipwayVersion: '0.1.0' }));
 */
export function renderProvenance(record: ProvenanceRecord): string {
  const { plan, spec, generator } = record;
  const { template } = plan;
  const lines: string[] = [
    `# ${record.app}`,
    '',
    `Made by Slipway ${record.slipwayVersion} in run \`${record.runId}\`. Slipway writes this file with every generated version of the app; edits to it are replaced.`,
    '',
    '## Request',
    '',
    // Escaped as the templates' README escapes it: the request is text, never HTML or Markdown.
    ...record.description.split('\n').map((line) => `> ${escapeMarkdown(line)}`.trimEnd()),
    '',
    '## Plan',
    '',
    `- Planned by: ${plan.generator.kind === 'model' ? 'a model' : 'the offline templates'}`,
    `- Title: ${escapeMarkdown(oneLine(plan.title))}`,
    `- Template: ${template.id} ${template.version}`,
    ...(template.score === null ? [] : [`- Score: ${template.score}${template.matched.length > 0 ? ` (matched: ${template.matched.join(', ')})` : ''}`]),
    ...(template.explanation ? [`- Why: ${escapeMarkdown(oneLine(template.explanation))}`] : []),
    ...(plan.composition ? [`- Keeps: ${escapeMarkdown(describeComposition(plan.composition))}`] : []),
    ...(plan.features.length > 0 ? [`- Features: ${escapeMarkdown(plan.features.map(oneLine).join('; '))}`] : []),
    ...table(['Parameter', 'Value'], sortedEntries(template.params).map(([k, v]) => [k, v])),
    '## Generator',
    '',
    `- Kind: ${generator.kind}`,
    ...(generator.provider ? [`- Provider: ${generator.provider}`] : []),
    ...(generator.models ? [`- Models: ${sortedEntries(generator.models).map(([stage, model]) => `${stage} ${model}`).join(', ')}`] : []),
    ...promptVersions(plan.generator.kind === 'model' ? plan.generator.prompts : {}),
    ...(generator.kind === 'template' ? [`- Template used: ${spec.template} ${spec.templateVersion}`] : []),
    `- App: runtime ${spec.runtime}, started with \`${spec.command.join(' ')}\`, port ${spec.port}${spec.persistent ? ', keeps data under $DATA_DIR' : ''}`,
    '',
    ...verification(record.attempts),
    '## Record',
    '',
    // <, > and & as \u escapes: the same JSON once parsed, and no tag from the request anywhere in the file.
    fenced(sortedJson(toJsonRecord(record)).replace(/[<>&]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`), 'json'),
    '',
  ];
  return `${lines.join('\n').replace(/\n{3,}/g, '\n\n').trimEnd()}\n`;
}

/**
 * The JSON record at the end of a SLIPWAY.md (what {@link renderProvenance} wrote under "Record"),
 * unchecked; undefined when the text has none or it is not JSON.
 * @example readProvenanceRecord(renderProvenance(record))?.description === record.description // true
 */
export function readProvenanceRecord(text: string): Record<string, unknown> | undefined {
  const json = /(`{3,})json\n([\s\S]*?)\n\1/.exec(text)?.[2];
  if (!json) return undefined;
  try {
    const value: unknown = JSON.parse(json);
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function promptVersions(prompts: Record<string, string>): string[] {
  const entries = sortedEntries(prompts);
  return entries.length > 0 ? [`- Prompt versions: ${entries.map(([stage, id]) => `${stage} ${id}`).join(', ')}`] : [];
}

function verification(attempts: ProvenanceAttempt[] | undefined): string[] {
  if (!attempts) return ['## Verification', '', 'Not verified.', ''];
  const rows = attempts.map((a) => [
    String(a.attempt),
    a.ok ? 'passed' : `failed at ${a.checks.find((c) => !c.ok)?.name ?? 'an unknown check'}`,
    a.checks.map((c) => `${c.name} ${c.ok ? 'ok' : 'failed'}`).join(', '),
    a.repairedFiles ? a.repairedFiles.join(', ') || '(none)' : '',
  ]);
  const failures = attempts.filter((a) => a.failure).flatMap((a) => [`### Attempt ${a.attempt}: what failed`, '', fenced(a.failure!, 'text'), '']);
  return ['## Verification', '', ...table(['Attempt', 'Result', 'Checks', 'Repaired files'], rows), ...failures];
}

/** The record as data, with only what is stable between identical runs. */
function toJsonRecord(record: ProvenanceRecord): unknown {
  return {
    app: record.app,
    description: record.description,
    generator: record.generator,
    plan: record.plan,
    runId: record.runId,
    slipwayVersion: record.slipwayVersion,
    spec: record.spec,
    ...(record.attempts
      ? { verification: record.attempts.map((a) => ({ ...a, checks: a.checks.map((c) => ({ name: c.name, ok: c.ok })) })) }
      : {}),
  };
}

function table(header: string[], rows: string[][]): string[] {
  if (rows.length === 0) return [''];
  // escapeMarkdown escapes `|` too, so no value can add a column.
  const cell = (text: string) => escapeMarkdown(oneLine(text));
  return [
    '',
    `| ${header.join(' | ')} |`,
    `|${header.map(() => ' --- |').join('')}`,
    ...rows.map((row) => `| ${row.map(cell).join(' | ')} |`),
    '',
  ];
}

/** A code block whose fence is longer than any backtick run inside, so no content can close it early. */
function fenced(text: string, language: string): string {
  const longest = Math.max(0, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(Math.max(3, longest + 1));
  return `${fence}${language}\n${text.trimEnd()}\n${fence}`;
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}

function sortedEntries(object: Record<string, string>): Array<[string, string]> {
  return Object.entries(object).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * JSON with every object's keys in byte order and two-space indents, whatever order the values
 * were built in.
 * @example sortedJson({ b: 1, a: 2 }) // '{\n  "a": 2,\n  "b": 1\n}'
 */
export function sortedJson(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) => {
    if (item === null || typeof item !== 'object' || Array.isArray(item)) return item;
    const sorted: Record<string, unknown> = {};
    for (const key of Object.keys(item).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))) sorted[key] = (item as Record<string, unknown>)[key];
    return sorted;
  }, 2);
}
