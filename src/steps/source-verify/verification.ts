import { z } from 'zod';
import { ExternalServiceError, type AppSpec } from '../../domain/index.ts';
import type { VerifyResult } from '../../ports/index.ts';
import { GeneratedSource } from '../schemas.ts';

/** One check of a verification, as stored in a run (see `VerifyCheck` in the Sandbox port). */
export const VerifyCheckSchema = z.object({ name: z.string(), ok: z.boolean(), durationMs: z.number(), detail: z.string().optional() });

/** One attempt at getting the app through the sandbox. */
export const VerifyAttemptSchema = z.object({
  attempt: z.number().int().min(1),
  ok: z.boolean(),
  checks: z.array(VerifyCheckSchema),
  /** The first failed check's name and detail: what the model was sent. */
  failure: z.string().optional(),
  /** How many files the app had in this attempt. */
  files: z.number().int(),
  /** Paths the repair added, changed or removed (absent on the first attempt). */
  repairedFiles: z.array(z.string()).optional(),
});
export type VerifyAttempt = z.infer<typeof VerifyAttemptSchema>;

/** The verify step's output: the source that passed, and every attempt that led to it. */
export const VerifiedSource = GeneratedSource.extend({ attempts: z.array(VerifyAttemptSchema) });
export type VerifiedSource = z.infer<typeof VerifiedSource>;

/**
 * The spec as verification found the app: `metrics` says where it serves Prometheus metrics (what
 * the render turns into a ServiceMonitor), and only when the running app did; a generator's guess is not kept.
 * @example withMetrics(spec, { path: '/metrics' }).metrics // { path: '/metrics' }
 */
export function withMetrics(spec: AppSpec, metrics: VerifyResult['metrics']): AppSpec {
  const { metrics: _claimed, ...rest } = spec;
  return metrics ? { ...rest, metrics } : rest;
}

/**
 * The app never passed verification. Carries every attempt in `details.attempts`, because a failed
 * step has no stored output: whoever records the error can keep them with it.
 * @example
 * try { await step.run(ctx); } catch (e) { if (e instanceof AppVerificationError) show(e.details.attempts); }
 */
export class AppVerificationError extends ExternalServiceError {
  /** Every attempt, also kept in `details` so the run's record holds them. */
  readonly attempts: VerifyAttempt[];

  constructor(attempts: VerifyAttempt[], options: { repairable: boolean; template: string }) {
    const last = attempts.at(-1);
    const n = attempts.length;
    super('app', `the app did not pass verification after ${n} attempt${n === 1 ? '' : 's'}: ${last?.failure ?? 'no attempt was made'}`, {
      hint: `${summarize(attempts)} ${options.repairable
        ? 'Run it again (a model may do better on a new try), describe the app differently, or pick a template with --template.'
        : `The ${options.template} template should always pass: check the Node binary Slipway runs apps with (slipway doctor).`}`,
      details: { attempts },
    });
    this.attempts = attempts;
  }
}

/** `Attempt 1 failed at start; attempt 2 failed at GET /.` */
function summarize(attempts: VerifyAttempt[]): string {
  const parts = attempts.map((a) => `attempt ${a.attempt} ${a.ok ? 'passed' : `failed at ${a.checks.find((c) => !c.ok)?.name ?? 'an unknown check'}`}`);
  const text = parts.join('; ');
  return `${text.charAt(0).toUpperCase()}${text.slice(1)}.`;
}
