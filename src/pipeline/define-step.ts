import type { Logger } from 'pino';
import type { z } from 'zod';
import { InputError } from '../domain/index.ts';

/** What a step's `run` receives. */
export interface StepContext<I> {
  input: I;
  runId: string;
  logger: Logger;
  signal: AbortSignal;
}

/**
 * What identifies a step's output: its id and the schema its output is validated and read with.
 * Every step is one; so is a step's declared output, for readers that do not build the step.
 */
export interface StepOutputKey<O> {
  /** `entity:verb`, unique within a pipeline, e.g. `source:commit`. */
  readonly id: string;
  readonly output: z.ZodType<O>;
}

export interface StepDefinition<I, O> extends StepOutputKey<O> {
  /** What people see in the timeline. */
  title: string;
  input: z.ZodType<I>;
  run(ctx: StepContext<I>): Promise<O>;
  /** A one-line summary of the output for people (e.g. a commit SHA), shown when the step ends. */
  summarize?(output: O): string | undefined;
}

/**
 * Declares a pipeline step: typed, validated input and output, dependencies closed over by the factory.
 * @example
 * const createHelloStep = ({ greeter }: { greeter: Greeter }) =>
 *   defineStep({ id: 'hello:say', title: 'Say hello', input: z.object({ who: z.string() }),
 *     output: z.object({ text: z.string() }), run: async (ctx) => ({ text: greeter.greet(ctx.input.who) }),
 *     summarize: (output) => output.text });
 */
export function defineStep<I, O>(definition: StepDefinition<I, O>): StepDefinition<I, O> {
  return definition;
}

/**
 * Declares a step's id and output schema on their own, so that its stored output can be read (by the
 * service's reports) without building the step and its dependencies.
 * @example export const planOutput = stepOutput('app:plan', AppPlanSchema);
 */
export function stepOutput<O>(id: string, output: z.ZodType<O>): StepOutputKey<O> {
  return { id, output };
}

/** A step placed in a pipeline: what the engine runs, whatever the step's input and output types. */
export interface PipelineEntry {
  readonly step: { readonly id: string; readonly title: string };
  /** Builds the step's input from the run so far, validates it, and runs the step. */
  run(state: PipelineState, context: Omit<StepContext<unknown>, 'input'>): Promise<unknown>;
  /** Validates what the step returned; the output and its summary. */
  accept(result: unknown): { output: unknown; summary: string | undefined };
  /** Validates an output stored by an earlier attempt of the run; the output and its summary. */
  reuse(stored: unknown): { output: unknown; summary: string | undefined };
}

export interface PipelineState {
  request: Record<string, unknown>;
  /**
   * An earlier step's output, typed by that step's output schema. Reading a step that has not run
   * before this one is a mis-ordered pipeline: it throws, and the run fails saying so.
   */
  output<O>(step: StepOutputKey<O>): O;
}

/**
 * Places a step in a pipeline with the function that builds its input from the request and earlier
 * outputs; the mapper is typed against the step, so a wrong field is a compile error.
 */
export function entry<I, O>(step: StepDefinition<I, O>, input: (state: PipelineState) => I): PipelineEntry {
  const summarized = (output: O) => ({ output, summary: step.summarize?.(output) });
  return {
    step: { id: step.id, title: step.title },
    async run(state, context) {
      const parsed = step.input.safeParse(input(state));
      if (!parsed.success) throw new InputError(`invalid input for ${step.id}: ${issues(parsed.error, '(root)')}`);
      return step.run({ ...context, input: parsed.data });
    },
    accept(result) {
      const parsed = step.output.safeParse(result);
      if (!parsed.success) throw new Error(`step ${step.id} returned invalid output: ${issues(parsed.error, '')}`);
      return summarized(parsed.data);
    },
    reuse: (stored) => summarized(step.output.parse(stored)),
  };
}

function issues(error: z.ZodError, root: string): string {
  return error.issues.map((i) => `${i.path.join('.') || root}: ${i.message}`).join('; ');
}
