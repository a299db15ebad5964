import { createHash } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { AppSpec, assertSafeRelativePath, ConflictError, NotFoundError, type AppPlan } from '../../domain/index.ts';
import { defineStep, stepOutput } from '../../pipeline/index.ts';
import type { GitRepo } from '../../ports/index.ts';
import { AppName, AppPlanSchema, FileDigest } from '../schemas.ts';
import { PROVENANCE_FILE, readProvenanceRecord } from '../source-provenance/index.ts';

/** The app as its source repo holds it now: its files (written to `dir`), and how it was made. */
export const ReadSource = z.object({
  dir: z.string(),
  files: z.array(FileDigest),
  spec: AppSpec,
  plan: AppPlanSchema,
  /** What the app was first asked for. */
  description: z.string(),
  /** The newest source commit of the app. */
  sha: z.string(),
});
export type ReadSource = z.infer<typeof ReadSource>;

/** The step's id and output, for readers of its stored output. */
export const sourceReadOutput = stepOutput('source:read', ReadSource);

/** An app's source at the head of the source repo: its files, and the plan, spec and request SLIPWAY.md records. */
export interface AppSource {
  files: Array<{ path: string; bytes: Uint8Array }>;
  plan: AppPlan;
  spec: AppSpec;
  description: string;
  sha: string;
}

/**
 * Reads an app's folder at the head of the source repo, with how it was made from its SLIPWAY.md
 * record. An app with no files is not found; one whose record is missing or unreadable cannot be
 * changed (Slipway would not know its plan).
 * @example const { plan, files } = await readAppSource(sourceRepo, 'pomodoro');
 */
export async function readAppSource(repo: GitRepo, app: string): Promise<AppSource> {
  const [head] = await repo.log({ path: app, limit: 1 });
  const listed = await repo.listFiles(app);
  if (!head || listed.length === 0) {
    throw new NotFoundError(`the source repo has no files for ${app}`, { hint: `Create it first: slipway create "<what it is>" --name ${app}` });
  }
  const record = readProvenanceRecord(new TextDecoder().decode((await repo.readFile(`${app}/${PROVENANCE_FILE}`)) ?? new Uint8Array()));
  const plan = AppPlanSchema.safeParse(record?.['plan']);
  const spec = AppSpec.safeParse(record?.['spec']);
  if (!record || !plan.success || !spec.success) {
    throw new ConflictError(`${app}/${PROVENANCE_FILE} in the source repo does not say how ${app} was made, so Slipway cannot change it`, {
      hint: `Restore ${PROVENANCE_FILE} from the app's history in the source repo (git log -- ${app}/${PROVENANCE_FILE}).`,
    });
  }
  const files = await Promise.all(listed.map(async ({ path }) => ({ path, bytes: (await repo.readFile(`${app}/${path}`)) ?? new Uint8Array() })));
  const description = typeof record['description'] === 'string' ? record['description'] : spec.data.description;
  return { files, plan: plan.data, spec: spec.data, description, sha: head.sha };
}

/**
 * Reads an app's current files from the head of the source repo into the run's workspace
 * (`<workspace>/<runId>/current`), with its plan and spec: what a change starts from.
 * @example const read = createReadSourceStep({ repo: sourceRepo, workspace });
 */
export const createReadSourceStep = ({ repo, workspace }: { repo: GitRepo; workspace: string }) =>
  defineStep({
    ...sourceReadOutput,
    title: 'Read the current source',
    input: z.object({ app: AppName }),
    summarize: (o) => `${o.files.length} files at ${o.sha.slice(0, 12)}`,
    run: async (ctx) => {
      const { files, ...source } = await readAppSource(repo, ctx.input.app);
      const dir = join(workspace, ctx.runId, 'current');
      return { dir, files: await writeRepoFiles(dir, files), ...source };
    },
  });

/**
 * Writes files read from a repo into a fresh `dir` and returns their digests: the version a change
 * starts from, or is compared with.
 * @example const digests = await writeRepoFiles('/work/run-1/current', files);
 */
export async function writeRepoFiles(dir: string, files: AppSource['files']): Promise<Array<z.infer<typeof FileDigest>>> {
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  for (const file of files) {
    const target = join(dir, assertSafeRelativePath(file.path));
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, file.bytes);
  }
  return files.map((f) => ({ path: f.path, sha256: createHash('sha256').update(f.bytes).digest('hex'), size: f.bytes.length }));
}
