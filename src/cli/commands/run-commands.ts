import { resolve } from 'node:path';
import type { AppAccess, Run } from '../../domain/index.ts';
import { ENDED_STATUSES, InputError } from '../../domain/index.ts';
import { openSlipway } from '../context.ts';
import { printJson, printRunSummary, reportError, runJson } from '../output.ts';
import { createProgress } from '../progress.ts';
import { failRunOnUnexpectedErrors } from '../unexpected-errors.ts';

type Slipway = Awaited<ReturnType<typeof openSlipway>>;
/** Starts (or queues again) the run a command is about; progress follows from the run's events after `events`. */
type Begin = (slipway: Slipway) => Promise<Run>;

/**
 * Runs one pipeline-backed command: starts the run, shows its events as they happen, and ends with
 * its report and exit code (0 succeeded, 1 failed or cancelled, 2 bad input). Ctrl-C cancels the run.
 */
export async function followRun(json: boolean, begin: Begin, options: { announce?: (slipway: Slipway) => Promise<string>; open?: Parameters<typeof openSlipway>[0]; fromStart?: boolean } = {}): Promise<number> {
  const controller = new AbortController();
  let runId: string | undefined;
  let slipway: Slipway | undefined;
  const cancel = () => {
    if (runId && slipway) void slipway.service.cancel(runId).catch(() => undefined);
  };
  const onSignal = () => {
    controller.abort();
    cancel();
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const stopWatching = failRunOnUnexpectedErrors(controller);
  const progress = createProgress(json ? process.stderr : process.stdout, json ? { live: false } : {});
  const quietJson = json && !process.stderr.isTTY;
  try {
    slipway = await openSlipway(options.open ?? {});
    const { service } = slipway;
    // Something nothing in the run handled fails the run this process executes (see unexpected-errors.ts).
    controller.signal.addEventListener('abort', () => {
      if (controller.signal.reason instanceof Error && controller.signal.reason.name !== 'AbortError') service.failRunning?.(controller.signal.reason);
    });
    const announcement = options.announce ? await options.announce(slipway) : undefined;
    if (announcement && !quietJson) (json ? process.stderr : process.stdout).write(`${announcement}\n`);
    const run = await begin(slipway);
    runId = run.id;
    if (controller.signal.aborted) cancel();
    if (!ENDED_STATUSES.includes(run.status)) {
      for await (const { event } of service.watch(run.id, { after: options.fromStart ? 0 : run.events })) {
        if (!quietJson) progress.listener(event);
      }
    }
    await service.idle?.();
    const report = await service.report(run.id);
    if (json) printJson({ ...runJson(report), ...(options.announce ? { generator: await slipway.describeGenerator() } : {}) });
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

/** The --access flag's value, checked here so a typo is refused before anything starts; when it is wrong, the exit code of the error reported. */
function accessOption(value: string | undefined, json: boolean): { access?: AppAccess } | number {
  if (value === undefined) return {};
  if (value === 'public' || value === 'private') return { access: value };
  return reportError(new InputError(`--access must be public or private, not ${JSON.stringify(value)}`), json);
}

/** `--uses nas,printer`: the externals an app calls, by name (checked to exist when the run is asked for). */
function usesOption(value: string | undefined): { uses?: string[] } {
  if (value === undefined) return {};
  return { uses: value.split(',').map((name) => name.trim()).filter((name) => name !== '') };
}

export function createCommand(words: string[], opts: { name?: string; template?: string; target?: string; from?: string; env?: string; access?: string; uses?: string; database?: string; json?: boolean }): Promise<number> {
  const accessOnly = accessOption(opts.access, Boolean(opts.json));
  if (typeof accessOnly === 'number') return Promise.resolve(accessOnly);
  const access = { ...accessOnly, ...usesOption(opts.uses) };
  if (opts.database !== undefined && opts.database !== 'postgres') {
    return Promise.resolve(reportError(new InputError(`--database ${opts.database} is not a database Slipway provides`, { hint: 'Use --database postgres.' }), Boolean(opts.json)));
  }
  if (opts.from !== undefined && opts.database !== undefined) {
    return Promise.resolve(reportError(new InputError('--database works with a generated app; a folder of code ships as it is'), Boolean(opts.json)));
  }
  if (opts.from !== undefined) return createFromCommand(words, { ...opts, from: opts.from }, access);
  if (words.length === 0) return Promise.resolve(reportError(new InputError('missing the description: say what the app should be', { hint: 'e.g. slipway create "a pomodoro timer with a dark theme", or ship a folder of code with slipway create --from <dir>' }), Boolean(opts.json)));
  const request = {
    kind: 'create' as const, description: words.join(' '), ...(opts.name !== undefined ? { name: opts.name } : {}), ...(opts.template !== undefined ? { template: opts.template } : {}),
    ...(opts.env !== undefined ? { env: opts.env } : {}), ...access, ...(opts.database === 'postgres' ? { database: 'postgres' as const } : {}),
  };
  const announce = async (s: Slipway) => (opts.template ? `Using the ${opts.template} template.` : `Generator: ${await s.describeGenerator()}.`);
  const open = { ...(opts.target !== undefined ? { target: opts.target } : {}), deploying: true };
  return followRun(Boolean(opts.json), (s) => s.service.start(request), { announce, open, fromStart: true });
}

/** `slipway create --from <dir>`: ships a folder of code as a new app (its path made absolute here, where it is read). */
function createFromCommand(words: string[], opts: { name?: string; template?: string; target?: string; from: string; env?: string; json?: boolean }, access: { access?: AppAccess; uses?: string[] }): Promise<number> {
  if (opts.template !== undefined) return Promise.resolve(reportError(new InputError('--from ships a folder as it is; --template cannot be given with it'), Boolean(opts.json)));
  const request = {
    kind: 'create' as const, from: resolve(opts.from),
    ...(words.length > 0 ? { description: words.join(' ') } : {}), ...(opts.name !== undefined ? { name: opts.name } : {}),
    ...(opts.env !== undefined ? { env: opts.env } : {}), ...access,
  };
  const open = { ...(opts.target !== undefined ? { target: opts.target } : {}), deploying: true };
  return followRun(Boolean(opts.json), (s) => s.service.start(request), { open, fromStart: true });
}

export function changeCommand(app: string, words: string[], opts: { from?: string; patch?: boolean; major?: boolean; env?: string; access?: string; uses?: string; json?: boolean }): Promise<number> {
  const accessOnly = accessOption(opts.access, Boolean(opts.json));
  if (typeof accessOnly === 'number') return Promise.resolve(accessOnly);
  const access = { ...accessOnly, ...usesOption(opts.uses) };
  if (opts.patch && opts.major) return Promise.resolve(reportError(new InputError('--patch and --major cannot both be given', { hint: 'A change is a minor version unless one of them says otherwise.' }), Boolean(opts.json)));
  const bump = opts.patch ? 'patch' as const : opts.major ? 'major' as const : undefined;
  const request = {
    kind: 'change' as const, app,
    // With --from the words are optional: they say what the new version is, in its commits.
    ...(opts.from === undefined || words.length > 0 ? { request: words.join(' ') } : {}),
    ...(opts.from !== undefined ? { from: resolve(opts.from) } : {}),
    ...(bump ? { bump } : {}), ...(opts.env !== undefined ? { env: opts.env } : {}), ...access,
  };
  return followRun(Boolean(opts.json), (s) => s.service.start(request), { open: { deploying: true }, fromStart: true });
}

export function resumeCommand(runId: string, opts: { json?: boolean }): Promise<number> {
  return followRun(Boolean(opts.json), (s) => s.service.resume(runId));
}

export function deleteCommand(app: string, opts: { json?: boolean; keepData?: boolean; deleteData?: boolean }): Promise<number> {
  if (opts.keepData && opts.deleteData) {
    return Promise.resolve(reportError(new InputError('--keep-data and --delete-data contradict each other', { hint: 'Pass one of them.' }), Boolean(opts.json)));
  }
  const chosen = opts.deleteData ? 'delete' : opts.keepData ? 'keep' : undefined;
  const begin = async (s: Slipway): Promise<Run> => {
    try {
      return await s.service.start({ kind: 'delete', app, ...(chosen ? { data: chosen } : {}) });
    } catch (error) {
      // Asked what to do with the app's data: a person at a terminal answers here; a script passes a flag.
      const asked = error instanceof InputError && error.details?.['choice'] === 'data';
      if (!asked || chosen || !process.stdin.isTTY || !process.stderr.isTTY) throw error;
      const data = (await askYesNo(`${error.message}.\nDelete ${app}'s data as well? [y/N] `)) ? 'delete' : 'keep';
      return s.service.start({ kind: 'delete', app, data });
    }
  };
  return followRun(Boolean(opts.json), begin, { fromStart: true });
}

/** Asks a yes/no question on the terminal; anything but y or yes is no. */
async function askYesNo(question: string): Promise<boolean> {
  const { createInterface } = await import('node:readline/promises');
  const terminal = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await terminal.question(question)).trim());
  } finally {
    terminal.close();
  }
}

/** A new version that runs an earlier one's image again (`--to`, default the one before the current image). */
export function rollbackCommand(app: string, opts: { to?: string; env?: string; json?: boolean }): Promise<number> {
  const request = { kind: 'rollback' as const, app, ...(opts.to !== undefined ? { to: opts.to } : {}), ...(opts.env !== undefined ? { env: opts.env } : {}) };
  return followRun(Boolean(opts.json), (s) => s.service.start(request), { fromStart: true });
}
