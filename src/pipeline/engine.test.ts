import pino from 'pino';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import { openDatabase } from '../adapters/store/sqlite-database.ts';
import { SqliteRunStore } from '../adapters/store/sqlite-run-store.ts';
import { ExternalServiceError } from '../domain/index.ts';
import { defineStep, entry, stepOutput, type PipelineEntry } from './define-step.ts';
import { executePipeline } from './engine.ts';
import type { RunEvent } from './events.ts';

const logger = pino({ level: 'silent' });

function setup() {
  const store = new SqliteRunStore({ db: openDatabase(':memory:') });
  const calls: string[] = [];
  const counter = defineStep({
    id: 'count:add',
    title: 'Add one',
    input: z.object({ n: z.number() }),
    output: z.object({ n: z.number() }),
    run: async (ctx) => {
      calls.push('count:add');
      return { n: ctx.input.n + 1 };
    },
  });
  const doubler = defineStep({
    id: 'count:double',
    title: 'Double',
    input: z.object({ n: z.number() }),
    output: z.object({ n: z.number() }),
    run: async (ctx) => {
      calls.push('count:double');
      return { n: ctx.input.n * 2 };
    },
  });
  const pipeline: PipelineEntry[] = [
    entry(counter, (s) => ({ n: z.number().parse(s.request.n) })),
    entry(doubler, (s) => ({ n: s.output(counter).n })),
  ];
  return { store, calls, counter, doubler, pipeline };
}

