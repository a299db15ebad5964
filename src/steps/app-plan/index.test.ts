import { afterEach, describe, expect, it } from 'vitest';
import { TemplateGenerator } from '../../adapters/generator/template-generator.ts';
import { closeHarnesses, harness, TEMPLATES_DIR } from '../../adapters/generator/llm/llm-generator.test-support.ts';
import { AppPlanSchema } from '../schemas.ts';
import { summarizePlan } from './index.ts';

afterEach(async () => {
  expect(await closeHarnesses()).toEqual([]);
});

describe("the plan step's summary says who chose the template", () => {
  const templates = new TemplateGenerator({ templatesDir: TEMPLATES_DIR });

  it('the --template flag', async () => {
    const plan = AppPlanSchema.parse(await templates.plan({ description: 'my notes', template: 'notes-api' }));
    expect(summarizePlan(plan)).toBe('template notes-api (chosen with --template)');
  });

  it('the offline scorer, with its score and the words that matched', async () => {
    const plan = AppPlanSchema.parse(await templates.plan({ description: 'a pomodoro timer with a dark theme' }));
    expect(summarizePlan(plan)).toBe('template timer (chosen by the offline scorer, score 6: pomodoro, timer)');
    const fallback = AppPlanSchema.parse(await templates.plan({ description: 'zzz qqq' }));
    expect(summarizePlan(fallback)).toMatch(/^template static-site \(chosen by the offline scorer, score 0: .+\)$/);
  });

  it('the model that planned, or the flag when one was given to the model too', async () => {
    const h = await harness('openai');
    h.server.reply({ fixture: 'openai/plan.json' }, { fixture: 'openai/plan.json' });
    const byModel = AppPlanSchema.parse(await h.generator.plan({ description: 'a guestbook where visitors leave a message' }));
    expect(summarizePlan(byModel)).toBe('template notes-api (chosen by the model planner-model)');
    const byFlag = AppPlanSchema.parse(await h.generator.plan({ description: 'a guestbook where visitors leave a message', template: 'form' }));
    expect(summarizePlan(byFlag)).toBe('template form (chosen with --template)');
  });

  it('reads plans recorded before the chooser was kept', () => {
    const old = { source: 'llm', template: 'notes-api', templateVersion: '1.0.0', runtime: 'node', score: null, matched: [], candidates: [], params: { plannerModel: 'gpt-4.1-mini' } };
    expect(summarizePlan(AppPlanSchema.parse(old))).toBe('template notes-api (chosen by the model gpt-4.1-mini)');
    expect(summarizePlan(AppPlanSchema.parse({ ...old, source: 'template', params: {} }))).toBe('template notes-api (chosen with --template)');
  });
});
