/**
 * Test support: an in-memory CodeGenerator whose `repair` returns scripted fixes, in order, and
 * remembers what it was sent. It stands in for a model: the step's side of the port is what the
 * tests exercise.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import type { AppSpec } from '../../domain/index.ts';
import type { AppPlan, CodeGenerator, GeneratedApp, GeneratorInfo } from '../../ports/index.ts';
import { createGenerateStep } from '../source-generate/index.ts';

export const spec: AppSpec = { name: 'scripted', description: 'a greeting page', template: 'llm', templateVersion: '1', runtime: 'node', port: 8080, persistent: false, command: ['node', 'server.js'] };

export const plan: AppPlan = {
  name: 'greeting', title: 'Greeting', summary: 'a single page that greets', runtime: 'node',
  features: ['greets'], pages: [{ path: '/', purpose: 'the greeting' }], routes: [], persistent: false, needs: {}, port: 8080,
  template: { id: 'llm', version: '1', chosenBy: 'model', score: null, matched: [], candidates: [], explanation: 'a single page that greets', params: {} },
  generator: { kind: 'model', model: 'fixture-small', prompts: { coder: 'coder-v3', planner: 'planner-v2' } },
};

export const files = (entries: Record<string, string>) => Object.entries(entries).map(([path, content]) => ({ path, content }));

/** A generator that returns `initial`, then each of `fixes` on successive repairs (the last one again when they run out). */
export class ScriptedGenerator implements CodeGenerator {
  readonly info: GeneratorInfo = { kind: 'llm', provider: 'scripted', models: { planner: 'fixture-small', coder: 'fixture-large' } };
  readonly repairs: Array<{ failure: string; previous: GeneratedApp }> = [];
  private readonly initial: GeneratedApp;
  private readonly fixes: GeneratedApp[];

  constructor(initial: Record<string, string>, fixes: Array<Record<string, string>>) {
    this.initial = { spec, files: files(initial) };
    this.fixes = fixes.map((f) => ({ spec, files: files(f) }));
  }

  async plan(): Promise<AppPlan> {
    return plan;
  }

  async generate(): Promise<GeneratedApp> {
    return this.initial;
  }

  async repair(_plan: AppPlan, _app: { name: string; description: string }, previous: GeneratedApp, failure: string): Promise<GeneratedApp> {
    this.repairs.push({ failure, previous });
    return this.fixes[Math.min(this.repairs.length, this.fixes.length) - 1] ?? previous;
  }
}

/** A run's context with a log that keeps every record. */
export function context<I>(input: I, runId = 'run-1') {
  const records: Array<Record<string, unknown>> = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void records.push(JSON.parse(line) as Record<string, unknown>) });
  return { ctx: { input, runId, logger, signal: new AbortController().signal }, records };
}

/** Runs the real generate step into a fresh workspace: the verify step's input, as in a run. */
export async function generated(generator: CodeGenerator, runId = 'run-1') {
  const workspace = mkdtempSync(join(tmpdir(), 'slipway-verify-'));
  const step = createGenerateStep({ generator, workspace });
  const input = { app: 'greeter', description: 'a greeting page', plan };
  const output = await step.run(context(input, runId).ctx);
  return { workspace, input: { ...input, generated: output } };
}
