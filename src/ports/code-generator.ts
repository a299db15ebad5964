import type { AppSpec, GeneratedFile, Runtime } from '../domain/index.ts';

/** What a person asked for, validated at the edge. */
export interface AppRequest {
  description: string;
  /** Template id that overrides the scorer. */
  template?: string;
}

/** A candidate considered while planning, with its score. */
export interface PlanCandidate {
  template: string;
  score: number;
}

/** The outcome of planning: which template (or model plan) and with which parameters. */
export interface AppPlan {
  /** Who planned: the offline templates or a model. */
  source: 'template' | 'llm';
  template: string;
  templateVersion: string;
  runtime: Runtime;
  /**
   * Who chose the template: the `--template` flag, the offline scorer (its score is `score`), or the
   * model that planned. Absent in plans recorded before it was kept: read `score` then.
   */
  chosenBy?: 'flag' | 'scorer' | 'model';
  /** Score of the chosen template; `null` when the scorer did not choose it. */
  score: number | null;
  /** Keywords of the description that matched the chosen template. */
  matched: string[];
  /** Every template considered, best first. */
  candidates: PlanCandidate[];
  /** Values the template is filled with (title, heading, colours …). */
  params: Record<string, string>;
  /** Why this choice, in words (e.g. that nothing matched and a fallback was used). */
  explanation?: string;
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
}
