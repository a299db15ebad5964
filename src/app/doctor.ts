import { execFile } from 'node:child_process';
import { access, constants, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { readSecret, type ResolvedConfig } from '../config/index.ts';
import { redactUrlCredentials } from '../domain/index.ts';
import { gitOpsEngine } from '../adapters/gitops/index.ts';
import { PROVIDERS, providerFor } from '../adapters/generator/llm/providers/registry.ts';
import { ProcessLedger } from '../adapters/os/index.ts';
import { probePodman } from '../adapters/runtime/podman-probe.ts';
import { clusterBuildCheck } from './cluster-build.ts';
import { kubeAccess } from './cluster-wiring.ts';
import { baseUrlFromEnv, llmProvider } from './generator-choice.ts';
import { stateCheck } from './store-doctor.ts';
import { vaultCheck } from './vault-doctor.ts';

const run = promisify(execFile);

export interface Check {
  name: string;
  /** ok: works; warn: optional part missing; fail: Slipway cannot work until fixed. */
  status: 'ok' | 'warn' | 'fail';
  detail: string;
  fix?: string;
}

async function version(program: string, args: string[], env: NodeJS.ProcessEnv): Promise<string | undefined> {
  try {
    const { stdout } = await run(program, args, { env, timeout: 10_000 });
    return stdout.trim().split('\n')[0];
  } catch {
    return undefined;
  }
}

/** Probes every part Slipway uses and says how to fix what is missing. Never throws. */
export async function runDoctor(config: ResolvedConfig, env: NodeJS.ProcessEnv, nodeVersion: string): Promise<Check[]> {
  const checks: Check[] = [];
  const major = Number(nodeVersion.replace(/^v/, '').split('.')[0]);
  checks.push(major >= 24
    ? { name: 'node', status: 'ok', detail: nodeVersion }
    : { name: 'node', status: 'fail', detail: `${nodeVersion} is too old`, fix: 'Run Slipway with Node 24 or newer (`npm ci` installs it into node_modules).' });
  checks.push({ name: 'config', status: 'ok', detail: config.file ?? 'defaults (no slipway.yaml)' });
  try {
    await mkdir(config.home, { recursive: true });
    await access(config.home, constants.W_OK);
    checks.push({ name: 'home', status: 'ok', detail: config.home });
  } catch {
    checks.push({ name: 'home', status: 'fail', detail: `${config.home} is not writable`, fix: 'Set SLIPWAY_HOME to a writable directory.' });
  }
  const git = await version('git', ['--version'], env);
  checks.push(git ? { name: 'git', status: 'ok', detail: git } : { name: 'git', status: 'fail', detail: 'git not found', fix: 'Install git: apt-get install git' });
  if (git) {
    for (const [label, remote] of [['source repo', config.git.source], ['gitops repo', config.git.gitops]] as const) {
      const url = remote.url ?? join(config.home, 'git', label === 'source repo' ? 'apps.git' : 'gitops.git');
      const shown = redactUrlCredentials(url);
      if (!remote.url) {
        checks.push({ name: label, status: 'ok', detail: `${shown} (embedded default, created on first use)` });
        continue;
      }
      try {
        await run('git', ['ls-remote', '--heads', url], { env: { ...env, GIT_TERMINAL_PROMPT: '0' }, timeout: 20_000 });
        checks.push({ name: label, status: 'ok', detail: `${shown} reachable` });
      } catch (error) {
        const message = redactUrlCredentials(String((error as { stderr?: string }).stderr || (error as Error).message)).trim().split('\n')[0];
        checks.push({ name: label, status: 'fail', detail: `${shown}: ${message}`, fix: 'Check the URL in slipway.yaml (git.*.url) and the credentials or deploy key for it.' });
      }
    }
  }
  checks.push(await stateCheck(config));
  checks.push(await registryCheck(config));
  if (config.target === 'cluster') checks.push(...(await clusterChecks(config, env)));
  const builds = await clusterBuildCheck(config, env);
  if (builds) checks.push(builds);
  checks.push(llmCheck(config, env));
  checks.push(await podmanCheck(config, env));
  checks.push(await leftoversCheck(config));
  return checks;
}

/** Stops what an interrupted run left running (e.g. an app being verified when Slipway was killed), and says so. */
async function leftoversCheck(config: ResolvedConfig): Promise<Check> {
  const ledger = new ProcessLedger({ dir: join(config.home, 'run', 'started') });
  const { stopped, busy } = await ledger.sweep();
  const shown = (list: Array<{ pid: number; command: string }>) => list.map((p) => `${p.pid} (${p.command})`).join(', ');
  if (stopped.length > 0) {
    return { name: 'leftovers', status: 'warn', detail: `stopped ${stopped.length} process(es) an interrupted run had left running: ${shown(stopped)}`, fix: 'Nothing more to do; resume the interrupted run with `slipway resume <runId>`.' };
  }
  return { name: 'leftovers', status: 'ok', detail: busy.length > 0 ? `none; ${busy.length} belong to a run in progress: ${shown(busy)}` : 'none' };
}

/** podman is probed afresh (and the kept answer renewed): doctor is where a person checks an install. */
async function podmanCheck(config: ResolvedConfig, env: NodeJS.ProcessEnv): Promise<Check> {
  const probe = await probePodman({ cacheDir: config.cache, fresh: true, ...(env.PATH ? { path: env.PATH } : {}) });
  const wanted = config.local.runtime;
  if (probe.usable) return { name: 'podman', status: 'ok', detail: `${probe.version}: runs containers` };
  if (!probe.installed) {
    return wanted === 'podman' || wanted === 'kube'
      ? { name: 'podman', status: 'fail', detail: `not found, and local.runtime is ${wanted}`, fix: probe.fix }
      : { name: 'podman', status: 'warn', detail: 'not found: apps run as plain Node processes', fix: 'Install podman to run apps from their images: apt-get install podman runc catatonit' };
  }
  const failing = config.target === 'local' && (wanted === 'podman' || wanted === 'kube');
  return {
    name: 'podman', status: failing ? 'fail' : 'warn',
    detail: failing ? `local.runtime is ${wanted}, but ${probe.reason}` : `${probe.reason}; apps run as plain Node processes`,
    fix: probe.fix,
  };
}

/** A registry answers GET /v2/ with 200, or 401 when it wants credentials: either means it is there. */
async function registryCheck(config: ResolvedConfig): Promise<Check> {
  const host = config.registry.host;
  if (!host) return { name: 'registry', status: 'ok', detail: `none configured: images go to ${join(config.home, 'images')} (OCI layout)` };
  const url = `${config.registry.insecure ? 'http' : 'https'}://${host}/v2/`;
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(10_000), redirect: 'manual' });
    await response.body?.cancel();
    if (response.status === 200 || response.status === 401) {
      return { name: 'registry', status: 'ok', detail: `${host} answers the distribution API (${response.status === 401 ? 'login required' : 'open'})` };
    }
    return { name: 'registry', status: 'fail', detail: `${url} answered ${response.status}`, fix: 'Check registry.host: it must be a Docker Registry v2 (or OCI distribution) endpoint.' };
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    return {
      name: 'registry', status: 'fail', detail: `${url}: ${cause?.code ?? cause?.message ?? (error as Error).message}`,
      fix: config.registry.insecure ? `Is the registry running at ${host}?` : `Is the registry running at ${host}? If it speaks plain HTTP, set registry.insecure: true; for a private CA, set registry.ca.`,
    };
  }
}

