import { assertDescription, deriveAppName, InputError, needsNothing, type AppSpec } from '../../domain/index.ts';
import type { AppPlan, AppRequest, ChangedApp, CodeGenerator, GeneratedApp } from '../../ports/index.ts';
import { compareCodeUnits } from '../../domain/compare.ts';
import { listTemplates, loadTemplate, readTemplateFiles, TEMPLATE_ID } from './template-manifest.ts';
import { NEEDS_MODEL_HINT, templateChange } from './template-change.ts';
import { deriveParams, resolveParams } from './template-params.ts';
import { fillPlaceholders } from './template-render.ts';
import { chooseTemplate } from './template-scorer.ts';

export { listTemplates } from './template-manifest.ts';
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
    const choice = chooseTemplate(description, templates, { override: request.template });
    const manifest = templates.find((t) => t.id === choice.template)!;
    const defaults = Object.fromEntries(Object.entries(manifest.parameters).map(([name, p]) => [name, p.default]));
    const params = resolveParams(manifest, deriveParams(description, defaults));
    // The template decides what the app is; the plan says it in the terms every generator uses.
    return {
      name: deriveAppName(description, new Set()),
      title: params.title ?? manifest.title,
      summary: params.description ?? manifest.description,
      runtime: manifest.runtime,
      features: [],
      pages: [],
      routes: [],
      persistent: manifest.persistent,
      needs: manifest.needs ?? {},
      port: APP_PORT,
      template: {
        id: manifest.id,
        version: manifest.version,
        chosenBy: choice.score === null ? 'flag' : 'scorer',
        score: choice.score,
        matched: choice.matched,
        candidates: choice.candidates,
        ...(choice.explanation === undefined ? {} : { explanation: choice.explanation }),
        params,
      },
      generator: { kind: 'template' },
    };
  }

  /**
   * Fills the planned template. The app's name becomes `appName`; the template on disk is used even
   * if its version moved on since planning, and the spec records the version actually used.
   */
  async generate(plan: AppPlan, app: { name: string; description: string }, signal?: AbortSignal): Promise<GeneratedApp> {
    signal?.throwIfAborted();
    if (!TEMPLATE_ID.test(plan.template.id)) throw new InputError(`'${plan.template.id}' is not a template id`);
    const manifest = await loadTemplate(this.templatesDir, plan.template.id);
    const values = resolveParams(manifest, { ...plan.template.params, appName: app.name });
    const sources = await readTemplateFiles(this.templatesDir, manifest.id, signal);
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
    const manifest = await loadTemplate(this.templatesDir, plan.template.id);
    const params = resolveParams(manifest, { ...plan.template.params, ...templateChange(request, manifest, plan.template.params) });
    const changed: AppPlan = { ...plan, title: params.title ?? plan.title, template: { ...plan.template, params } };
    return { ...(await this.generate(changed, app, signal)), plan: changed };
  }
}
