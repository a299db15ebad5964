import { needsLine } from '../domain/app-needs.ts';
import { describeError } from '../domain/errors.ts';
import { exitCodeFor } from './exit-codes.ts';
import type { RunReport } from '../app/slipway-service.ts';
import { formatMs } from './progress.ts';
import { diffText } from '../steps/source-diff/index.ts';

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** Prints an error for people (and in --json mode as JSON) and returns the exit code. */
export function reportError(error: unknown, json: boolean): number {
  const info = describeError(error);
  const code = exitCodeFor(error);
  if (json) printJson({ error: info });
  else {
    process.stderr.write(`error: ${info.message}\n`);
    if (info.hint) process.stderr.write(`  → ${info.hint}\n`);
  }
  return code;
}

/** The closing lines of a run for people. */
export function printRunSummary(report: RunReport): void {
  const total = report.timeline.reduce((n, s) => n + (s.reused ? 0 : s.durationMs ?? 0), 0);
  if (report.status === 'succeeded') {
    const done = report.kind === 'delete' ? `Deleted ${report.app}` : report.rollback?.to ? `Rolled back ${report.app} to ${report.rollback.to}` : `${report.kind === 'change' ? 'Changed' : 'Shipped'} ${report.app}`;
    const lines = [`\n${done} in ${formatMs(total)}`];
    if (report.version) lines.push(`  version        ${report.version}`);
    if (report.commits.source) lines.push(`  source commit  ${report.commits.source}`);
    if (report.commits.gitops) lines.push(`  gitops commit  ${report.commits.gitops}`);
    if (report.diff) lines.push(`  changes        ${diffText(report.diff).split('\n').join('\n                 ')}`);
    if (report.url) lines.push(`  url            ${report.url}`);
    if (report.needs) lines.push(`  needs          ${needsLine(report.needs)}`);
    if (report.next) lines.push(`  ${report.next}`);
    if (report.nextSteps) lines.push('  The app runs on its defaults until you set its secrets:', ...report.nextSteps.map((step) => `    ${step}`));
    process.stdout.write(`${lines.join('\n')}\n`);
    return;
  }
  const error = report.error;
  process.stderr.write(`\nRun ${report.runId} ${report.status}${error?.stepId ? ` at step ${error.stepId}` : ''}: ${error?.message ?? 'no reason recorded'}\n`);
  if (error?.hint) process.stderr.write(`  → ${error.hint}\n`);
  if (report.rolledBackBy) process.stderr.write(`  → Rolled back automatically by run ${report.rolledBackBy} (see \`slipway runs ${report.app}\`).\n`);
  process.stderr.write(`  → After fixing the cause, continue with: slipway resume ${report.runId}\n`);
}

/** The JSON shape of a run report (stable for scripts and n8n). */
export function runJson(report: RunReport) {
  return {
    app: report.app, status: report.status, url: report.url ?? null, runId: report.runId, kind: report.kind,
    ...(report.version ? { version: report.version } : {}),
    template: report.template ?? null, commits: { source: report.commits.source ?? null, gitops: report.commits.gitops ?? null },
    ...(report.diff ? { diff: report.diff } : {}),
    timeline: report.timeline, ...(report.error ? { error: report.error } : {}), ...(report.next ? { next: report.next } : {}),
    ...(report.needs ? { needs: report.needs } : {}), ...(report.nextSteps ? { nextSteps: report.nextSteps } : {}),
    ...(report.rollback ? { rollback: report.rollback } : {}), ...(report.rolledBackBy ? { rolledBackBy: report.rolledBackBy } : {}),
  };
}
