import type { Logger } from 'pino';
import type { z } from 'zod';

/** What a step's `run` receives. */
export interface StepContext<I> {
  input: I;
  runId: string;
  logger: Logger;
  signal: AbortSignal;
}

export interface StepDefinition<I, O> {
  /** `entity:verb`, unique within a pipeline, e.g. `source:commit`. */
  id: string;
  /** What people see in the timeline. */
  title: string;
  input: z.ZodType<I>;
  output: z.ZodType<O>;
  run(ctx: StepContext<I>): Promise<O>;
}

/**
 * Declares a pipeline step: typed, validated input and output, dependencies closed over by the factory.
 * @example
 * const createHelloStep = ({ greeter }: { greeter: Greeter }) =>
 *   defineStep({ id: 'hello:say', title: 'Say hello', input: z.object({ who: z.string() }),
 *     output: z.object({ text: z.string() }), run: async (ctx) => ({ text: greeter.greet(ctx.input.who) }) });
 */
export function defineStep<I, O>(definition: StepDefinition<I, O>): StepDefinition<I, O> {
  return definition;
}

/** A step placed in a pipeline, with the function that builds its input from the run so far. */
export interface PipelineEntry {
  step: StepDefinition<any, any>;
  /** Builds the step's input from the request and earlier steps' outputs. */
  input(state: PipelineState): unknown;
}

export interface PipelineState {
  request: Record<string, unknown>;
  outputs: Record<string, unknown>;
  /** Typed access to an earlier step's output; throws if that step has not run. */
  output<T = any>(stepId: string): T;
}

/** Places a step in a pipeline (keeps the input mapper typed against the step). */
export function entry<I, O>(step: StepDefinition<I, O>, input: (state: PipelineState) => I): PipelineEntry {
  return { step, input };
}
