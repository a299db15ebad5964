import type { Command } from 'commander';
import { openSlipway } from '../context.ts';
import { printJson, reportError } from '../output.ts';
import { formatMs } from '../progress.ts';

async function withSlipway(json: boolean, fn: (s: Awaited<ReturnType<typeof openSlipway>>) => Promise<number | void>): Promise<number> {
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

export function registerQueryCommands(program: Command, setExit: (code: number) => void): void {
  program
    .command('list')
    .description('list apps with their state, URL and last commits')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }) => {
      setExit(await withSlipway(Boolean(opts.json), async (s) => {
        const apps = await s.service.list();
        if (opts.json) return printJson(apps.map(({ runtime: _handle, ...a }) => a));
        if (apps.length === 0) return void process.stdout.write('No apps yet. Create one: slipway create "a pomodoro timer"\n');
        const rows = apps.map((a) => [a.name, a.state, a.url ?? '-', short(a.commits.source), short(a.commits.gitops)]);
        printTable(['APP', 'STATE', 'URL', 'SOURCE', 'GITOPS'], rows);
      }));
    });

  program
    .command('status')
    .description("show an app's state, URL and recent commits")
    .argument('<app>', 'app name')
    .option('--json', 'print JSON')
    .action(async (app: string, opts: { json?: boolean }) => {
      setExit(await withSlipway(Boolean(opts.json), async (s) => {
        const { runtime: _handle, ...status } = await s.service.status(app);
        if (opts.json) return printJson(status);
        const lines = [
          `${status.name}: ${status.state}${status.runtimeState ? ` (process ${status.runtimeState})` : ''}`,
          `  description  ${status.description}`,
          `  template     ${status.template || '-'}`,
          `  url          ${status.url ?? '-'}`,
          `  last run     ${status.lastRunId}`,
          `  source       ${status.commits.source ?? '-'}`,
          `  gitops       ${status.commits.gitops ?? '-'}`,
          '  recent commits:',
          ...status.recentCommits.source.map((c) => `    source  ${short(c.sha)} ${c.subject}`),
          ...status.recentCommits.gitops.map((c) => `    gitops  ${short(c.sha)} ${c.subject}`),
        ];
        process.stdout.write(`${lines.join('\n')}\n`);
      }));
    });

  program
    .command('runs')
    .description('list recent runs, or one app\'s runs, with their timelines')
    .argument('[app]', 'only this app')
    .option('--json', 'print JSON')
    .option('--limit <n>', 'how many runs', '20')
    .action(async (app: string | undefined, opts: { json?: boolean; limit: string }) => {
      setExit(await withSlipway(Boolean(opts.json), async (s) => {
        const runs = await s.service.runs(app, Math.max(1, Number.parseInt(opts.limit, 10) || 20));
        if (opts.json) return printJson(runs);
        if (runs.length === 0) return void process.stdout.write('No runs yet.\n');
        for (const run of runs) {
          process.stdout.write(`${run.id}  ${run.kind.padEnd(6)} ${run.app}  ${run.status}${run.error ? ` at ${run.error.stepId}: ${run.error.message}` : ''}\n`);
          for (const step of run.timeline) {
            process.stdout.write(`    ${step.status.padEnd(9)} ${step.stepId.padEnd(18)} ${step.durationMs !== undefined ? formatMs(step.durationMs) : ''}\n`);
          }
        }
      }));
    });
}

function printTable(header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  for (const row of [header, ...rows]) process.stdout.write(`${row.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd()}\n`);
}
