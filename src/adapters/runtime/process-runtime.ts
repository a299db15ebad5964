import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { cp, mkdir, readFile, readlink, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { ExternalServiceError, InputError } from '../../domain/index.ts';
import type { AppRuntime, LogOptions, RunningApp, StartRequest } from '../../ports/index.ts';
import { freePort } from '../os/index.ts';
import { followFile } from './follow-file.ts';
import { printedSince, unstamp } from './stamped-log.ts';

/** Starts each app and stamps its output lines with their time (see log-stamper.cjs). */
const LOG_STAMPER = join(import.meta.dirname, 'log-stamper.cjs');

export interface ProcessRuntimeOptions {
  /** Root for `deploy/<app>`, `data/<app>`, `logs/<app>.log` and `run/<app>.json`. */
  home: string;
  /** Address apps listen on and are reached at. */
  host: string;
  /** Node binary that runs the apps. */
  nodeBinary: string;
  /** PATH given to apps. */
  path?: string;
  /** Readies the app's files before they are copied (installs its npm dependencies); default: copied as they are. */
  prepare?: (dir: string, signal?: AbortSignal) => Promise<{ dir: string; cleanup(): Promise<void> }>;
}

/** How often a followed log checks that its app still runs. */
const APP_GONE_CHECK_MS = 1000;

interface PidFile {
  pid: number;
  port: number;
  dir: string;
  startedAt: string;
}

/**
 * Runs each app as a detached Node process on a free port, with its own copy of the files, a data
 * directory and a log file. The process outlives the CLI; `stop` ends it (and only it: the pid is
 * checked against the app's directory so a reused pid is never killed). The app runs under the log
 * stamper, which writes its lines to the log with their time; the recorded pid is the stamper's,
 * which leads the process group the app is in, runs in the app's directory and ends with the app.
 */
export class ProcessRuntime implements AppRuntime {
  readonly name = 'process';
  private readonly options: ProcessRuntimeOptions;

  constructor(options: ProcessRuntimeOptions) {
    this.options = options;
  }

  async start(request: StartRequest, signal?: AbortSignal): Promise<RunningApp> {
    const { app, spec } = request;
    const [program, ...args] = spec.command;
    if (program !== 'node') {
      throw new InputError(`the process runtime runs Node apps only, but ${app} starts with '${program}'`, { hint: 'Use the podman runtime for other commands.' });
    }
    await this.stop(app);
    const dir = this.deployDir(app);
    const dataDir = join(this.options.home, 'data', app);
    const logFile = this.logFile(app);
    await rm(dir, { recursive: true, force: true });
    await mkdir(dir, { recursive: true });
    // An app with npm dependencies runs with them installed, as its image would have them.
    const prepared = this.options.prepare ? await this.options.prepare(request.dir, signal) : { dir: request.dir, cleanup: async () => {} };
    try {
      await cp(prepared.dir, dir, { recursive: true });
    } finally {
      await prepared.cleanup();
    }
    await mkdir(dataDir, { recursive: true });
    await mkdir(join(this.options.home, 'logs'), { recursive: true });
    await mkdir(join(this.options.home, 'run'), { recursive: true });
    const port = await freePort(this.options.host);
    const fd = openSync(logFile, 'a');
    try {
      const child = spawn(this.options.nodeBinary, [LOG_STAMPER, this.options.nodeBinary, ...args], {
        cwd: dir,
        detached: true,
        stdio: ['ignore', fd, fd],
        env: {
          ...request.env,
          PATH: this.options.path ?? '/usr/local/bin:/usr/bin:/bin',
          PORT: String(port),
          HOST: this.options.host,
          DATA_DIR: dataDir,
          NODE_ENV: 'production',
        },
      });
      const pid = await new Promise<number>((resolve, reject) => {
        child.once('error', (error) => reject(new ExternalServiceError('process', `could not start ${app}: ${error.message}`, { hint: `Check that ${this.options.nodeBinary} exists and is executable.` })));
        child.once('spawn', () => resolve(child.pid!));
      });
      child.unref();
      const record: PidFile = { pid, port, dir, startedAt: new Date().toISOString() };
      await writeFile(this.pidFile(app), JSON.stringify(record));
      return { url: `http://${this.options.host}:${port}/`, handle: { pid, port, dir, log: logFile } };
    } finally {
      closeSync(fd);
    }
  }

  async stop(app: string): Promise<void> {
    const record = await this.readPidFile(app);
    if (!record) return;
    if (await this.owns(record)) {
      signalGroup(record.pid, 'SIGTERM');
      for (let i = 0; i < 50 && (await this.owns(record)); i++) await delay(100);
      if (await this.owns(record)) signalGroup(record.pid, 'SIGKILL');
    }
    await rm(this.pidFile(app), { force: true });
  }

  async status(app: string): Promise<'running' | 'stopped'> {
    const record = await this.readPidFile(app);
    return record && (await this.owns(record)) ? 'running' : 'stopped';
  }

  async locate(app: string): Promise<RunningApp | undefined> {
    const record = await this.readPidFile(app);
    if (!record || !(await this.owns(record))) return undefined;
    return { url: `http://${this.options.host}:${record.port}/`, handle: { pid: record.pid, port: record.port, dir: record.dir, log: this.logFile(app) } };
  }

  async logTail(app: string, lines = 20): Promise<string> {
    try {
      const text = await readFile(this.logFile(app), 'utf8');
      return text.split('\n').slice(-lines - 1).map(unstamp).join('\n').trim();
    } catch {
      return '';
    }
  }

  /**
   * The app's log file (stdout and stderr), followed as it grows until the signal aborts or the app
   * goes away. `since` goes by the stamps the log stamper wrote; the lines come out without them.
   */
  async *logs(app: string, _handle: Record<string, unknown> | undefined, options: LogOptions): AsyncGenerator<string> {
    const read = { ...options, ...(options.since ? { keep: printedSince(options.since) } : {}) };
    const lines = options.follow ? this.followWhileRunning(app, read) : followFile(this.logFile(app), read);
    for await (const line of lines) yield unstamp(line);
  }

  /**
   * Follows the log until the reader leaves or the app has stopped for good: stopped at two checks a
   * second apart, so the moment between stopping and starting a new version does not end it.
   */
  private async *followWhileRunning(app: string, options: LogOptions & { keep?: (line: string) => boolean }): AsyncGenerator<string> {
    const gone = new AbortController();
    const signal = options.signal ? AbortSignal.any([options.signal, gone.signal]) : gone.signal;
    let stoppedChecks = 0;
    const check = setInterval(() => {
      void this.status(app).then((state) => {
        stoppedChecks = state === 'stopped' ? stoppedChecks + 1 : 0;
        if (stoppedChecks >= 2) gone.abort();
      });
    }, APP_GONE_CHECK_MS);
    try {
      yield* followFile(this.logFile(app), { ...options, signal });
    } finally {
      clearInterval(check);
    }
  }

  /** Removes everything the runtime keeps for an app (after `stop`). */
  async forget(app: string): Promise<void> {
    await this.stop(app);
    await rm(this.deployDir(app), { recursive: true, force: true });
  }

  private deployDir(app: string): string {
    return join(this.options.home, 'deploy', app);
  }
  private logFile(app: string): string {
    return join(this.options.home, 'logs', `${app}.log`);
  }
  private pidFile(app: string): string {
    return join(this.options.home, 'run', `${app}.json`);
  }

  private async readPidFile(app: string): Promise<PidFile | undefined> {
    try {
      return JSON.parse(await readFile(this.pidFile(app), 'utf8')) as PidFile;
    } catch {
      return undefined;
    }
  }

  /** True when `pid` is alive and still runs in this app's directory (guards against pid reuse). */
  private async owns(record: PidFile): Promise<boolean> {
    try {
      return (await readlink(`/proc/${record.pid}/cwd`)) === record.dir;
    } catch {
      return false;
    }
  }
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    try { process.kill(pid, signal); } catch { /* already gone */ }
  }
}
