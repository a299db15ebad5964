import { describe, expect, it } from 'vitest';
import { AppPlan } from './app-plan.ts';

const MODEL_PLAN = {
  name: 'guestbook', title: 'Guestbook', summary: 'Visitors leave a message.', runtime: 'node', template: 'notes-api',
  features: ['sign the guestbook'], pages: [{ path: '/', purpose: 'the messages' }],
  apiRoutes: [{ method: 'GET', path: '/api/messages', purpose: 'list' }], persistent: true,
  env: [{ name: 'GREETING', purpose: 'shown on top', default: 'Hello' }], port: 8080,
};

/** A plan the model generator recorded before plans had fields for the model's answer. */
const RECORDED_MODEL_PLAN = {
  source: 'llm', template: 'notes-api', templateVersion: '1.0.0', runtime: 'node', chosenBy: 'model', score: null, matched: [], candidates: [],
  params: { plan: JSON.stringify(MODEL_PLAN), prompts: 'planner.v1 coder.v1 repair.v1', plannerModel: 'gpt-4.1-mini' },
  explanation: 'planned by openai gpt-4.1-mini: Visitors leave a message.',
};

describe('AppPlan', () => {
  it("reads a model plan recorded as JSON text in params.plan into the plan's own fields", () => {
    expect(AppPlan.parse(RECORDED_MODEL_PLAN)).toEqual({
      name: 'guestbook', title: 'Guestbook', summary: 'Visitors leave a message.', runtime: 'node',
      features: ['sign the guestbook'], pages: [{ path: '/', purpose: 'the messages' }],
      routes: [{ method: 'GET', path: '/api/messages', purpose: 'list' }], persistent: true,
      needs: { settings: [{ name: 'GREETING', description: 'shown on top', default: 'Hello' }] }, port: 8080,
      template: {
        id: 'notes-api', version: '1.0.0', chosenBy: 'model', score: null, matched: [], candidates: [],
        explanation: 'planned by openai gpt-4.1-mini: Visitors leave a message.', params: {},
      },
      generator: { kind: 'model', model: 'gpt-4.1-mini', prompts: { planner: 'planner.v1', coder: 'coder.v1', repair: 'repair.v1' } },
    });
  });

  it('reads a recorded template plan, its parameters kept with the template', () => {
    const recorded = {
      source: 'template', template: 'timer', templateVersion: '1.0.0', runtime: 'static', score: 6, matched: ['pomodoro', 'timer'],
      candidates: [{ template: 'timer', score: 6 }], params: { title: 'Pomodoro Timer', description: 'A pomodoro timer.', theme: 'dark' },
    };
    expect(AppPlan.parse(recorded)).toMatchObject({
      title: 'Pomodoro Timer', summary: 'A pomodoro timer.', runtime: 'static', features: [], port: 8080, generator: { kind: 'template' },
      template: { id: 'timer', version: '1.0.0', chosenBy: 'scorer', score: 6, matched: ['pomodoro', 'timer'], params: recorded.params },
    });
  });

  it('tells who chose the template of a plan recorded before the chooser was kept', () => {
    const { chosenBy: _, ...withoutChooser } = RECORDED_MODEL_PLAN;
    expect(AppPlan.parse(withoutChooser).template.chosenBy).toBe('model');
    expect(AppPlan.parse({ ...withoutChooser, source: 'template', params: {} }).template.chosenBy).toBe('flag');
    expect(AppPlan.parse({ ...withoutChooser, source: 'template', score: 0, params: {} }).template.chosenBy).toBe('scorer');
  });

  it('reads a plan in its own shape back unchanged', () => {
    const plan = AppPlan.parse(RECORDED_MODEL_PLAN);
    expect(AppPlan.parse(JSON.parse(JSON.stringify(plan)))).toEqual(plan);
  });

  it('reads plain settings recorded as env, in a plan of its own shape, as needs', () => {
    const { needs, ...plan } = AppPlan.parse(RECORDED_MODEL_PLAN);
    expect(AppPlan.parse({ ...plan, env: [{ name: 'GREETING', purpose: 'shown on top', default: 'Hello' }] }).needs).toEqual(needs);
    expect(AppPlan.parse({ ...plan, env: [] }).needs).toEqual({});
  });

  it('refuses a recorded model plan whose params.plan no longer reads', () => {
    expect(AppPlan.safeParse({ ...RECORDED_MODEL_PLAN, params: { plan: '{"title":' } }).success).toBe(false);
    expect(AppPlan.safeParse({ ...RECORDED_MODEL_PLAN, params: { plan: '"text"' } }).success).toBe(false);
  });
});
