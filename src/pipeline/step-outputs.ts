import type { StepOutputKey } from './define-step.ts';

/**
 * The outputs of a run's steps, by step id, read through each step's output schema: a reader names
 * the step (or its declared output) and gets that step's output type, checked at run time too.
 * @example new StepOutputs({ 'source:commit': { sha, created, attempts } }).get(sourceCommitOutput)?.sha
 */
export class StepOutputs {
  private readonly values: ReadonlyMap<string, unknown>;

  constructor(values: Iterable<[string, unknown]> | Record<string, unknown> = {}) {
    this.values = new Map(Symbol.iterator in values ? values : Object.entries(values));
  }

  has(step: StepOutputKey<unknown>): boolean {
    return this.values.has(step.id);
  }

  /**
   * The step's output, or `undefined` when the step did not run (or left an output its schema no
   * longer reads, e.g. one recorded by an older Slipway: a report then leaves that part out).
   */
  get<O>(step: StepOutputKey<O>): O | undefined {
    if (!this.values.has(step.id)) return undefined;
    const parsed = step.output.safeParse(this.values.get(step.id));
    return parsed.success ? parsed.data : undefined;
  }

  /** The raw outputs by step id, as stored. */
  toRecord(): Record<string, unknown> {
    return Object.fromEntries(this.values);
  }
}