describe('executePipeline', () => {
  it('runs steps in order, persists outputs and keeps a timeline', async () => {
    const { store, calls, doubler, pipeline } = setup();
    const run = await store.createRun({ id: 'run-1', kind: 'create', app: 'a', request: { n: 2 } });
    const events: RunEvent[] = [];
    const result = await executePipeline({ run, pipeline, store, logger, onEvent: (e) => events.push(e) });
    expect(result.status).toBe('succeeded');
    expect(result.outputs.get(doubler)).toEqual({ n: 6 });
    expect(calls).toEqual(['count:add', 'count:double']);
    const saved = (await store.getRun('run-1'))!;
    expect(saved.status).toBe('succeeded');
    expect(saved.endedAt).toBeDefined();
    expect(saved.timeline.map((s) => [s.stepId, s.status])).toEqual([['count:add', 'succeeded'], ['count:double', 'succeeded']]);
    expect(saved.timeline.every((s) => typeof s.durationMs === 'number')).toBe(true);
    expect(events.map((e) => e.type)).toEqual(['run:start', 'step:start', 'step:end', 'step:start', 'step:end', 'run:end']);
  });

  it('stops at a failing step, names it, and records the error with its hint', async () => {
    const { store, calls, counter } = setup();
    const failing = defineStep({
      id: 'remote:call',
      title: 'Call remote',
      input: z.object({}),
      output: z.object({}),
      run: async () => {
        calls.push('remote:call');
        throw new ExternalServiceError('git', 'push rejected', { hint: 'check the deploy key' });
      },
    });
    const never = defineStep({ id: 'never:run', title: 'Never', input: z.object({}), output: z.object({}), run: async () => { calls.push('never'); return {}; } });
    const run = await store.createRun({ id: 'run-2', kind: 'create', app: 'a', request: { n: 1 } });
    const result = await executePipeline({
      run, store, logger,
      pipeline: [entry(counter, () => ({ n: 1 })), entry(failing, () => ({})), entry(never, () => ({}))],
    });
    expect(result.status).toBe('failed');
    expect(result.error).toMatchObject({ stepId: 'remote:call', message: 'git: push rejected', hint: 'check the deploy key' });
    expect(calls).toEqual(['count:add', 'remote:call']);
    const saved = (await store.getRun('run-2'))!;
    expect(saved.status).toBe('failed');
    expect(saved.error?.stepId).toBe('remote:call');
    expect(saved.timeline.at(-1)).toMatchObject({ stepId: 'remote:call', status: 'failed', error: { name: 'ExternalServiceError' } });
  });

  it('resumes a run without redoing finished steps', async () => {
    const { store, calls, counter, doubler } = setup();
    let flaky = true;
    const sometimes = defineStep({
      id: 'flaky:step',
      title: 'Flaky',
      input: z.object({ n: z.number() }),
      output: z.object({ n: z.number() }),
      run: async (ctx) => {
        calls.push('flaky');
        if (flaky) throw new Error('transient');
        return { n: ctx.input.n };
      },
    });
    const pipeline = [
      entry(counter, (s) => ({ n: z.number().parse(s.request.n) })),
      entry(sometimes, (s) => ({ n: s.output(counter).n })),
      entry(doubler, (s) => ({ n: s.output(sometimes).n })),
    ];
    const run = await store.createRun({ id: 'run-3', kind: 'create', app: 'a', request: { n: 4 } });
    expect((await executePipeline({ run, pipeline, store, logger })).status).toBe('failed');
    flaky = false;
    const events: RunEvent[] = [];
    const again = await executePipeline({ run: (await store.getRun('run-3'))!, pipeline, store, logger, onEvent: (e) => events.push(e) });
    expect(again.status).toBe('succeeded');
    expect(again.outputs.get(doubler)).toEqual({ n: 10 });
    expect(calls).toEqual(['count:add', 'flaky', 'flaky', 'count:double']);
    expect(events.find((e) => e.type === 'step:end' && e.stepId === 'count:add')).toMatchObject({ reused: true });
    const timeline = (await store.getRun('run-3'))!.timeline;
    expect(timeline.filter((s) => s.stepId === 'flaky:step').map((s) => [s.attempt, s.status])).toEqual([[1, 'failed'], [2, 'succeeded']]);
  });

  it('closes a step left running by a killed process as interrupted when the run resumes', async () => {
    const { store, pipeline } = setup();
    await store.createRun({ id: 'run-4', kind: 'create', app: 'a', request: { n: 1 } });
    await store.startStep('run-4', 'count:add', 'Add one'); // the process died here
    const result = await executePipeline({ run: (await store.getRun('run-4'))!, pipeline, store, logger });
    expect(result.status).toBe('succeeded');
    const first = (await store.getRun('run-4'))!.timeline[0]!;
    expect(first).toMatchObject({ stepId: 'count:add', attempt: 1, status: 'failed', error: { name: 'Interrupted' } });
  });

  it('cancels the running step through its AbortSignal and records the run as cancelled', async () => {
    const { store, calls, doubler } = setup();
    const controller = new AbortController();
    const slow = defineStep({
      id: 'slow:wait',
      title: 'Wait',
      input: z.object({}),
      output: z.object({ n: z.number() }),
      run: (ctx) => new Promise((resolve, reject) => {
        const timer = setTimeout(() => resolve({ n: 1 }), 10_000);
        ctx.signal.addEventListener('abort', () => { clearTimeout(timer); reject(new Error('aborted')); });
        setTimeout(() => controller.abort(), 20);
      }),
    });
    const run = await store.createRun({ id: 'run-5', kind: 'create', app: 'a', request: {} });
    const result = await executePipeline({ run, store, logger, signal: controller.signal, pipeline: [entry(slow, () => ({})), entry(doubler, () => ({ n: 1 }))] });
    expect(result.status).toBe('cancelled');
    expect(calls).toEqual([]);
    const saved = (await store.getRun('run-5'))!;
    expect(saved.status).toBe('cancelled');
    expect(saved.timeline).toHaveLength(1);
    expect(saved.timeline[0]).toMatchObject({ status: 'cancelled' });
  });

  it('refuses invalid step input and invalid step output', async () => {
    const { store, counter } = setup();
    const run = await store.createRun({ id: 'run-6', kind: 'create', app: 'a', request: {} });
    const bad = await executePipeline({ run, store, logger, pipeline: [entry(counter, () => ({ n: 'x' as unknown as number }))] });
    expect(bad.error).toMatchObject({ name: 'InputError', stepId: 'count:add' });
    expect(bad.error?.message).toContain('n:');
    const liar = defineStep({ id: 'liar:step', title: 'Lies', input: z.object({}), output: z.object({ sha: z.string() }), run: async () => ({ sha: 42 }) as never });
    const run2 = await store.createRun({ id: 'run-7', kind: 'create', app: 'a', request: {} });
    const out = await executePipeline({ run: run2, store, logger, pipeline: [entry(liar, () => ({}))] });
    expect(out.status).toBe('failed');
    expect(out.error?.message).toContain('invalid output');
  });

  it('lets only one live process own a run', async () => {
    const store = new SqliteRunStore({ db: openDatabase(':memory:'), isAlive: (pid) => pid === 111 });
    await store.createRun({ id: 'run-8', kind: 'create', app: 'a', request: {} });
    expect(await store.claimRun('run-8', { pid: 111, host: 'h' })).toBe(true);
    expect(await store.claimRun('run-8', { pid: 222, host: 'h' })).toBe(false);
    await store.releaseRun('run-8');
    expect(await store.claimRun('run-8', { pid: 222, host: 'h' })).toBe(true);
    // The owner died: another process may take the run over.
    expect(await store.claimRun('run-8', { pid: 333, host: 'h' })).toBe(true);
  });

  it('fails the run with an error the signal carries, even when the step never notices it', async () => {
    const { store, calls, doubler } = setup();
    const controller = new AbortController();
    const stuck = defineStep({
      id: 'stuck:wait', title: 'Wait', input: z.object({}), output: z.object({ n: z.number() }),
      // A step whose work was lost: it neither answers nor watches its signal.
      run: () => new Promise(() => setTimeout(() => controller.abort(new ExternalServiceError('registry', 'connection reset', { hint: 'Check the registry.' })), 20)),
    });
    const run = await store.createRun({ id: 'run-9', kind: 'create', app: 'a', request: {} });
    const result = await executePipeline({ run, store, logger, signal: controller.signal, pipeline: [entry(stuck, () => ({})), entry(doubler, () => ({ n: 1 }))] });
    expect(result).toMatchObject({ status: 'failed', error: { stepId: 'stuck:wait', message: 'registry: connection reset', hint: 'Check the registry.' } });
    expect(calls).toEqual([]);
    const saved = (await store.getRun('run-9'))!;
    expect(saved.status).toBe('failed');
    expect(saved.timeline[0]).toMatchObject({ stepId: 'stuck:wait', status: 'failed' });
  });

  it('ends the run as failed when the store fails between steps', async () => {
    const { store, pipeline } = setup();
    const run = await store.createRun({ id: 'run-10', kind: 'create', app: 'a', request: { n: 1 } });
    const original = store.startStep.bind(store);
    let starts = 0;
    store.startStep = async (...args) => {
      if (++starts === 2) throw new Error('database is locked');
      return original(...args);
    };
    const events: RunEvent[] = [];
    const result = await executePipeline({ run, pipeline, store, logger, onEvent: (e) => events.push(e) });
    expect(result).toMatchObject({ status: 'failed', error: { stepId: 'count:double', message: 'database is locked' } });
    expect((await store.getRun('run-10'))!).toMatchObject({ status: 'failed', error: { stepId: 'count:double' } });
    expect(events.at(-1)).toMatchObject({ type: 'run:end', status: 'failed' });
  });

  it('fails the run, naming both steps, when a step reads the output of one that does not run before it', async () => {
    const { store, calls, counter, doubler } = setup();
    const run = await store.createRun({ id: 'run-11', kind: 'create', app: 'a', request: { n: 1 } });
    const result = await executePipeline({
      run, store, logger,
      pipeline: [entry(doubler, (s) => ({ n: s.output(counter).n })), entry(counter, () => ({ n: 1 }))],
    });
    expect(result).toMatchObject({ status: 'failed', error: { stepId: 'count:double' } });
    expect(result.error?.message).toBe('pipeline is mis-ordered: step count:double reads the output of count:add, which does not run before it');
    expect(calls).toEqual([]);
  });

  it("shows each step's own summary of its output, fresh or reused", async () => {
    const { store, counter } = setup();
    const summed = defineStep({ ...counter, summarize: (output) => `now ${output.n}` });
    const pipeline = [entry(summed, (s) => ({ n: z.number().parse(s.request.n) }))];
    const run = await store.createRun({ id: 'run-12', kind: 'create', app: 'a', request: { n: 41 } });
    const events: RunEvent[] = [];
    await executePipeline({ run, pipeline, store, logger, onEvent: (e) => events.push(e) });
    await store.setRunStatus('run-12', 'failed');
    await executePipeline({ run: (await store.getRun('run-12'))!, pipeline, store, logger, onEvent: (e) => events.push(e) });
    expect(events.filter((e) => e.type === 'step:end').map((e) => [e.reused, e.summary])).toEqual([[false, 'now 42'], [true, 'now 42']]);
  });

  it("checks a stored output against the step's schema before reusing it", async () => {
    const { store, calls, counter, doubler, pipeline } = setup();
    await store.createRun({ id: 'run-13', kind: 'create', app: 'a', request: { n: 1 } });
    await store.startStep('run-13', counter.id, counter.title);
    await store.finishStep('run-13', counter.id, 'succeeded', { output: { n: 'two' } });
    const result = await executePipeline({ run: (await store.getRun('run-13'))!, pipeline, store, logger });
    expect(result).toMatchObject({ status: 'failed', error: { stepId: 'count:add' } });
    expect(calls).toEqual([]);
    expect(result.outputs.get(doubler)).toBeUndefined();
  });

  it('reads outputs by step, typed by the step: a wrong field does not compile', async () => {
    const { store, counter, doubler, pipeline } = setup();
    const run = await store.createRun({ id: 'run-14', kind: 'create', app: 'a', request: { n: 1 } });
    const { outputs } = await executePipeline({ run, pipeline, store, logger });
    expectTypeOf(outputs.get(doubler)).toEqualTypeOf<{ n: number } | undefined>();
    // A declared output reads the same value without the step itself.
    expect(outputs.get(stepOutput('count:add', z.object({ n: z.number() })))).toEqual({ n: 2 });
    // @ts-expect-error: the counter's output has no field `count`.
    entry(doubler, (s) => ({ n: s.output(counter).count }));
    // @ts-expect-error: the doubler takes a number, the counter's `n` is not a string.
    entry(doubler, (s) => ({ n: String(s.output(counter).n) }));
  });
});
