import type { RunReport } from '../../app/slipway-service.ts';
import type { RunEventListener } from '../../pipeline/index.ts';
import { openSlipway } from '../context.ts';
import { printJson, printRunSummary, reportError, runJson } from '../output.ts';
import { createProgress } from '../progress.ts';
import { failRunOnUnexpectedErrors } from '../unexpected-errors.ts';

type Slipway = Awaited<ReturnType<typeof openSlipway>>;
type Action = (slipway: Slipway, options: { onEvent: RunEventListener; signal: AbortSignal }) => Promise<RunReport>;

/** Runs one pipeline-backed command with progress, Ctrl-C cancellation and exit codes. */
async function runWithProgress(json: boolean, action: Action, announce?: (slipway: Awaited<ReturnType<typeof openSlipway>>) => Promise<string>, open: Parameters<typeof openSlipway>[0] = {}): Promise<number> {
  const controller = new AbortController();
  const onSignal = () => controller.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const stopWatching = failRunOnUnexpectedErrors(controller);
  const progress = createProgress(json ? process.stderr : process.stdout, json ? { live: false } : {});
  const quietJson = json && !process.stderr.isTTY;
  let slipway: Awaited<ReturnType<typeof openSlipway>> | undefined;
  try {
    slipway = await openSlipway(open);
    const announcement = announce ? await announce(slipway) : undefined;
    if (announcement && !quietJson) (json ? process.stderr : process.stdout).write(`${announcement}\n`);
    const report = await action(slipway, { onEvent: quietJson ? () => {} : progress.listener, signal: controller.signal });
    if (json) printJson({ ...runJson(report), ...(announce ? { generator: await slipway.describeGenerator() } : {}) });
    else printRunSummary(report);
    return report.status === 'succeeded' ? 0 : 1;
  } catch (error) {
    return reportError(error, json);
  } finally {
    progress.stop();
    stopWatching();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    slipway?.close();
  }
}

export function createCommand(words: string[], opts: { name?: string; template?: string; target?: string; json?: boolean }): Promise<number> {
  const request = { description: words.join(' '), ...(opts.name !== undefined ? { name: opts.name } : {}), ...(opts.template !== undefined ? { template: opts.template } : {}) };
  const announce = async (s: Slipway) => (opts.template ? `Using the ${opts.template} template.` : `Generator: ${await s.describeGenerator()}.`);
  const open = { ...(opts.target !== undefined ? { target: opts.target } : {}), deploying: true };
  return runWithProgress(Boolean(opts.json), (s, o) => s.service.create(request, o), announce, open);
}

export function resumeCommand(runId: string, opts: { json?: boolean }): Promise<number> {
  return runWithProgress(Boolean(opts.json), (s, o) => s.service.resume(runId, o));
}

export function deleteCommand(app: string, opts: { json?: boolean }): Promise<number> {
  return runWithProgress(Boolean(opts.json), (s, o) => s.service.delete(app, o));
}
