import { assertDescription, deriveAppName, describeComposition, InputError, needsNothing, withArticle, type AppSpec, type Composition } from '../../domain/index.ts';
import type { AppPlan, AppRequest, ChangedApp, CodeGenerator, GeneratedApp } from '../../ports/index.ts';
import { compareCodeUnits } from '../../domain/compare.ts';
import { listTemplates, loadTemplate, TEMPLATE_ID, type TemplateManifest } from './template-manifest.ts';
import { NEEDS_MODEL_HINT, templateChange } from './template-change.ts';
import { deriveParams, resolveParams } from './template-params.ts';
import { readTemplateParts, readTemplateSources, type TemplateParts } from './template-parts.ts';
import { fillPlaceholders } from './template-render.ts';
import { chooseTemplate, scoreTemplate, tokenize, type TemplateChoice } from './template-scorer.ts';
import { composeApp } from './compose/compose-app.ts';
import { COMPOSED_ID, COMPOSED_MANIFEST, strongScore } from './compose/composed-template.ts';
import { changeComposition } from './compose/change-composition.ts';
import { namedFields, readRequest } from './compose/read-request.ts';

export { listTemplates } from './template-manifest.ts';

/** What `--template` may name: the bundled templates and `composed`, by id. */
export async function listOfflineTemplates(templatesDir: string): Promise<TemplateManifest[]> {
  return [...(await listTemplates(templatesDir)), COMPOSED_MANIFEST].sort((a, b) => compareCodeUnits(a.id, b.id));
}
export type { TemplateManifest } from './template-manifest.ts';

/** Where generated apps listen inside their container; the local runtime passes $PORT instead. */
export const APP_PORT = 8080;

export interface TemplateGeneratorOptions {
  /** Folder holding one sub-folder per template (`<id>/template.json` and `<id>/files/`). */
  templatesDir: string;
}

/**
 * The offline generator: chooses one of the bundled templates by keywords and fills in its
 * parameters. No network, no model; the same plan always gives the same bytes.
 * @example
 * const generator = new TemplateGenerator({ templatesDir: '/opt/slipway/templates' });
 * const plan = await generator.plan({ description: 'a pomodoro timer with a dark theme' });
 * const { spec, files } = await generator.generate(plan, { name: 'pomodoro-timer', description: 'a pomodoro timer with a dark theme' });
 */
export class TemplateGenerator implements CodeGenerator {
  readonly info = { kind: 'template' } as const;
  private readonly templatesDir: string;

  constructor(options: TemplateGeneratorOptions) {
    this.templatesDir = options.templatesDir;
  }

  async plan(request: AppRequest, signal?: AbortSignal): Promise<AppPlan> {
    signal?.throwIfAborted();
    const description = assertDescription(request.description);
    const templates = await listTemplates(this.templatesDir);
    const composing = request.template === COMPOSED_ID;
    const choice = chooseTemplate(description, templates, { override: composing ? undefined : request.template });
    // A template that fits well wins, not counting the names of the fields the request lists ("a wine
    // list with … tasting notes" is not a notes app); else a request that names things to keep gets an
    // app composed for them.
    const fitScore = scoreWithoutFields(choice, description, templates);
    const composition = composing || (request.template === undefined && fitScore < strongScore(choice.template)) ? readRequest(description) : undefined;
    if (composing && !composition) {
      throw new InputError('the request names nothing to keep, so there is no app to compose', {
        hint: 'Say what the app keeps and shows, e.g. "a recipe box" or "a weight log with a chart", or choose another --template.',
      });
    }
    const manifest = composition ? COMPOSED_MANIFEST : templates.find((t) => t.id === choice.template)!;
    const defaults = Object.fromEntries(Object.entries(manifest.parameters).map(([name, p]) => [name, p.default]));
    const params = resolveParams(manifest, deriveParams(description, defaults));
    // The template decides what the app is; the plan says it in the terms every generator uses.
    return {
      name: deriveAppName(description, new Set()),
      title: params.title ?? manifest.title,
      summary: params.description ?? manifest.description,
      runtime: manifest.runtime,
      ...(composition ? composedShape(composition) : { features: [], pages: [], routes: [] }),
      persistent: manifest.persistent,
      needs: manifest.needs ?? {},
      port: APP_PORT,
      template: {
        id: manifest.id,
        version: manifest.version,
        ...(composition ? composedChoice(choice, composition, composing, fitScore) : plannedChoice(choice)),
        params,
      },
      ...(composition ? { composition } : {}),
      generator: { kind: 'template' },
    };
  }

