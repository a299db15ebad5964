import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { ExternalServiceError, InputError } from '../../domain/index.ts';
import { describeExit, runProgram, type ProgramOptions } from './program.ts';

export interface NpmDependencyInstallerOptions {
  /** Where staging copies are made (removed after each build). */
  workDir: string;
  npmBinary?: string;
  /** PATH for npm (it needs `node` on it). */
  path?: string;
  npmCache?: string;
  timeoutMs?: number;
  /** Extra variables, e.g. `npm_config_registry` for a mirror. */
  env?: Record<string, string>;
  /** Where each npm is written down while it runs, as the sandbox's programs are, so one a killed Slipway left behind is stopped later. */
  ledger?: ProgramOptions['ledger'];
}

export interface PreparedContext {
  /** The directory to build the image from. */
  dir: string;
  /** Production dependencies installed into it (empty: the app's own directory is used as it is). */
  dependencies: string[];
  /** Removes the staging copy, if one was made. */
  cleanup(): Promise<void>;
}

/**
 * Gives an app with npm dependencies its `node_modules` before the image is built: a staging copy,
 * a lockfile when the app has none, then `npm ci --omit=dev --ignore-scripts` — no install scripts
 * run, so pure-JavaScript packages work and native ones are refused at run time rather than built
 * for the wrong machine. Apps without dependencies are built from their own directory.
 */
export class NpmDependencyInstaller {
  private readonly options: NpmDependencyInstallerOptions;

  constructor(options: NpmDependencyInstallerOptions) {
    this.options = options;
  }

  async prepare(dir: string, signal?: AbortSignal): Promise<PreparedContext> {
    const dependencies = await declaredDependencies(dir);
    if (dependencies.length === 0) return { dir, dependencies, cleanup: async () => {} };
    await mkdir(this.options.workDir, { recursive: true });
    const staging = await mkdtemp(join(this.options.workDir, 'image-'));
    const cleanup = () => rm(staging, { recursive: true, force: true });
    try {
      const appDir = join(staging, 'app');
      await cp(dir, appDir, { recursive: true, filter: (source) => !source.split('/').includes('node_modules') });
      if (!existsSync(join(appDir, 'package-lock.json'))) await this.npm(['install', '--package-lock-only'], appDir, staging, signal);
      await this.npm(['ci', '--omit=dev'], appDir, staging, signal);
      return { dir: appDir, dependencies, cleanup };
    } catch (error) {
      await cleanup();
      throw error;
    }
  }

  private async npm(command: string[], cwd: string, staging: string, signal: AbortSignal | undefined): Promise<void> {
    const args = [...command, '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'];
    const env: Record<string, string> = {
      ...this.options.env,
      PATH: this.options.path ?? '/usr/local/bin:/usr/bin:/bin',
      HOME: join(staging, 'home'),
      npm_config_cache: this.options.npmCache ?? join(staging, 'home', '.npm'),
      npm_config_update_notifier: 'false',
    };
    const timeoutMs = this.options.timeoutMs ?? 120_000;
    const result = await runProgram(this.options.npmBinary ?? 'npm', args, { cwd, env, timeoutMs, signal, ledger: this.options.ledger });
    if (result.timedOut || result.code !== 0) {
      const why = result.timedOut ? `did not finish within ${Math.round(timeoutMs / 1000)} s` : describeExit(result);
      throw new ExternalServiceError('npm', `npm ${command.join(' ')} for the image ${why}: ${result.output.trim().split('\n').slice(-8).join('\n')}`, {
        hint: 'Check that the npm registry (or your mirror, npm_config_registry) is reachable and the dependencies exist.',
      });
    }
  }
}

async function declaredDependencies(dir: string): Promise<string[]> {
  let text: string;
  try {
    text = await readFile(join(dir, 'package.json'), 'utf8');
  } catch {
    return [];
  }
  let pkg: { dependencies?: unknown };
  try {
    pkg = JSON.parse(text) as { dependencies?: unknown };
  } catch {
    throw new InputError('package.json is not valid JSON');
  }
  return pkg.dependencies && typeof pkg.dependencies === 'object' ? Object.keys(pkg.dependencies).sort() : [];
}

/** What npm needs from Slipway's own environment to reach the registry: a proxy, extra CAs, a mirror. */
const NPM_NETWORK_VARIABLES = ['NODE_EXTRA_CA_CERTS', 'HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy', 'NO_PROXY', 'no_proxy', 'npm_config_registry', 'npm_config_cafile'];

/**
 * The variables of `vars` npm needs to reach the registry from this machine (the installer otherwise
 * gives npm a bare environment).
 * @example npmNetworkEnv(process.env) // { NODE_EXTRA_CA_CERTS: '/etc/ssl/proxy-ca.pem' }
 */
export function npmNetworkEnv(vars: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(NPM_NETWORK_VARIABLES.flatMap((name) => (vars[name] ? [[name, vars[name]]] : [])));
}
