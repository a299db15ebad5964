import type { ResolvedConfig } from '../config/index.ts';
import { ConfigError } from '../domain/index.ts';
import type { AppSpec } from '../domain/index.ts';
import type { AppRuntime } from '../ports/index.ts';
import { join } from 'node:path';
import { LocalPostgres } from '../adapters/database/local-postgres.ts';
import { ProcessRuntime } from '../adapters/runtime/process-runtime.ts';
import { NpmDependencyInstaller } from '../adapters/sandbox/index.ts';
import { withLocalDatabase } from './local-database-runtime.ts';
import { probePodman } from '../adapters/runtime/podman-probe.ts';

/** Values for the Flux-style `${VAR}` substitutions when manifests run on this machine. */
const LOCAL_VARIABLES = { REGISTRY_URL: 'localhost', APPS_SUBDOMAIN: 'localhost', CLUSTER_DOMAIN: 'localhost' };

export interface RuntimeChoice {
  /** What starts apps now. */
  runtime: AppRuntime;
  /** Why `auto` runs apps as processes although podman is installed (for the deploy step and doctor). */
  note?: string;
  /**
   * The runtime called `name` (`process`, `podman`, `podman-kube`), whatever `auto` picks now: an
   * app is stopped and asked about by the runtime that started it.
   */
  named(name: string): Promise<AppRuntime | undefined>;
}

export interface RuntimeEnvironment {
  nodeBinary: string;
  /** What npm needs to reach the registry (see npmNetworkEnv), for apps with npm dependencies run as processes. */
  npmEnv?: Record<string, string>;
  path?: string;
}

/**
 * The local runtime: podman runs the built image when podman can run a container here (`auto`, see
 * {@link probePodman}) or is asked for; `kube` runs the rendered Deployment itself with
 * `podman kube play`; otherwise the app's files run as a Node process, and `note` says why.
 */
export async function chooseRuntime(
  config: ResolvedConfig,
  env: RuntimeEnvironment,
  renderDeployment: (spec: AppSpec, image: string) => string,
): Promise<RuntimeChoice> {
  const named = runtimeFactory(config, env, renderDeployment);
  const wanted = config.local.runtime;
  if (wanted === 'process') return { runtime: (await named('process'))!, named };
  const probe = await probePodman({ cacheDir: config.cache, ...(env.path ? { path: env.path } : {}) });
  if (probe.usable) return { runtime: (await named(wanted === 'kube' ? 'podman-kube' : 'podman'))!, named };
  if (wanted === 'kube' || wanted === 'podman') {
    throw new ConfigError(`local.runtime is ${wanted}, but ${probe.reason}`, { hint: `${probe.fix} Or set local.runtime: process.` });
  }
  return {
    runtime: (await named('process'))!,
    named,
    ...(probe.installed ? { note: `podman is installed but cannot run containers (${firstLine(probe.reason)}), so apps run as Node processes` } : {}),
  };
}

/**
 * The name of the runtime that started an app, from the handle kept in its record: written there
 * since Slipway records it, and otherwise told by what the handle holds (a pid, a pod, a container).
 * @example runtimeNameOf({ runtime: 'process', pid: 4242 }) // 'process'
 */
export function runtimeNameOf(handle: Record<string, unknown> | undefined): string | undefined {
  if (!handle) return undefined;
  if (typeof handle.runtime === 'string') return handle.runtime;
  if (handle.pod !== undefined) return 'podman-kube';
  if (handle.container !== undefined) return 'podman';
  if (handle.pid !== undefined) return 'process';
  return undefined;
}

/** Builds each runtime once, by name, without probing: a recorded app's runtime is used as it is. */
function runtimeFactory(config: ResolvedConfig, env: RuntimeEnvironment, renderDeployment: (spec: AppSpec, image: string) => string) {
  const built = new Map<string, Promise<AppRuntime | undefined>>();
  const pathOption = env.path ? { path: env.path } : {};
  const insecureRegistries = config.registry.insecure && config.registry.host ? [config.registry.host] : [];
  const make = async (name: string): Promise<AppRuntime | undefined> => {
    switch (name) {
      case 'process': {
        const dependencies = new NpmDependencyInstaller({ workDir: join(config.home, 'work', 'deploy'), npmCache: join(config.cache, 'npm'), env: env.npmEnv ?? {}, ...pathOption });
        return new ProcessRuntime({ home: config.home, host: config.local.host, nodeBinary: env.nodeBinary, ...pathOption, prepare: (dir, signal) => dependencies.prepare(dir, signal) });
      }
      case 'podman': {
        const { PodmanRuntime } = await import('../adapters/runtime/podman-runtime.ts');
        return new PodmanRuntime({ home: config.home, host: config.local.host, ...pathOption, insecureRegistries });
      }
      case 'podman-kube': {
        const { PodmanKubeRuntime } = await import('../adapters/runtime/podman-kube-runtime.ts');
        return new PodmanKubeRuntime({
          home: config.home, host: config.local.host, ...pathOption, insecureRegistries,
          variables: { ...LOCAL_VARIABLES, ...config.local.variables },
          render: renderDeployment,
        });
      }
      default:
        return undefined;
    }
  };
  // Apps that need a database get their own PostgreSQL under the home, whichever runtime runs them.
  const databases = new LocalPostgres({ root: join(config.home, 'databases') });
  const withDatabase = async (name: string) => {
    const runtime = await make(name);
    return runtime && withLocalDatabase(runtime, databases);
  };
  return (name: string): Promise<AppRuntime | undefined> => {
    if (!built.has(name)) built.set(name, withDatabase(name));
    return built.get(name)!;
  };
}

function firstLine(text: string): string {
  return text.split('\n')[0]!;
}
