import { dirname, join } from 'node:path';
import { z } from 'zod';
import { defineStep, type StepContext } from '../../pipeline/index.ts';
import type { CodeGenerator, GeneratedApp, Sandbox, VerifyResult } from '../../ports/index.ts';
import { AppName, AppPlanSchema, GeneratedSource } from '../schemas.ts';
import { changedPaths, readSourceFiles, sourceFilesProblem, writeSourceFiles, type FileDigestValue } from './source-files.ts';
import { AppVerificationError, VerifiedSource, withMetrics, type VerifyAttempt } from './verification.ts';

export { AppVerificationError, VerifiedSource, VerifyAttemptSchema, VerifyCheckSchema, withMetrics, type VerifyAttempt } from './verification.ts';
export { changedPaths, digestOf, readSourceFiles, sourceFilesProblem, writeSourceFiles } from './source-files.ts';

/** Attempts when none is configured: the first one and two repairs. */
export const DEFAULT_MAX_ATTEMPTS = 3;

export interface VerifyStepOptions {
  sandbox: Sandbox;
  generator: CodeGenerator;
  /** Attempts in all, the first included (default 3); without `generator.repair` only one is made. */
  maxAttempts?: number;
}

const VerifyInput = z.object({ app: AppName, description: z.string(), plan: AppPlanSchema, generated: GeneratedSource });
type VerifyInput = z.infer<typeof VerifyInput>;

/** The app as it stands in one attempt: its files and where they are written. */
interface Candidate {
  dir: string;
  app: GeneratedApp;
  digests: FileDigestValue[];
  repairedFiles?: string[];
  /** Why these files were refused before the sandbox saw them. */
  refused?: string;
}

/**
 * Proves the generated app installs, starts and answers before anything is built: runs it in the
 * sandbox and, while it fails and attempts remain, sends the failure to the generator's `repair`
 * and tries the repaired files, each attempt in its own folder (`<run>/source-attempt-<n>`). The
 * output's `dir` is the source that passed; `attempts` tells how it got there; `spec.metrics` is set
 * when the passing app served Prometheus metrics at `/metrics`.
 * @example
 * const verify = createVerifyStep({ sandbox: new ProcessSandbox({ workDir, nodeBinary }), generator, maxAttempts: 3 });
 */
export const createVerifyStep = ({ sandbox, generator, maxAttempts = DEFAULT_MAX_ATTEMPTS }: VerifyStepOptions) =>
  defineStep({
    id: 'source:verify',
    title: 'Verify the app starts',
    input: VerifyInput,
    output: VerifiedSource,
    summarize: (o) => (o.attempts.length === 1 ? `passed ${o.attempts[0]!.checks.length} checks` : `passed on attempt ${o.attempts.length}`),
    run: async (ctx) => {
      const { generated } = ctx.input;
      const limit = generator.repair ? Math.max(1, maxAttempts) : 1;
      let candidate: Candidate = {
        dir: generated.dir,
        app: { spec: generated.spec, files: await readSourceFiles(generated.dir, generated.files) },
        digests: generated.files,
      };
      const attempts: VerifyAttempt[] = [];
      for (let attempt = 1; ; attempt++) {
        const result: VerifyResult = candidate.refused
          ? { ok: false, checks: [{ name: 'files', ok: false, durationMs: 0, detail: candidate.refused }], failure: `files failed: ${candidate.refused}` }
          : await sandbox.verify(candidate.app, ctx.signal);
        const record: VerifyAttempt = {
          attempt,
          ok: result.ok,
          checks: result.checks,
          ...(result.ok ? {} : { failure: result.failure ?? 'the sandbox reported a failure without detail' }),
          files: candidate.app.files.length,
          ...(candidate.repairedFiles ? { repairedFiles: candidate.repairedFiles } : {}),
        };
        attempts.push(record);
        logAttempt(ctx, record, limit);
        if (result.ok) return { dir: candidate.dir, spec: withMetrics(candidate.app.spec, result.metrics), files: candidate.digests, attempts };
        if (attempt >= limit || !generator.repair) break;
        candidate = await repair(ctx, generator, candidate, record.failure!, attempt + 1);
      }
      throw new AppVerificationError(attempts, { repairable: generator.repair !== undefined, template: ctx.input.plan.template.id });
    },
  });

/** Asks the generator to fix the app and writes the result to the next attempt's folder. */
async function repair(ctx: StepContext<VerifyInput>, generator: CodeGenerator, previous: Candidate, failure: string, attempt: number): Promise<Candidate> {
  const { app, description, plan, generated } = ctx.input;
  const repaired = await generator.repair!(plan, { name: app, description }, previous.app, failure, ctx.signal);
  const next: GeneratedApp = { spec: { ...repaired.spec, name: app }, files: repaired.files };
  const dir = join(dirname(generated.dir), `source-attempt-${attempt}`);
  const repairedFiles = changedPaths(previous.app.files, next.files);
  const refused = sourceFilesProblem(next.files);
  // Refused files are not written; the model is told why and gets another try.
  if (refused) return { dir, app: next, digests: [], repairedFiles, refused };
  return { dir, app: next, digests: await writeSourceFiles(dir, next.files), repairedFiles };
}

function logAttempt(ctx: StepContext<VerifyInput>, record: VerifyAttempt, limit: number): void {
  const checks = record.checks.map((c) => ({ name: c.name, ok: c.ok, durationMs: c.durationMs }));
  const fields = { attempt: record.attempt, of: limit, ok: record.ok, checks, files: record.files, repairedFiles: record.repairedFiles };
  if (record.ok) ctx.logger.info(fields, 'verification passed');
  else ctx.logger.warn({ ...fields, failure: record.failure }, 'verification failed');
}
