import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { promisify } from 'node:util';
import { copyN8nPackage, runN8nNode } from './n8n-package.ts';
import { closedPort } from './ports.ts';

const run = promisify(execFile);

/** The n8n version scripts/install-n8n installs and these tests start. */
export const N8N_VERSION = '2.41.1';

/** The folder scripts/install-n8n installs n8n into (SLIPWAY_N8N_HOME overrides it, for both). */
export function n8nHome(): string {
  return process.env.SLIPWAY_N8N_HOME ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'slipway', `n8n-${N8N_VERSION}`);
}

/** n8n's own command, or an error that says how to install it. */
function n8nBin(): string {
  const home = n8nHome();
  if (!existsSync(join(home, '.installed'))) {
    throw new Error(`n8n ${N8N_VERSION} is not installed in ${home}: run scripts/install-n8n (a few minutes and about 3 GB, once per machine)`);
  }
  return join(home, 'node_modules', 'n8n', 'bin', 'n8n');
}

/**
 * Builds a copy of integrations/n8n with its own tool chain (`n8n-node build`) and packs it as npm
 * would publish it; returns the tarball's path.
 */
export async function packN8nPackage(): Promise<string> {
  const dir = copyN8nPackage('slipway-n8n-pack-');
  const built = await runN8nNode(dir, ['build']);
  if (built.code !== 0) throw new Error(`n8n-node build failed:\n${built.output}`);
  const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', dir], { cwd: dir, maxBuffer: 16 << 20 });
  const [packed] = JSON.parse(stdout) as Array<{ filename: string }>;
  return join(dir, packed!.filename);
}

export interface N8n {
  /** http://127.0.0.1:<port>; webhooks are under /webhook/. */
  url: string;
  /** N8N_USER_FOLDER: n8n keeps its database, settings and community packages in `.n8n/` below it. */
  userFolder: string;
  /** Installs a community package the way a user does: `npm install <package>` in ~/.n8n/nodes. */
  installPackage(spec: string): Promise<void>;
  /** Imports credentials (data in clear: n8n encrypts it with the instance's key) with `n8n import:credentials`. */
  importCredentials(credentials: object[]): Promise<void>;
  /** Imports workflows with `n8n import:workflow`; each needs its `id`, which publish() takes. */
  importWorkflows(workflows: Array<{ id: string }>): Promise<void>;
  /** Marks a workflow active with `n8n publish:workflow`; n8n activates it when it starts. */
  publish(workflowId: string): Promise<void>;
  /** Starts `n8n start` and waits until it is ready (/healthz/readiness). */
  start(): Promise<void>;
  /**
   * Waits until n8n serves the production webhook `path` (under /webhook/): workflows are
   * activated after n8n starts answering, a few seconds later. Asked as a browser's CORS preflight
   * does, which n8n answers 204 only for a registered webhook, so no workflow runs meanwhile.
   */
  waitForWebhook(path: string): Promise<void>;
  /** Everything n8n printed so far. */
  output(): string;
  /**
   * Creates the instance's owner through n8n's REST API (what the set-up page does) and keeps
   * the session cookie for rest().
   */
  setUpOwner(): Promise<void>;
  /** A call to n8n's REST API (/rest/…) as the owner. */
  rest(method: string, path: string, body?: unknown): Promise<Response>;
  /** Stops n8n with SIGTERM (SIGKILL 30 s later) and waits for it to exit. */
  stop(): Promise<number | null>;
}

const ENCRYPTION_KEY = 'slipway-tests-n8n-encryption-key';

/**
 * An n8n of its own for a test file: a temporary user folder, free loopback ports for the editor
 * and webhooks and for the task runners' broker, and nothing that calls out to n8n's servers.
 * Run on Node 24 (the Node these tests run on), as n8n 2.x requires.
 */