/** Any HTTP answer proves the endpoint is reachable; what a GET returns says little more. */
async function reachable(url: string, init: RequestInit = {}): Promise<{ status?: number; error?: string }> {
  try {
    const response = await fetch(url, { ...init, signal: AbortSignal.timeout(10_000), redirect: 'manual' });
    await response.body?.cancel();
    return { status: response.status };
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    return { error: cause?.code ?? cause?.message ?? (error as Error).message };
  }
}

async function clusterChecks(config: ResolvedConfig, env: NodeJS.ProcessEnv): Promise<Check[]> {
  const checks: Check[] = [];
  // The engine's own checks (Flux: its Receiver answers and its token is set).
  const engine = gitOpsEngine(config.engine);
  if (engine.doctor) checks.push(...(await engine.doctor(config, { env, reachable })));
  if (!config.kube) {
    checks.push({ name: 'kubernetes', status: 'warn', detail: 'no Kubernetes access configured: runs end after the webhook', fix: 'Set kube.kubeconfig (or kube.inCluster: true) so Slipway can follow rollouts.' });
  } else {
    try {
      const access = await kubeAccess(config, env);
      const { KubeClient } = await import('../adapters/watcher/kube-client.ts');
      const client = new KubeClient(access);
      await client.list(`/apis/kustomize.toolkit.fluxcd.io/v1/namespaces/${config.flux.namespace}/kustomizations`);
      checks.push({ name: 'kubernetes', status: 'ok', detail: `${access.apiServer} answers; Slipway may read Kustomizations in ${config.flux.namespace}` });
    } catch (error) {
      const e = error as { message: string; hint?: string };
      checks.push({ name: 'kubernetes', status: 'fail', detail: e.message.split('\n')[0]!, fix: e.hint ?? 'Check kube.kubeconfig and the context.' });
    }
  }
  if (config.access.provider === 'cloudflare' && config.access.cloudflare) checks.push(await cloudflareCheck(config, env));
  const vault = await vaultCheck(config, env);
  if (vault) checks.push(vault);
  return checks;
}

