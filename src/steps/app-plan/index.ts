import { z } from 'zod';
import { describeComposition, needsLine } from '../../domain/index.ts';
import { defineStep, stepOutput } from '../../pipeline/index.ts';
import type { AppPlan, CodeGenerator } from '../../ports/index.ts';
import { AppPlanSchema } from '../schemas.ts';

/** The step's id and output, for readers of its stored output. */
export const planOutput = stepOutput('app:plan', AppPlanSchema);

/** Chooses what to build: a template (scored from the description, or the one asked for) and its parameters. */
export const createPlanStep = ({ generator }: { generator: CodeGenerator }) =>
  defineStep({
    ...planOutput,
    title: 'Plan the app',
    input: z.object({ description: z.string(), template: z.string().optional(), database: z.literal('postgres').optional() }),
    summarize: summarizePlan,
    run: async (ctx) => {
      const planned = await generator.plan(ctx.input.template ? { description: ctx.input.description, template: ctx.input.template } : { description: ctx.input.description }, ctx.signal);
      // A database asked for on the command line is part of what the app needs, whatever the plan said.
      const plan = ctx.input.database ? { ...planned, needs: { ...planned.needs, database: ctx.input.database } } : planned;
      ctx.logger.info({ template: plan.template.id, score: plan.template.score, matched: plan.template.matched }, 'planned');
      for (const warning of plan.warnings ?? []) ctx.logger.warn({ warning }, 'the plan was put right');
      return plan;
    },
  });

/** What made the code, as records and version lists name it: `templates`, or `model` and the model, e.g. `model gpt-4.1`. */
export function generatorName(plan: AppPlan): string {
  return plan.generator.kind === 'model' ? `model${plan.generator.model ? ` ${plan.generator.model}` : ''}` : 'templates';
}

/** The plan in a line: the template, who chose it, what the app needs and what was dropped from the plan. */
export function summarizePlan(plan: AppPlan): string {
  const needs = needsLine(plan.needs);
  const dropped = plan.warnings?.length ? `; put right: ${plan.warnings.join('; ')}` : '';
  // A composed app says what it understood the request to keep, so a wrong guess shows before the build.
  const chosen = plan.composition && plan.template.chosenBy === 'scorer' ? `composed offline: ${plan.template.explanation ?? ''}` : whoChose(plan);
  const keeps = plan.composition && plan.template.chosenBy !== 'scorer' ? `; keeps ${describeComposition(plan.composition)}` : '';
  return `template ${plan.template.id} (${chosen})${keeps}${needs ? `; needs ${needs}` : ''}${dropped}`;
}

/** Who chose the planned template, in words: the --template flag, the offline scorer and its score, or the model. */
function whoChose(plan: AppPlan): string {
  const { chosenBy, score, matched, explanation } = plan.template;
  if (chosenBy === 'flag') return 'chosen with --template';
  if (chosenBy === 'model') return `chosen by the model${plan.generator.kind === 'model' && plan.generator.model ? ` ${plan.generator.model}` : ''}`;
  if (score === 0) return `chosen by the offline scorer, score 0: ${explanation ?? 'no keyword matched'}`;
  return `chosen by the offline scorer, score ${score}: ${matched.join(', ')}`;
}
