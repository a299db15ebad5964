import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, join } from 'node:path';
import { safePathProblem } from '../../domain/index.ts';
import type { GeneratedApp, Sandbox, VerifyCheck, VerifyResult } from '../../ports/index.ts';
import type { ProcessLedger } from '../os/index.ts';
import { freePort } from '../os/index.ts';
import { probeApp } from './app-probe.ts';
import { formatSeconds } from './http-probe.ts';
import { boundDetail, replacePath } from './output-tail.ts';
import { describeExit, runProgram } from './program.ts';
import { needsTypecheck, typecheckCommand, type PackageInfo } from './typescript-check.ts';

export interface ProcessSandboxOptions {
  /** Scratch root: each verification gets a fresh folder below it, removed afterwards. */
  workDir: string;
  /** Node binary that runs the app, npm's scripts and tsc. */
  nodeBinary: string;
  /** npm program (default `npm`, looked up on `path`). */
  npmBinary?: string;
  /** PATH for every program run (default: the folder of `nodeBinary`, then /usr/local/bin:/usr/bin:/bin). */
  path?: string;
  /** Address the app listens on and is asked at (default 127.0.0.1). */
  host?: string;
  /** How long the app may take to answer /healthz (default 15 s). */
  startTimeoutMs?: number;
  /** Limit for each npm command and for the type check (default 120 s). */
  installTimeoutMs?: number;
  /** npm cache shared between verifications (default: a cache inside each scratch folder). */
  npmCache?: string;
  /** Install from the npm cache only, never from the network. */
  offline?: boolean;
  /**
   * Extra variables for every program run (e.g. `npm_config_registry` for a mirror). Nothing else
   * of Slipway's environment reaches the app: never put a secret here.
   */
  env?: Record<string, string>;
  /** Where every program started is written down while it runs, so one a killed Slipway left behind can be stopped later. */
  ledger?: Pick<ProcessLedger, 'add' | 'remove'>;
}

/** A check that failed before a program ran, or the outcome of one that ran. */
type CheckOutcome = Omit<VerifyCheck, 'durationMs'>;

/**
 * Proves an app in a scratch folder the way it will run: install its dependencies with npm (no
 * install scripts), type-check it if it is TypeScript, start it with its own command on a free port
 * and ask `/healthz` and `/` (then `/metrics`, to find out whether it serves Prometheus metrics).
 * Stops at the first failed check; its detail (the end of the program's output, scratch paths
 * replaced by `.`) is what a model gets to fix the app.
 *
 * The app runs as Slipway's user with a bare environment; this proves an app works, it does not
 * contain a hostile one.
 * @example
 * const sandbox = new ProcessSandbox({ workDir: '/var/lib/slipway/sandbox', nodeBinary: process.execPath });
 * const result = await sandbox.verify({ spec, files });
 * if (!result.ok) console.error(result.failure);
 */
export class ProcessSandbox implements Sandbox {
  private readonly options: ProcessSandboxOptions;

  constructor(options: ProcessSandboxOptions) {
    this.options = options;
  }

