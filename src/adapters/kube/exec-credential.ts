import { spawn } from 'node:child_process';
import { isAbsolute, join } from 'node:path';
import { CancelledError, ConfigError } from '../../domain/errors.ts';
import type { ExecCredential } from '../../ports/kube-access.ts';

/** A kubeconfig user's `exec` section: a credential plugin such as `aws eks get-token` or `kubelogin`. */
export interface ExecConfig {
  command: string;
  args?: string[];
  env?: Array<{ name: string; value: string }>;
  apiVersion?: string;
  /** Slipway runs without a terminal to prompt in: `Always` is refused, the others run non-interactively. */
  interactiveMode?: 'Never' | 'IfAvailable' | 'Always';
  provideClusterInfo?: boolean;
  installHint?: string;
}

// What a plugin gives is typed in the ports, beside KubeAccess.
export type { ExecCredential } from '../../ports/kube-access.ts';

/** The cluster as the plugin is told it with `provideClusterInfo`. */
export interface ExecClusterInfo {
  server: string;
  ca?: string;
  insecureSkipTlsVerify?: boolean;
}

export interface ExecPluginOptions {
  /** The kubeconfig's directory: a command with a slash in it is relative to it, as kubectl resolves it. */
  baseDir: string;
  /** The environment the plugin starts with (the composition root's); the exec section's `env` is added. */
  env: Record<string, string | undefined>;
  cluster: ExecClusterInfo;
  /** Longest a plugin may take; default 60 s (some open a browser or ask a cloud API). */
  timeoutMs?: number;
  now?: () => number;
}

const DEFAULT_API_VERSION = 'client.authentication.k8s.io/v1';

/**
 * A credential plugin run the way kubectl runs it: the command with its args as an argument array
 * (never a shell), `KUBERNETES_EXEC_INFO` describing the request, and the ExecCredential JSON read
 * from its stdout. The answer is kept until its `expirationTimestamp`, or for the whole run when
 * it has none, so a watch that polls does not start the plugin for every request.
 *
 * @example
 * const plugin = new ExecCredentialPlugin({ command: 'aws', args: ['eks', 'get-token', '--cluster-name', 'lab'] }, { baseDir, env, cluster });
 * const { token } = await plugin.get();
 */
export class ExecCredentialPlugin {
  readonly #config: ExecConfig;
  readonly #options: ExecPluginOptions;
  #cached: { credential: ExecCredential; expiresAt: number } | undefined;
  #pending: Promise<ExecCredential> | undefined;

  constructor(config: ExecConfig, options: ExecPluginOptions) {
    if (typeof config.command !== 'string' || !config.command) throw new ConfigError('the kubeconfig exec section names no command', { hint: 'Set users[].user.exec.command.' });
    if (config.args !== undefined && !(Array.isArray(config.args) && config.args.every((arg) => typeof arg === 'string'))) {
      throw new ConfigError(`the kubeconfig exec section of ${config.command} has args that are not a list of strings`, { hint: 'Write args as a YAML list, e.g. args: [eks, get-token].' });
    }
    if (config.interactiveMode === 'Always') {
      throw new ConfigError(`the kubeconfig credential plugin ${config.command} needs a terminal to ask in (interactiveMode: Always), and Slipway runs without one`, {
        hint: 'Use a plugin mode that works unattended (interactiveMode: Never or IfAvailable), or give Slipway a service account token.',
      });
    }
    this.#config = config;
    this.#options = options;
  }

  /** The current credential: the cached one while it is valid, else the plugin's fresh answer. */
  async get(signal?: AbortSignal): Promise<ExecCredential> {
    const now = (this.#options.now ?? Date.now)();
    if (this.#cached && now < this.#cached.expiresAt) return this.#cached.credential;
    // Requests made together share one plugin run.
    this.#pending ??= this.#run(signal).finally(() => {
      this.#pending = undefined;
    });
    return this.#pending;
  }

