import type { AppPlan, AppSpec, GeneratedFile } from '../domain/index.ts';

export type { AppPlan } from '../domain/index.ts';

/** What a person asked for, validated at the edge. */
export interface AppRequest {
  description: string;
  /** Template id that overrides the scorer. */
  template?: string;
}

export interface GeneratedApp {
  spec: AppSpec;
  files: GeneratedFile[];
}

/** Who produced an app, for its provenance record (SLIPWAY.md). */
export interface GeneratorInfo {
  kind: 'template' | 'llm';
  provider?: string;
  /** Model per stage, e.g. { planner: 'gpt-4.1', coder: 'claude-sonnet-4' }. */
  models?: Record<string, string>;
}

/** Turns a request into a plan, and a plan into an app's files. */
export interface CodeGenerator {
  readonly info: GeneratorInfo;
  plan(request: AppRequest, signal?: AbortSignal): Promise<AppPlan>;
  generate(plan: AppPlan, app: { name: string; description: string }, signal?: AbortSignal): Promise<GeneratedApp>;
  /**
   * Given the files that failed verification and what went wrong, returns a corrected app.
   * Absent for generators whose output is known good (templates).
   */
  repair?(plan: AppPlan, app: { name: string; description: string }, previous: GeneratedApp, failure: string, signal?: AbortSignal): Promise<GeneratedApp>;
  /**
   * Makes a change a person asked for to an app that exists: its current files and plan in, the app
   * as it is after the change out, with the plan as it now stands (new template parameters, or a
   * model as its generator). A change the generator cannot make is an `InputError` saying why.
   */
  change?(plan: AppPlan, app: { name: string; description: string }, current: GeneratedApp, request: string, signal?: AbortSignal): Promise<ChangedApp>;
}

/** An app after a change: its files, and the plan that now describes it. */
export interface ChangedApp extends GeneratedApp {
  plan: AppPlan;
}
