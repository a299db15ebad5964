import type { Command } from 'commander';
import type { RunReport } from '../../app/slipway-service.ts';
import { openSlipway } from '../context.ts';
import { printJson, printRunSummary, reportError, runJson } from '../output.ts';
import { createProgress } from '../progress.ts';

type Action = (slipway: Awaited<ReturnType<typeof openSlipway>>, options: { onEvent: (e: any) => void; signal: AbortSignal }) => Promise<RunReport>;

/** Runs one pipeline-backed command with progress, Ctrl-C cancellation and exit codes. */
async function runWithProgress(json: boolean, action: Action): Promise<number> {
  const controller = new AbortController();
  const onSignal = () => controller.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const progress = createProgress(json ? process.stderr : process.stdout, json ? { live: false } : {});
  const quietJson = json && !process.stderr.isTTY;
  let slipway: Awaited<ReturnType<typeof openSlipway>> | undefined;
  try {
    slipway = await openSlipway();
    const report = await action(slipway, { onEvent: quietJson ? () => {} : progress.listener, signal: controller.signal });
    if (json) printJson(runJson(report));
    else printRunSummary(report);
    return report.status === 'succeeded' ? 0 : 1;
  } catch (error) {
    return reportError(error, json);
  } finally {
    progress.stop();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    slipway?.close();
  }
}

export function registerRunCommands(program: Command, setExit: (code: number) => void): void {
  program
    .command('create')
    .description('create an app from a description and run it')
    .argument('<description...>', 'what the app should be, e.g. "a pomodoro timer with a dark theme"')
    .option('--name <name>', 'app name (DNS-1123 label, at most 40 characters); derived from the description when absent')
    .option('--template <id>', 'use this template instead of the one the description scores best')
    .option('--json', 'print one JSON object with app, url, runId, template, commits and timeline')
    .action(async (words: string[], opts: { name?: string; template?: string; json?: boolean }) => {
      setExit(await runWithProgress(Boolean(opts.json), (s, o) =>
        s.service.create({ description: words.join(' '), ...(opts.name !== undefined ? { name: opts.name } : {}), ...(opts.template !== undefined ? { template: opts.template } : {}) }, o)));
    });

  program
    .command('resume')
    .description('continue an interrupted or failed run from its last finished step')
    .argument('<runId>', 'the run to continue (see `slipway runs`)')
    .option('--json', 'print the result as JSON')
    .action(async (runId: string, opts: { json?: boolean }) => {
      setExit(await runWithProgress(Boolean(opts.json), (s, o) => s.service.resume(runId, o)));
    });

  program
    .command('delete')
    .description('stop an app and remove it from both repos')
    .argument('<app>', 'app name')
    .option('--json', 'print the result as JSON')
    .action(async (app: string, opts: { json?: boolean }) => {
      setExit(await runWithProgress(Boolean(opts.json), (s, o) => s.service.delete(app, o)));
    });
}
