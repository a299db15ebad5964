import type { RunOutcome } from '../../ports/index.ts';

/*
 * The words every target uses for an outcome, so Slack, Discord, ntfy and email say the same thing.
 * Nothing here reads a clock or the environment: the same outcome always reads the same.
 */

/** `run.succeeded`, `run.failed` or `run.cancelled`: the generic webhook's `type` and a label elsewhere. */
export function eventType(outcome: RunOutcome): `run.${RunOutcome['status']}` {
  return `run.${outcome.status}`;
}

/**
 * One line saying what happened, for titles, subjects and fallbacks.
 *
 * @example
 * headline({ app: 'notes', kind: 'create', status: 'succeeded', … }) // 'notes is live'
 * headline({ app: 'notes', kind: 'create', status: 'failed', error: { stepId: 'image:build', … }, … }) // 'notes: create failed at image:build'
 */
export function headline(outcome: RunOutcome): string {
  const { app, kind, status } = outcome;
  if (status === 'succeeded') return kind === 'delete' ? `${app} was deleted` : `${app} is live`;
  if (status === 'cancelled') return `${app}: ${kind} cancelled`;
  return outcome.error?.stepId ? `${app}: ${kind} failed at ${outcome.error.stepId}` : `${app}: ${kind} failed`;
}

/**
 * A duration as people read it.
 *
 * @example
 * formatDuration(850) // '850 ms'
 * formatDuration(4_200) // '4.2 s'
 * formatDuration(83_000) // '1 min 23 s'
 */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const seconds = Math.round(ms / 1000);
  return `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
}

/** The facts of an outcome as labelled lines, in a fixed order; the failure's reason and hint last. */
export function facts(outcome: RunOutcome): Array<{ label: string; value: string }> {
  const lines = [
    { label: 'App', value: outcome.app },
    ...(outcome.url ? [{ label: 'URL', value: outcome.url }] : []),
    { label: 'Run', value: `${outcome.runId} (${outcome.kind}, ${outcome.status})` },
    { label: 'Duration', value: formatDuration(outcome.durationMs) },
  ];
  if (outcome.error?.stepId) lines.push({ label: 'Stage', value: outcome.error.stepId });
  if (outcome.error) lines.push({ label: 'Reason', value: outcome.error.message });
  if (outcome.error?.hint) lines.push({ label: 'Hint', value: outcome.error.hint });
  return lines;
}

/** Plain text of an outcome: the headline, then one `Label: value` line per fact. */
export function plainText(outcome: RunOutcome): string {
  return [headline(outcome), '', ...facts(outcome).map(({ label, value }) => `${label}: ${value}`)].join('\n');
}

/** `text` cut to at most `max` characters, marked with an ellipsis when cut (services refuse longer fields). */
export function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
