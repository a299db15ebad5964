import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { TemplateGenerator } from '../../adapters/generator/template-generator.ts';
import { closeHarnesses, harness, TEMPLATES_DIR } from '../../adapters/generator/llm/llm-generator.test-support.ts';
import { openDatabase } from '../../adapters/store/sqlite-database.ts';
import { SqliteRunStore } from '../../adapters/store/sqlite-run-store.ts';
import { defineStep, entry, executePipeline, type RunEvent } from '../../pipeline/index.ts';
import { AppPlanSchema } from '../schemas.ts';
import { createPlanStep, summarizePlan } from './index.ts';

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

  it('a composed app: what the request was understood to keep, its fields and views', async () => {
    const composed = AppPlanSchema.parse(await templates.plan({ description: 'a weight log' }));
    expect(summarizePlan(composed)).toBe('template composed (composed offline: no template fitted well (best static-site, score 0); composed an app that keeps weigh-ins (date: date*, weight: number*, note: text); views list, chart)');
    const flagged = AppPlanSchema.parse(await templates.plan({ description: 'a weight log', template: 'composed' }));
    expect(summarizePlan(flagged)).toBe('template composed (chosen with --template); keeps weigh-ins (date: date*, weight: number*, note: text); views list, chart');
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

describe('a run resumed with a plan recorded by an older Slipway', () => {
  it("reuses the stored plan, with its model plan from params.plan, and later steps read it in today's shape", async () => {
    const store = new SqliteRunStore({ db: openDatabase(':memory:') });
    await store.createRun({ id: 'run-1', kind: 'create', app: 'guestbook', request: { app: 'guestbook', description: 'a guestbook' } });
    const modelPlan = { name: 'guestbook', title: 'Guestbook', summary: 'Visitors leave a message.', runtime: 'node', template: 'notes-api', features: ['sign it'], pages: [], apiRoutes: [], persistent: true, env: [], port: 8080 };
    const recorded = {
      source: 'llm', template: 'notes-api', templateVersion: '1.0.0', runtime: 'node', score: null, matched: [], candidates: [],
      params: { plan: JSON.stringify(modelPlan), prompts: 'planner.v1 coder.v1', plannerModel: 'gpt-4.1-mini' },
    };
    await store.startStep('run-1', 'app:plan', 'Plan the app');
    await store.finishStep('run-1', 'app:plan', 'succeeded', { output: recorded });
    // The planner must not be asked again: the stored plan is reused.
    const plan = createPlanStep({ generator: { info: { kind: 'template' }, plan: () => Promise.reject(new Error('planned again')), generate: () => Promise.reject(new Error('unused')) } });
    const seen = defineStep({
      id: 'plan:seen', title: 'See the plan', input: z.object({ template: z.string(), title: z.string(), features: z.array(z.string()) }),
      output: z.object({ ok: z.boolean() }), run: async () => ({ ok: true }),
    });
    const reads: unknown[] = [];
    const events: RunEvent[] = [];
    const result = await executePipeline({
      run: (await store.getRun('run-1'))!, store, logger: pino({ level: 'silent' }), onEvent: (e) => events.push(e),
      pipeline: [
        entry(plan, () => ({ description: 'a guestbook' })),
        entry(seen, (s) => {
          const read = s.output(plan);
          reads.push(read);
          return { template: read.template.id, title: read.title, features: read.features };
        }),
      ],
    });
    expect(result.status).toBe('succeeded');
    expect(reads).toEqual([expect.objectContaining({ title: 'Guestbook', features: ['sign it'], persistent: true, generator: { kind: 'model', model: 'gpt-4.1-mini', prompts: { planner: 'planner.v1', coder: 'coder.v1' } } })]);
    expect(events.find((e) => e.type === 'step:end' && e.stepId === 'app:plan')).toMatchObject({ reused: true, summary: 'template notes-api (chosen by the model gpt-4.1-mini)' });
    expect(result.outputs.get(plan)?.template).toMatchObject({ id: 'notes-api', version: '1.0.0', params: {} });
  });
});

describe('a database asked for with --database', () => {
  it('joins what the plan needs, so the generated app gets DATABASE_URL whatever its template', async () => {
    const templates = new TemplateGenerator({ templatesDir: TEMPLATES_DIR });
    const store = new SqliteRunStore({ db: openDatabase(':memory:') });
    await store.createRun({ id: 'run-db', kind: 'create', app: 'reading', request: { app: 'reading', description: 'a reading list' } });
    const plan = createPlanStep({ generator: templates });
    const result = await executePipeline({
      run: (await store.getRun('run-db'))!, store, logger: pino({ level: 'silent' }),
      pipeline: [entry(plan, () => ({ description: 'a reading list', template: 'notes-api', database: 'postgres' as const }))],
    });
    expect(result.status).toBe('succeeded');
    const planned = result.outputs.get(plan)!;
    expect(planned.needs).toMatchObject({ database: 'postgres' });
    expect(summarizePlan(planned)).toContain('database');
    const { spec } = await templates.generate(planned, { name: 'reading', description: 'a reading list' });
    expect(spec.needs).toMatchObject({ database: 'postgres' });

    // Without the flag the same template needs none.
    const plain = await templates.plan({ description: 'a reading list', template: 'notes-api' });
    expect((await templates.generate(plain, { name: 'reading', description: 'a reading list' })).spec.needs?.database).toBeUndefined();
  });
});