  /**
   * Fills the planned template. The app's name becomes `appName`; the template on disk is used even
   * if its version moved on since planning, and the spec records the version actually used.
   */
  async generate(plan: AppPlan, app: { name: string; description: string }, signal?: AbortSignal): Promise<GeneratedApp> {
    signal?.throwIfAborted();
    if (plan.template.id === COMPOSED_ID) return composedApp(plan, app, await readTemplateParts(this.templatesDir));
    if (!TEMPLATE_ID.test(plan.template.id)) throw new InputError(`'${plan.template.id}' is not a template id`);
    const manifest = await loadTemplate(this.templatesDir, plan.template.id);
    const values = resolveParams(manifest, { ...plan.template.params, appName: app.name });
    // Parts are included first, then placeholders filled: a part's are escaped for the file that includes it.
    const sources = await readTemplateSources(this.templatesDir, manifest.id, signal);
    const files = sources
      .map((file) => ({ path: file.path, content: fillPlaceholders(`${manifest.id}/files/${file.path}`, file.content, values) }))
      .sort((a, b) => compareCodeUnits(a.path, b.path));
    const spec: AppSpec = {
      name: app.name,
      description: app.description,
      template: manifest.id,
      templateVersion: manifest.version,
      runtime: manifest.runtime,
      port: APP_PORT,
      persistent: manifest.persistent,
      command: ['node', 'server.js'],
      // The plan's needs: the template's, and a database asked for on top (`--database postgres`).
      ...(needsNothing(plan.needs) ? {} : { needs: plan.needs }),
    };
    return { spec, files };
  }

  /**
   * Re-renders the app's template with the parameters the request sets laid over the ones it has
   * (title, heading, description, theme, colours). An app a model wrote or changed is not a template's
   * any more: re-rendering would drop that work, so its changes need a model.
   */
  async change(plan: AppPlan, app: { name: string; description: string }, _current: GeneratedApp, request: string, signal?: AbortSignal): Promise<ChangedApp> {
    if (plan.generator.kind !== 'template') {
      throw new InputError(`${app.name} was written by a model, so the offline templates cannot change it; this change needs a model`, { hint: NEEDS_MODEL_HINT });
    }
    if (plan.template.id === COMPOSED_ID) return this.changeComposed(plan, app, request, signal);
    const manifest = await loadTemplate(this.templatesDir, plan.template.id);
    const params = resolveParams(manifest, { ...plan.template.params, ...templateChange(request, manifest, plan.template.params) });
    const changed: AppPlan = { ...plan, title: params.title ?? plan.title, template: { ...plan.template, params } };
    return { ...(await this.generate(changed, app, signal)), plan: changed };
  }

  /**
   * A composed app also changes what it keeps and shows: fields and views added or removed, the
   * board's columns ("add a chart of the cost", "remove the notes field"); the rest of the request
   * sets the title, theme and colours as for a template. Its items stay in its data file.
   */
  private async changeComposed(plan: AppPlan, app: { name: string; description: string }, request: string, signal?: AbortSignal): Promise<ChangedApp> {
    if (!plan.composition) throw new InputError(`the plan for ${app.name} is for a composed app but says nothing about what it keeps; plan the app again`);
    const { composition, done, rest } = changeComposition(request, plan.composition);
    let set: Record<string, string> = {};
    if (rest !== '') {
      try {
        set = templateChange(rest, COMPOSED_MANIFEST, plan.template.params);
      } catch (error) {
        if (!(error instanceof InputError)) throw error;
        throw new InputError(`the offline generator cannot make "${rest}" happen: it changes a composed app's fields, views, board columns, title, theme and colours only, so this change needs a model`, { hint: NEEDS_MODEL_HINT });
      }
    }
    const params = resolveParams(COMPOSED_MANIFEST, { ...plan.template.params, ...set });
    const explanation = done.length > 0 ? `${plan.template.explanation}; changed: ${done.join('; ')}` : plan.template.explanation;
    const changed: AppPlan = { ...plan, ...composedShape(composition), composition, title: params.title ?? plan.title, template: { ...plan.template, params, explanation } };
    return { ...(await this.generate(changed, app, signal)), plan: changed };
  }
}