  async #run(signal?: AbortSignal): Promise<ExecCredential> {
    const config = this.#config;
    const apiVersion = config.apiVersion ?? DEFAULT_API_VERSION;
    const command = config.command.includes('/') && !isAbsolute(config.command) ? join(this.#options.baseDir, config.command) : config.command;
    const info = {
      apiVersion,
      kind: 'ExecCredential',
      spec: {
        interactive: false,
        ...(config.provideClusterInfo ? { cluster: clusterInfo(this.#options.cluster) } : {}),
      },
    };
    const env: Record<string, string> = {};
    for (const [name, value] of Object.entries(this.#options.env)) if (value !== undefined) env[name] = value;
    for (const entry of config.env ?? []) if (entry && typeof entry.name === 'string') env[entry.name] = String(entry.value ?? '');
    env.KUBERNETES_EXEC_INFO = JSON.stringify(info);
    const { code, stdout, stderr } = await runPlugin(command, config.args ?? [], env, this.#options.timeoutMs ?? 60_000, signal);
    const what = `the kubeconfig credential plugin ${config.command}`;
    if (code !== 0) {
      const last = stderr.trim().split('\n').at(-1)?.slice(0, 300);
      throw new ConfigError(`${what} failed (${typeof code === 'number' ? `exit code ${code}` : code})${last ? `: ${last}` : ''}`, {
        hint: config.installHint?.trim() || `Run ${config.command} yourself to see why, then run Slipway again.`,
      });
    }
    let parsed: { status?: { token?: unknown; clientCertificateData?: unknown; clientKeyData?: unknown; expirationTimestamp?: unknown } };
    try {
      parsed = JSON.parse(stdout) as typeof parsed;
    } catch {
      // The output is not quoted: it may hold a token.
      throw new ConfigError(`${what} printed something that is not ExecCredential JSON`, { hint: `Check that ${config.command} prints an ExecCredential of ${apiVersion}.` });
    }
    const status = parsed?.status ?? {};
    const credential: ExecCredential = {};
    if (typeof status.token === 'string' && status.token) credential.token = status.token;
    if (typeof status.clientCertificateData === 'string' && typeof status.clientKeyData === 'string') {
      credential.clientCert = status.clientCertificateData;
      credential.clientKey = status.clientKeyData;
    }
    if (!credential.token && !credential.clientCert) {
      throw new ConfigError(`${what} gave neither a token nor a client certificate and key`, { hint: `Check that ${config.command} prints an ExecCredential with status.token.` });
    }
    const expires = typeof status.expirationTimestamp === 'string' ? Date.parse(status.expirationTimestamp) : Number.NaN;
    this.#cached = { credential, expiresAt: Number.isNaN(expires) ? Number.POSITIVE_INFINITY : expires };
    return credential;
  }
}

function clusterInfo(cluster: ExecClusterInfo): Record<string, unknown> {
  return {
    server: cluster.server,
    ...(cluster.ca ? { 'certificate-authority-data': Buffer.from(cluster.ca).toString('base64') } : {}),
    ...(cluster.insecureSkipTlsVerify ? { 'insecure-skip-tls-verify': true } : {}),
  };
}

function runPlugin(command: string, args: string[], env: Record<string, string>, timeoutMs: number, signal?: AbortSignal): Promise<{ code: number | string; stdout: string; stderr: string }> {
  if (signal?.aborted) return Promise.reject(new CancelledError());
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'], timeout: timeoutMs, ...(signal ? { signal } : {}) });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', (error: NodeJS.ErrnoException) => {
      if (signal?.aborted) return reject(new CancelledError());
      reject(new ConfigError(`cannot start the kubeconfig credential plugin ${command}: ${error.code ?? error.message}`, { hint: 'Install it, or put it on PATH.' }));
    });
    child.on('close', (code, killedBy) => {
      if (signal?.aborted) return reject(new CancelledError());
      const stdout = Buffer.concat(out).toString('utf8');
      const stderr = Buffer.concat(err).toString('utf8');
      resolve({ code: code ?? (killedBy === 'SIGTERM' ? `no answer within ${timeoutMs} ms` : String(killedBy)), stdout, stderr });
    });
  });
}