/** Cloudflare Access for private apps: the token is set and may read the account's Access applications. */
async function cloudflareCheck(config: ResolvedConfig, env: NodeJS.ProcessEnv): Promise<Check> {
  const cloudflare = config.access.cloudflare!;
  try {
    const { CloudflareAccess } = await import('../adapters/access/cloudflare.ts');
    const guard = new CloudflareAccess({
      accountId: cloudflare.accountId, apiToken: readSecret(cloudflare.apiToken, 'access.cloudflare.apiToken', env),
      allow: cloudflare.allow, sessionDuration: cloudflare.sessionDuration, apiUrl: cloudflare.apiUrl, retry: { attempts: 1, baseDelayMs: 1, maxDelayMs: 1 },
    });
    return { name: 'cloudflare access', status: 'ok', detail: await guard.verify() };
  } catch (error) {
    const e = error as { message: string; hint?: string };
    return { name: 'cloudflare access', status: 'fail', detail: e.message, fix: e.hint ?? 'Check access.cloudflare in slipway.yaml.' };
  }
}

/** The model line: which provider generates apps and where it is reached, or how to set one up (every registered provider). */
export function llmCheck(config: ResolvedConfig, env: NodeJS.ProcessEnv): Check {
  const provider = llmProvider(config, env);
  if (!provider) {
    const ways = PROVIDERS.map((p) => `${p.detectEnv.join('/')} (${p.label})`).join(', ');
    return { name: 'model', status: 'ok', detail: 'none configured: apps come from the offline templates', fix: `To generate apps with a model, set one of ${ways}.` };
  }
  // Where the generator will send requests: slipway.yaml, then the provider's variable (OLLAMA_HOST …), then its own default.
  const baseUrl = config.llm?.baseUrl ?? baseUrlFromEnv(provider, env) ?? providerFor(provider).baseUrl;
  return { name: 'model', status: 'ok', detail: `${provider}${baseUrl ? ` at ${redactUrlCredentials(baseUrl)}` : ''}` };
}