  async verify(app: GeneratedApp, signal?: AbortSignal): Promise<VerifyResult> {
    signal?.throwIfAborted();
    await mkdir(this.options.workDir, { recursive: true });
    const scratch = await mkdtemp(join(this.options.workDir, 'verify-'));
    const appDir = join(scratch, 'app');
    const checks: VerifyCheck[] = [];
    let metrics: { path: string } | undefined;
    // Paths in details are relative to the app: the model never saw the scratch folder.
    const clean = (text: string) => replacePath(replacePath(text, `${appDir}/`, ''), scratch, '<sandbox>');
    const record = async (check: () => Promise<CheckOutcome | VerifyCheck[]>): Promise<boolean> => {
      const started = Date.now();
      const outcome = await check();
      const added = Array.isArray(outcome) ? outcome : [{ ...outcome, durationMs: Date.now() - started }];
      for (const c of added) checks.push(c.detail === undefined ? c : { ...c, detail: clean(c.detail) });
      return added.every((c) => c.ok);
    };
    try {
      let pkg: PackageInfo = { dependencies: [] };
      const paths = app.files.map((f) => f.path.replace(/^\.\//, ''));
      const passed =
        (await record(() => this.writeFiles(app, appDir, scratch))) &&
        (await record(async () => {
          const parsed = parsePackageJson(app);
          if (typeof parsed === 'string') return { name: 'package.json', ok: false, detail: parsed };
          pkg = parsed;
          return { name: 'package.json', ok: true };
        })) &&
        (pkg.dependencies.length === 0 || paths.includes('package-lock.json') ||
          (await record(() => this.npm('lockfile', ['install', '--package-lock-only'], appDir, scratch, signal)))) &&
        (pkg.dependencies.length === 0 || (await record(() => this.npm('install', ['ci'], appDir, scratch, signal)))) &&
        (!needsTypecheck(paths) || (await record(() => this.typecheck(appDir, paths, pkg, scratch, signal)))) &&
        (await record(async () => {
          const probed = await this.start(app, appDir, scratch, signal);
          metrics = probed.metrics;
          return probed.checks;
        }));
      if (!passed) return { ok: false, checks, failure: failureOf(checks) };
      return metrics ? { ok: true, checks, metrics } : { ok: true, checks };
    } finally {
      await rm(scratch, { recursive: true, force: true, maxRetries: 3 });
    }
  }

  /** Writes the files, refusing unsafe or repeated paths (the app's author may be a model). */
  private async writeFiles(app: GeneratedApp, appDir: string, scratch: string): Promise<CheckOutcome> {
    const seen = new Set<string>();
    const problems: string[] = [];
    for (const file of app.files) {
      const problem = safePathProblem(file.path);
      const path = file.path.replace(/^\.\//, '');
      if (problem) problems.push(`${JSON.stringify(file.path)}: ${problem}`);
      else if (seen.has(path)) problems.push(`${JSON.stringify(file.path)}: the app has this file twice`);
      seen.add(path);
    }
    if (problems.length > 0) return { name: 'files', ok: false, detail: `refused file paths:\n${problems.join('\n')}` };
    // Node and tsc take a module's type from the nearest package.json, searching upwards: without
    // this empty one, an app that has none would inherit whatever lies above the scratch root,
    // where its image has nothing.
    await writeFile(join(scratch, 'package.json'), '{}\n');
    await mkdir(join(scratch, 'home'), { recursive: true });
    await mkdir(join(scratch, 'data'), { recursive: true });
    for (const file of app.files) {
      const target = join(appDir, file.path);
      await mkdir(dirname(target), { recursive: true });
      await writeFile(target, file.content, { flag: 'wx' });
    }
    return { name: 'files', ok: true };
  }

  private async npm(name: string, command: string[], appDir: string, scratch: string, signal: AbortSignal | undefined): Promise<CheckOutcome> {
    const args = [...command, '--ignore-scripts', '--no-audit', '--no-fund', ...(this.options.offline ? ['--offline'] : [])];
    const npmBinary = this.options.npmBinary ?? 'npm';
    const timeoutMs = this.options.installTimeoutMs ?? 120_000;
    const env = { ...this.baseEnv(scratch), npm_config_cache: this.options.npmCache ?? join(scratch, 'home', '.npm'), npm_config_update_notifier: 'false' };
    const result = await runProgram(npmBinary, args, { cwd: appDir, env, timeoutMs, signal, ledger: this.options.ledger });
    if (result.code === 0 && !result.timedOut) return { name, ok: true };
    const headline = result.timedOut
      ? `npm ${command.join(' ')} did not finish within ${formatSeconds(timeoutMs)}.`
      : `npm ${command.join(' ')} ${describeExit(result)}.`;
    return { name, ok: false, detail: withTail(headline, result.output) };
  }

  private async typecheck(appDir: string, paths: string[], pkg: PackageInfo, scratch: string, signal: AbortSignal | undefined): Promise<CheckOutcome> {
    const { script, args } = typecheckCommand(appDir, paths, pkg);
    if (!existsSync(script)) return { name: 'typecheck', ok: false, detail: `the app depends on typescript, but ${script} was not installed.` };
    const timeoutMs = this.options.installTimeoutMs ?? 120_000;
    const result = await runProgram(this.options.nodeBinary, [script, ...args], { cwd: appDir, env: this.baseEnv(scratch), timeoutMs, signal, ledger: this.options.ledger });
    if (result.code === 0 && !result.timedOut) return { name: 'typecheck', ok: true };
    const headline = result.timedOut ? `tsc did not finish within ${formatSeconds(timeoutMs)}.` : `tsc --noEmit found errors (it ${describeExit(result)}):`;
    return { name: 'typecheck', ok: false, detail: withTail(headline, result.output) };
  }

  private async start(app: GeneratedApp, appDir: string, scratch: string, signal: AbortSignal | undefined): Promise<{ checks: CheckOutcome | VerifyCheck[]; metrics?: { path: string } }> {
    const [program, ...args] = app.spec.command;
    if (program !== 'node') {
      return { checks: { name: 'start', ok: false, detail: `the app's command must start with 'node' (Slipway runs Node apps), but it is ${JSON.stringify(app.spec.command)}.` } };
    }
    const host = this.options.host ?? '127.0.0.1';
    const port = await freePort(host);
    const env = { ...this.baseEnv(scratch), PORT: String(port), HOST: host, DATA_DIR: join(scratch, 'data'), NODE_ENV: 'production' };
    return probeApp({
      nodeBinary: this.options.nodeBinary, args, cwd: appDir, env, host, port,
      startTimeoutMs: this.options.startTimeoutMs ?? 15_000, signal, clean: (text) => text, ledger: this.options.ledger,
    });
  }

  /** The whole environment of a program run here: no variable of Slipway's own leaks in. */
  private baseEnv(scratch: string): Record<string, string> {
    const nodeDir = isAbsolute(this.options.nodeBinary) ? `${dirname(this.options.nodeBinary)}:` : '';
    return { ...this.options.env, PATH: this.options.path ?? `${nodeDir}/usr/local/bin:/usr/bin:/bin`, HOME: join(scratch, 'home') };
  }
}

/** Reads what verification needs from package.json; a string is the problem with it. */
function parsePackageJson(app: GeneratedApp): PackageInfo | string {
  const file = app.files.find((f) => f.path.replace(/^\.\//, '') === 'package.json');
  if (!file) return { dependencies: [] };
  let json: unknown;
  try {
    json = JSON.parse(file.content);
  } catch (error) {
    return `package.json is not valid JSON: ${(error as Error).message}`;
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return 'package.json must hold a JSON object.';
  const names = new Set<string>();
  for (const field of ['dependencies', 'devDependencies', 'optionalDependencies']) {
    const value = (json as Record<string, unknown>)[field];
    if (value === undefined) continue;
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return `package.json: "${field}" must be an object of package names to versions.`;
    for (const name of Object.keys(value)) names.add(name);
  }
  return { dependencies: [...names].sort() };
}

function withTail(headline: string, output: string): string {
  const text = output.trim();
  return text ? `${headline}\n${boundDetail(text, { maxLines: 55, maxBytes: 3500 })}` : headline;
}

/** The first failed check, as a model should read it. */
function failureOf(checks: VerifyCheck[]): string {
  const failed = checks.find((c) => !c.ok)!;
  return `${failed.name} failed: ${failed.detail ?? 'no detail'}`;
}
