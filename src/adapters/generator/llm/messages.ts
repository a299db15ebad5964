/**
 * The user turns sent to the models. Whatever came from a person or a model is fenced in tags and
 * named as data, so a request saying "ignore your rules" stays a description.
 */
import type { GeneratedFile } from '../../../domain/index.ts';
import type { AppPlan } from '../../../ports/index.ts';
import type { TemplateManifest } from '../template-manifest.ts';
import type { ModelPlan } from './schemas.ts';

/** Above this, files already written are listed by path only in a follow-up request. */
const MAX_ECHOED_BYTES = 48 * 1024;
/** The end of a failure is where the error is; the start is mostly noise. */
const MAX_FAILURE_CHARS = 12_000;

/** Escapes a closing tag inside tagged data, so data cannot end its own block. */
function tagged(tag: string, text: string): string {
  return `<${tag}>\n${text.replaceAll(`</${tag}>`, `<\\/${tag}>`)}\n</${tag}>`;
}

function fileBlock(file: GeneratedFile): string {
  const fence = file.content.includes('```') ? '~~~~' : '```';
  return `${fence} ${file.path}\n${file.content.replace(/\n$/, '')}\n${fence}`;
}

/**
 * Stage 1: the request and the templates the planner may name as the closest kind.
 * @example plannerMessage('a pomodoro timer', templates).includes('<request>') // true
 */
export function plannerMessage(description: string, templates: readonly TemplateManifest[], override?: string): string {
  const list = templates.map((t) => `- ${t.id} (${t.runtime}${t.persistent ? ', keeps data' : ''}): ${t.title}. ${t.description}`).join('\n');
  const pinned = override ? `\nThe person chose the template "${override}"; use it as \`template\`.\n` : '';
  return `${tagged('request', description)}\n\nBundled templates:\n${list}\n${pinned}\nCall submit_plan with the plan.`;
}

/** The plan as the coder reads it: the model plan when there is one, else what the template plan says. */
export function planText(plan: AppPlan, modelPlan: ModelPlan | undefined): string {
  if (modelPlan) return JSON.stringify(modelPlan, null, 2);
  return JSON.stringify({ runtime: plan.runtime, template: plan.template.id, params: plan.template.params }, null, 2);
}

/**
 * Stage 2: the app, its plan, and the closest template's files as the worked example.
 * @example coderMessage({ name: 'notes', description: 'notes' }, plan, modelPlan, exampleFiles)
 */
export function coderMessage(app: { name: string; description: string }, plan: AppPlan, modelPlan: ModelPlan | undefined, example: readonly GeneratedFile[]): string {
  const parts = [
    `App name (use it as the package name): ${app.name}`,
    `Runtime: ${plan.runtime}`,
    tagged('request', app.description),
    tagged('plan', planText(plan, modelPlan)),
  ];
  if (example.length > 0) {
    parts.push(`Example: the bundled "${plan.template.id}" template, a working Slipway app of this kind.\n${tagged('example', example.map(fileBlock).join('\n\n'))}`);
  }
  parts.push('Call write_files with every file of the app.');
  return parts.join('\n\n');
}

/**
 * A follow-up after an answer was cut off at the output limit: what is already done, what is left.
 * @example continuationNote(files, 'public/app.js').includes('public/app.js') // true
 */
export function continuationNote(done: readonly GeneratedFile[], partialPath: string | undefined): string {
  const bytes = done.reduce((n, f) => n + Buffer.byteLength(f.content), 0);
  const listing = bytes <= MAX_ECHOED_BYTES ? done.map(fileBlock).join('\n\n') : done.map((f) => `- ${f.path}`).join('\n');
  const restart = partialPath ? `It stopped inside ${partialPath}: write that file again from its first line, whole. ` : '';
  return [
    'Your previous answer was cut off at the output limit. These files arrived complete; do not write them again:',
    tagged('written', listing),
    `${restart}Call write_files again with only the files that are still missing, each one whole. Keep them short.`,
  ].join('\n\n');
}

/** Asks again after an answer that could not be used at all (no tool call, wrong shape). */
export function correctionNote(tool: string, problem: string): string {
  return `Your previous answer could not be used: ${problem}. Call the ${tool} tool exactly once, with arguments that match its schema. Do not answer in prose.`;
}

/**
 * Repair: the failure and every current file; the model answers with changed files only.
 * @example repairMessage(app, plan, modelPlan, previous.files, 'start: SyntaxError …')
 */
export function repairMessage(app: { name: string; description: string }, plan: AppPlan, modelPlan: ModelPlan | undefined, files: readonly GeneratedFile[], failure: string): string {
  const trimmed = failure.length > MAX_FAILURE_CHARS ? `…${failure.slice(-MAX_FAILURE_CHARS)}` : failure;
  return [
    `App name: ${app.name}`,
    `Runtime: ${plan.runtime}`,
    tagged('request', app.description),
    tagged('plan', planText(plan, modelPlan)),
    `What failed:\n${tagged('failure', trimmed)}`,
    `The app's current files:\n${tagged('files', files.map(fileBlock).join('\n\n'))}`,
    'Call write_files with the corrected files and any files to delete.',
  ].join('\n\n');
}

/**
 * Change: what the person asks for now, the app's plan and every current file; the model answers
 * with the files that change and the files to delete only.
 * @example changeMessage(app, plan, modelPlan, current.files, 'add a reset button')
 */
export function changeMessage(app: { name: string; description: string }, plan: AppPlan, modelPlan: ModelPlan | undefined, files: readonly GeneratedFile[], request: string): string {
  return [
    `App name: ${app.name}`,
    `Runtime: ${plan.runtime}`,
    `What the app was made for:\n${tagged('request', app.description)}`,
    tagged('plan', planText(plan, modelPlan)),
    `The app's current files:\n${tagged('files', files.map(fileBlock).join('\n\n'))}`,
    `The change to make:\n${tagged('change', request)}`,
    'Call write_files with the files the change adds or alters and any files to delete.',
  ].join('\n\n');
}