/**
 * The chosen template's score without the words of the fields the request lists after "with":
 * "a wine cellar list with vintage, region and tasting notes" names notes as a field, not as the app.
 */
function scoreWithoutFields(choice: TemplateChoice, description: string, templates: readonly TemplateManifest[]): number {
  const fieldWords = new Set(namedFields(description).flatMap((f) => tokenize(f.label).split));
  const template = templates.find((t) => t.id === choice.template);
  if (fieldWords.size === 0 || !template) return choice.score ?? 0;
  const { split, joined } = tokenize(description);
  const keep = (words: string[]) => words.filter((w) => !fieldWords.has(w));
  return scoreTemplate({ split: keep(split), joined: keep(joined) }, template.keywords).score;
}

/** The scorer's verdict as the plan records it. */
function plannedChoice(choice: TemplateChoice): Omit<AppPlan['template'], 'id' | 'version' | 'params'> {
  return {
    chosenBy: choice.score === null ? 'flag' : 'scorer',
    score: choice.score,
    matched: choice.matched,
    candidates: choice.candidates,
    explanation: choice.explanation,
  };
}

/** A composed app's choice: the request's words named things to keep, and no template fitted well enough. */
function composedChoice(choice: TemplateChoice, composition: Composition, flagged: boolean, fitScore: number): Omit<AppPlan['template'], 'id' | 'version' | 'params'> {
  const fields = fitScore === choice.score ? '' : `, ${fitScore} without the words naming fields`;
  const why = flagged ? 'chosen with --template composed' : `no template fitted well (best ${choice.template}, score ${choice.score}${fields})`;
  return {
    chosenBy: flagged ? 'flag' : 'scorer',
    score: flagged ? null : choice.score,
    matched: choice.matched,
    candidates: choice.candidates,
    explanation: `${why}; composed an app that keeps ${describeComposition(composition)}`,
  };
}

/** What a composed app offers, in the plan's neutral terms. */
function composedShape(composition: Composition): Pick<AppPlan, 'features' | 'pages' | 'routes'> {
  const { plural } = composition.entity;
  const views: Record<Composition['views'][number], string> = {
    list: `a list of ${plural} with search and sort; add, edit and delete`,
    board: `a board with columns ${composition.board?.columns.join(', ') ?? ''}`,
    calendar: `a calendar of the last five weeks`,
    chart: `a chart of ${composition.chart?.value ?? ''} over ${composition.chart?.date ?? ''}`,
    random: `a random pick among the ${plural}`,
  };
  return {
    features: composition.views.map((v) => views[v]),
    pages: [{ path: '/', purpose: `the ${plural} and their views` }],
    routes: [
      { method: 'GET', path: '/api/items', purpose: `list the ${plural}` },
      { method: 'POST', path: '/api/items', purpose: `add ${withArticle(composition.entity.name)}` },
      { method: 'PUT', path: '/api/items/:id', purpose: `change ${withArticle(composition.entity.name)}` },
      { method: 'DELETE', path: '/api/items/:id', purpose: `delete ${withArticle(composition.entity.name)}` },
    ],
  };
}

/** A composed plan's files and spec. */
function composedApp(plan: AppPlan, app: { name: string; description: string }, parts: TemplateParts): GeneratedApp {
  if (!plan.composition) throw new InputError(`the plan for ${app.name} is for a composed app but says nothing about what it keeps; plan the app again`);
  const values = resolveParams(COMPOSED_MANIFEST, { ...plan.template.params, appName: app.name });
  const files = composeApp(plan.composition, { ...values, title: values['title']!, appName: app.name, theme: values['theme'] === 'dark' ? 'dark' : 'light' }, parts);
  const spec: AppSpec = {
    name: app.name,
    description: app.description,
    template: COMPOSED_ID,
    templateVersion: COMPOSED_MANIFEST.version,
    runtime: COMPOSED_MANIFEST.runtime,
    port: APP_PORT,
    persistent: true,
    command: ['node', 'server.js'],
    ...(needsNothing(plan.needs) ? {} : { needs: plan.needs }),
  };
  return { spec, files };
}
