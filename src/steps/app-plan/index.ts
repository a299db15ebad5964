import { z } from 'zod';
import { defineStep } from '../../pipeline/index.ts';
import type { CodeGenerator } from '../../ports/index.ts';
import { AppPlanSchema } from '../schemas.ts';

/** Chooses what to build: a template (scored from the description, or the one asked for) and its parameters. */
export const createPlanStep = ({ generator }: { generator: CodeGenerator }) =>
  defineStep({
    id: 'app:plan',
    title: 'Plan the app',
    input: z.object({ description: z.string(), template: z.string().optional() }),
    output: AppPlanSchema,
    run: async (ctx) => {
      const plan = await generator.plan(ctx.input.template ? { description: ctx.input.description, template: ctx.input.template } : { description: ctx.input.description }, ctx.signal);
      ctx.logger.info({ template: plan.template, score: plan.score, matched: plan.matched }, 'planned');
      return plan;
    },
  });
