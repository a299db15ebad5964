import { existsSync, readFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { Logger } from 'pino';
import type { ResolvedConfig } from '../config/index.ts';
import { environmentsFrom, readSecret } from '../config/index.ts';
import { gitOpsEngine } from '../adapters/gitops/index.ts';
import { ConfigError, InputError } from '../domain/index.ts';
import type { ClusterLogs, ClusterWatcher, GitOpsSyncer } from '../ports/index.ts';

/**
 * When Slipway cannot follow a rollout itself (cluster target without Kubernetes access): what a
 * person can run to follow it. Undefined when Slipway follows it, or on the local target.
 */
export function followHintFor(config: ResolvedConfig): ((app: string, env?: string) => string) | undefined {
  if (config.target !== 'cluster' || config.kube) return undefined;
  const engine = gitOpsEngine(config.engine);
  const environments = environmentsFrom(config);
  return (app, name) => {
    // A run of an environment slipway.yaml no longer names reads as the default one's.
    const env = environments.get(name !== undefined && environments.names.includes(name) ? name : undefined);
    return env.objectSuffix === '' ? engine.followHint(app, config) : engine.followHint(app, config, { namespace: env.namespace, object: `${app}${env.objectSuffix}` });
  };
}

export interface ClusterParts {
  syncer?: GitOpsSyncer;
  watcher?: ClusterWatcher;
  /** URL template with {app}, for the watcher's last stage and for people. */
  publicUrl?: string;
}

/**
 * The cluster target's outside parts, from configuration: how to tell the engine to reconcile
 * (the engine's syncer: Flux Receiver, Argo CD annotation or webhook) and how to follow the rollout
 * (Kubernetes API, with the engine's watch stages).
 * Adapters load only when configured.
 */
export async function clusterParts(config: ResolvedConfig, env: Record<string, string | undefined>, logger: Logger): Promise<ClusterParts> {
  const access = config.kube ? await kubeAccess(config, env) : undefined;

  const engine = gitOpsEngine(config.engine);
  const syncer = await engine.syncer({
    config, logger,
    ...(access ? { access } : {}),
    secret: (source, field) => readSecret(source, field, env),
  });

  const appsDomain = typeof config.render.appsDomain === 'string' && !config.render.appsDomain.includes('${') ? config.render.appsDomain : undefined;
  const publicUrl = config.publicUrl ?? (appsDomain ? `https://{app}.${appsDomain}/` : undefined);
  let watcher: ClusterWatcher | undefined;
  if (access) {
    if (!publicUrl) {
      throw new ConfigError('publicUrl is needed to check that apps answer (or set render.appsDomain to the real domain)', { hint: 'e.g. publicUrl: https://{app}.apps.k8s-lab.dev/' });
    }
    const { KubeWatcher } = await import('../adapters/watcher/index.ts');
    watcher = new KubeWatcher({ access, stages: engine.watchStages(config), logger });
  }
  return { ...(syncer ? { syncer } : {}), ...(watcher ? { watcher } : {}), ...(publicUrl ? { publicUrl } : {}) };
}

/**
 * Reading the logs of apps on the cluster through the Kubernetes API, when `kube` in slipway.yaml
 * gives access; built on first use, so commands that read no logs never load it. Apps run in
 * `namespace` (the render settings'); an environment other than the default has none yet.
 */
export function clusterLogsFor(config: ResolvedConfig, env: Record<string, string | undefined>, namespace: string): ClusterLogs | undefined {
  if (!config.kube) return undefined;
  let reader: Promise<ClusterLogs> | undefined;
  const build = async (): Promise<ClusterLogs> => {
    const access = await kubeAccess(config, env);
    const { KubePodLogs } = await import('../adapters/kube/pod-logs.ts');
    return new KubePodLogs({ access, namespaceFor: (name) => environmentNamespace(name, namespace) });
  };
  return {
    open: async (app, options) => {
      // A kubeconfig fixed after a failure is read again on the next request.
      reader ??= build().catch((error: unknown) => {
        reader = undefined;
        throw error;
      });
      return (await reader).open(app, options);
    },
  };
}

/** The namespace of an environment's apps: the one environment, `prod`, uses the render settings'. */
function environmentNamespace(name: string | undefined, namespace: string): string {
  if (name === undefined || name === 'prod') return namespace;
  throw new InputError(`there is no environment '${name}': slipway.yaml defines only prod`, { hint: 'Leave out --env.' });
}

/**
 * Kubernetes API access from slipway.yaml's `kube`: in-cluster, or kubeconfig files as kubectl
 * finds them — `kube.kubeconfig`, else every file of a colon-separated `KUBECONFIG` (merged, the
 * first file wins per name; missing ones skipped), else `~/.kube/config`. `kube.context` picks
 * the context. Credential plugins start with this environment.
 */
export async function kubeAccess(config: ResolvedConfig, env: Record<string, string | undefined>) {
  const { kubeAccessFromKubeconfigs, kubeAccessInCluster } = await import('../adapters/kube/index.ts');
  const kube = config.kube!;
  if (kube.inCluster) return kubeAccessInCluster({ host: env.KUBERNETES_SERVICE_HOST, port: env.KUBERNETES_SERVICE_PORT });
  const files = kubeconfigFiles(kube.kubeconfig, env);
  if (files.length === 0) {
    throw new ConfigError('kube: no kubeconfig found (kube.kubeconfig is not set, KUBECONFIG names no file, and ~/.kube/config does not exist)', {
      hint: 'e.g. kube: { kubeconfig: /etc/rancher/k3s/k3s.yaml }, or set inCluster: true',
    });
  }
  return kubeAccessFromKubeconfigs(files, kube.context, { env });
}

/** The kubeconfig files to merge, read; an explicitly named file must exist. */
function kubeconfigFiles(explicit: string | undefined, env: Record<string, string | undefined>): Array<{ path: string; text: string }> {
  if (explicit) return [{ path: explicit, text: readKubeconfig(explicit, 'kube.kubeconfig') }];
  const listed = (env.KUBECONFIG ?? '').split(delimiter).filter(Boolean);
  const candidates = listed.length > 0 ? [...new Set(listed)] : env.HOME ? [join(env.HOME, '.kube', 'config')] : [];
  return candidates.filter((path) => existsSync(path)).map((path) => ({ path, text: readKubeconfig(path, listed.length > 0 ? 'KUBECONFIG' : '~/.kube/config') }));
}

function readKubeconfig(path: string, from: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(`${from}: cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}
