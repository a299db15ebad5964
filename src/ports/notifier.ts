import type { RunKind } from '../domain/index.ts';

/** How a run ended, as notification targets are told of it. Holds nothing secret. */
export interface RunOutcome {
  runId: string;
  app: string;
  kind: RunKind;
  status: 'succeeded' | 'failed' | 'cancelled';
  url?: string;
  durationMs: number;
  error?: { message: string; hint?: string; stepId?: string };
}

/** What one target made of a notification. `target` is a display name without secrets. */
export interface NotifyResult {
  target: string;
  ok: boolean;
  attempts: number;
  error?: string;
}

/**
 * Tells people how a run ended (Slack, Discord, ntfy, email, a webhook). Called after the run's
 * final state is stored; it never throws, so a notification can never fail a run.
 */
export interface Notifier {
  /** One result per target that wants this outcome; targets that do not are left out. */
  notify(outcome: RunOutcome, signal?: AbortSignal): Promise<NotifyResult[]>;
}
