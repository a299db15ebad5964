import { join } from 'node:path';
import { z } from 'zod';
import { InputError } from '../../domain/index.ts';
import { defineStep, stepOutput } from '../../pipeline/index.ts';
import type { ChangedApp, CodeGenerator } from '../../ports/index.ts';
import { AppName, AppPlanSchema, GeneratedSource } from '../schemas.ts';
import { PROVENANCE_FILE } from '../source-provenance/index.ts';
import { ReadSource } from '../source-read/index.ts';
import { readSourceFiles, sourceFilesProblem, writeSourceFiles } from '../source-verify/index.ts';

/** The new version's source, and the plan that now describes the app. */
export const ChangedSource = GeneratedSource.extend({ plan: AppPlanSchema });

/** The step's id and output, for readers of its stored output. */
export const sourceChangeOutput = stepOutput('source:change', ChangedSource);

/** What a change run asks for: a request in words (made by the generator). */
const ChangeInput = z.object({ app: AppName, request: z.string(), current: ReadSource });
type ChangeInput = z.infer<typeof ChangeInput>;

/**
 * Where a new version's files come from. Each way takes the app as it is and the change asked for,
 * and gives the app after it; `produce` picks the way from the request.
 */
export interface ChangeSources {
  generator: CodeGenerator;
}

/**
 * Produces the app's next version into `<workspace>/<runId>/source`: the generator's change (a model
 * sends back the files that change; the offline templates re-render with new parameters or refuse).
 * SLIPWAY.md stays out of what the generator sees: the provenance step writes it anew. A change that
 * leaves every file as it was is refused, since it would ship the same app as a new version.
 * @example const change = createChangeSourceStep({ generator, workspace });
 */
export const createChangeSourceStep = ({ workspace, ...sources }: ChangeSources & { workspace: string }) =>
  defineStep({
    ...sourceChangeOutput,
    title: 'Make the change',
    input: ChangeInput,
    summarize: (o) => `${o.files.length} files`,
    run: async (ctx) => {
      const { app, current } = ctx.input;
      const changed = await produce(sources, ctx.input, ctx.signal);
      const files = changed.files.filter((f) => f.path !== PROVENANCE_FILE);
      const refused = sourceFilesProblem(files);
      if (refused) throw new InputError(`refused the changed app: ${refused}`);
      const dir = join(workspace, ctx.runId, 'source');
      const digests = await writeSourceFiles(dir, files);
      const before = new Map(current.files.filter((f) => f.path !== PROVENANCE_FILE).map((f) => [f.path, f.sha256]));
      if (digests.length === before.size && digests.every((f) => before.get(f.path) === f.sha256)) {
        throw new InputError(`the change leaves every file of ${app} as it was`, { hint: 'Say what should be different, e.g. "make the title \\"Deep Focus\\"".' });
      }
      return { dir, spec: { ...changed.spec, name: app }, files: digests, plan: changed.plan };
    },
  });

/** The new version from the way the request asks for. */
async function produce(sources: ChangeSources, input: ChangeInput, signal: AbortSignal): Promise<ChangedApp> {
  const { app, request, current } = input;
  const { generator } = sources;
  if (!generator.change) throw new InputError('this generator cannot change apps');
  const files = await readSourceFiles(current.dir, current.files.filter((f) => f.path !== PROVENANCE_FILE));
  return generator.change(current.plan, { name: app, description: current.description }, { spec: current.spec, files }, request, signal);
}
