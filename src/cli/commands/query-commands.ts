import { assertAppName } from '../../domain/app-name.ts';
import { needsLine } from '../../domain/app-needs.ts';
import { RollbackRequest } from '../../pipeline/pipelines/rollback.ts';
import { openSlipway } from '../context.ts';
import { printJson, reportError } from '../output.ts';
import { formatMs } from '../progress.ts';

/** Runs `fn` with Slipway opened (and closed after); an error is printed and becomes the exit code. */
export async function withSlipway(json: boolean, fn: (s: Awaited<ReturnType<typeof openSlipway>>) => Promise<number | void>): Promise<number> {
  let slipway: Awaited<ReturnType<typeof openSlipway>> | undefined;
  try {
    slipway = await openSlipway();
    return (await fn(slipway)) ?? 0;
  } catch (error) {
    return reportError(error, json);
  } finally {
    slipway?.close();
  }
}

const short = (sha?: string) => (sha ? sha.slice(0, 12) : '-');

export function listCommand(opts: { json?: boolean }): Promise<number> {
  return withSlipway(Boolean(opts.json), async (s) => {
    const apps = await s.service.list();
    if (opts.json) return printJson(apps.map(({ runtime: _handle, ...a }) => a));
    if (apps.length === 0) return void process.stdout.write('No apps yet. Create one: slipway create "a pomodoro timer"\n');
    const rows = apps.map((a) => [a.name, a.state, a.version ?? '-', a.url ?? '-', short(a.commits.source), short(a.commits.gitops)]);
    printTable(['APP', 'STATE', 'VERSION', 'URL', 'SOURCE', 'GITOPS'], rows);
    for (const a of apps) if (a.next) process.stdout.write(`  → ${a.name}: continue with ${a.next}\n`);
  });
}

export function statusCommand(app: string, opts: { json?: boolean }): Promise<number> {
  return withSlipway(Boolean(opts.json), async (s) => {
    const { runtime: _handle, ...status } = await s.service.status(app);
    if (opts.json) return printJson(status);
    const lines = [
      `${status.name}: ${status.state}${status.runtimeState ? ` (${status.runtimeState})` : ''}`,
      `  description  ${status.description}`,
      `  template     ${status.template || '-'}`,
      `  version      ${status.version ? `${status.version}${status.env ? ` (${status.env})` : ''}` : '-'}`,
      `  url          ${status.url ?? '-'}`,
      `  access       ${status.access ?? 'public'}`,
      ...(status.needs ? [`  needs        ${needsLine(status.needs)}`] : []),
      `  last run     ${status.lastRunId}`,
      ...(status.next ? [`  → its latest run was interrupted; continue with: ${status.next}`] : []),
      `  source       ${status.commits.source ?? '-'}`,
      `  gitops       ${status.commits.gitops ?? '-'}`,
      '  recent commits:',
      ...status.recentCommits.source.map((c) => `    source  ${short(c.sha)} ${c.subject}`),
      ...status.recentCommits.gitops.map((c) => `    gitops  ${short(c.sha)} ${c.subject}`),
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  });
}

/** `opts.limit` is a whole number from 1 (the command line checks it). */
export async function runsCommand(app: string | undefined, opts: { json?: boolean; limit: number }): Promise<number> {
  try {
    // Checked before Slipway opens its home, so a typo creates nothing.
    if (app !== undefined) assertAppName(app);
  } catch (error) {
    return reportError(error, Boolean(opts.json));
  }
  return withSlipway(Boolean(opts.json), async (s) => {
    const { runs } = await s.service.runs({ ...(app !== undefined ? { app } : {}), limit: opts.limit });
    if (opts.json) return printJson(runs);
    if (runs.length === 0) return void process.stdout.write('No runs yet.\n');
    for (const run of runs) {
      const where = run.error ? `${run.error.stepId ? ` at ${run.error.stepId}` : ''}: ${run.error.message}` : '';
      process.stdout.write(`${run.id}  ${run.kind.padEnd(6)} ${run.app}  ${run.status}${where}\n`);
      if (run.status === 'interrupted' && run.error?.hint) process.stdout.write(`    → ${run.error.hint}\n`);
      const auto = RollbackRequest.safeParse(run.request).data?.auto;
      if (run.kind === 'rollback' && auto) process.stdout.write(`    ↩ started by Slipway after run ${auto.failedRunId} failed${auto.reason ? `: ${auto.reason}` : ''}\n`);
      for (const step of run.timeline) {
        process.stdout.write(`    ${step.status.padEnd(11)} ${step.stepId.padEnd(18)} ${step.durationMs !== undefined ? formatMs(step.durationMs) : ''}\n`);
      }
    }
  });
}

/** Rows under a header, each column as wide as its widest cell. */
export function printTable(header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  for (const row of [header, ...rows]) process.stdout.write(`${row.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd()}\n`);
}