export async function createN8n(): Promise<N8n> {
  const bin = n8nBin();
  const userFolder = mkdtempSync(join(tmpdir(), 'slipway-n8n-'));
  const port = await closedPort();
  const url = `http://127.0.0.1:${port}`;
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: userFolder,
    N8N_USER_FOLDER: userFolder,
    N8N_PORT: String(port),
    N8N_LISTEN_ADDRESS: '127.0.0.1',
    N8N_HOST: '127.0.0.1',
    N8N_PROTOCOL: 'http',
    N8N_WEBHOOK_URL: `${url}/`,
    N8N_RUNNERS_BROKER_PORT: String(await closedPort()),
    N8N_RUNNERS_BROKER_LISTEN_ADDRESS: '127.0.0.1',
    N8N_ENCRYPTION_KEY: ENCRYPTION_KEY,
    DB_TYPE: 'sqlite',
    N8N_DIAGNOSTICS_ENABLED: 'false',
    N8N_PERSONALIZATION_ENABLED: 'false',
    N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
    N8N_TEMPLATES_ENABLED: 'false',
    // The MCP server registry is fetched from api.n8n.io at start-up: nothing here reaches it.
    N8N_DISABLED_MODULES: 'mcp-registry',
  };
  const cli = async (args: string[]): Promise<string> => {
    try {
      const { stdout, stderr } = await run(process.execPath, [bin, ...args], { env, cwd: userFolder, maxBuffer: 16 << 20 });
      return stdout + stderr;
    } catch (error) {
      const failed = error as { stdout?: string; stderr?: string };
      throw new Error(`n8n ${args.join(' ')} failed:\n${failed.stdout ?? ''}${failed.stderr ?? ''}`, { cause: error });
    }
  };
  const files = join(userFolder, 'imports');
  mkdirSync(files);
  let imports = 0;
  const writeImport = (content: unknown): string => {
    const file = join(files, `${++imports}.json`);
    writeFileSync(file, JSON.stringify(content));
    return file;
  };

  let child: ChildProcess | undefined;
  let exited: Promise<unknown[]> | undefined;
  let printed = '';
  let cookie = '';

  return {
    url,
    userFolder,
    async installPackage(spec) {
      const nodes = join(userFolder, '.n8n', 'nodes');
      mkdirSync(nodes, { recursive: true });
      // n8n-workflow is a peer dependency that n8n itself provides: npm must not fetch it.
      await run('npm', ['install', '--no-audit', '--no-fund', '--ignore-scripts', '--legacy-peer-deps', '--no-package-lock', spec], { cwd: nodes, env: { ...env, npm_config_cache: join(tmpdir(), 'slipway-n8n-npm-cache') } });
    },
    async importCredentials(credentials) {
      await cli(['import:credentials', `--input=${writeImport(credentials)}`]);
    },
    async importWorkflows(workflows) {
      const output = await cli(['import:workflow', `--input=${writeImport(workflows)}`]);
      // A workflow n8n's import policy skips is only warned about.
      const count = workflows.length === 1 ? '1 workflow.' : `${workflows.length} workflows.`;
      if (!output.includes(`Successfully imported ${count}`)) throw new Error(`n8n import:workflow did not import every workflow:\n${output}`);
    },
    async publish(workflowId) {
      await cli(['publish:workflow', `--id=${workflowId}`]);
    },
    async start() {
      const started = spawn(process.execPath, [bin, 'start'], { env, cwd: userFolder, stdio: ['ignore', 'pipe', 'pipe'] });
      child = started;
      exited = once(started, 'exit');
      started.stdout!.on('data', (d) => (printed += d));
      started.stderr!.on('data', (d) => (printed += d));
      for (let i = 0; i < 480; i++) {
        if (started.exitCode !== null) throw new Error(`n8n exited with ${started.exitCode} while starting:\n${printed}`);
        // /healthz answers while the REST API is still being set up; readiness waits for it.
        const ready = await fetch(`${url}/healthz/readiness`).catch(() => undefined);
        if (ready?.ok) return;
        await delay(250);
      }
      throw new Error(`n8n was not ready in 120 s:\n${printed}`);
    },
    async waitForWebhook(path) {
      for (let i = 0; i < 480; i++) {
        const preflight = await fetch(`${url}/webhook/${path}`, { method: 'OPTIONS', headers: { origin: url, 'access-control-request-method': 'POST' } });
        if (preflight.status === 204) return;
        await delay(250);
      }
      throw new Error(`n8n did not serve the webhook ${path} in 120 s:\n${printed}`);
    },
    output: () => printed,
    async setUpOwner() {
      const response = await fetch(`${url}/rest/owner/setup`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'owner@slipway.test', firstName: 'Slipway', lastName: 'Tests', password: 'Slipway-tests-1' }),
      });
      if (!response.ok) throw new Error(`n8n refused the owner set-up: ${response.status} ${await response.text()}`);
      cookie = response.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
    },
    rest(method, path, body) {
      return fetch(`${url}/rest${path}`, {
        method,
        headers: { cookie, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    },
    async stop() {
      if (!child || !exited) return null;
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      // n8n finishes running executions first; one that hangs must not keep n8n and its task runner alive.
      const killer = setTimeout(() => child?.kill('SIGKILL'), 30_000);
      const [code] = await exited;
      clearTimeout(killer);
      return code as number | null;
    },
  };
}
