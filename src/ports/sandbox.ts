import type { GeneratedApp } from './code-generator.ts';

export interface VerifyCheck {
  /** e.g. `install`, `typecheck`, `start`, `GET /healthz`, `GET /`. */
  name: string;
  ok: boolean;
  durationMs: number;
  /** What went wrong, trimmed to what a model or a person needs (last lines of output). */
  detail?: string;
}

export interface VerifyResult {
  ok: boolean;
  checks: VerifyCheck[];
  /** The first failed check's detail, ready to send back to a model. */
  failure?: string;
  /** Where the app serves Prometheus metrics, when it answered there in the text format while it ran. */
  metrics?: { path: string };
}

/** Proves an app's files install, type-check, start and answer, in a scratch directory. */
export interface Sandbox {
  verify(app: GeneratedApp, signal?: AbortSignal): Promise<VerifyResult>;
}
