import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Logger } from 'pino';
import type { ResolvedConfig } from '../config/index.ts';
import { readSecret } from '../config/index.ts';
import { ConfigError } from '../domain/index.ts';
import type { ClusterWatcher, GitOpsSyncer } from '../ports/index.ts';

/**
 * When Slipway cannot follow a rollout itself (cluster target without Kubernetes access): what a
 * person can run to follow it. Undefined when Slipway follows it, or on the local target.
 */
export function followHintFor(config: ResolvedConfig): ((app: string) => string) | undefined {
  if (config.target !== 'cluster' || config.kube) return undefined;
  return (app) => config.engine === 'flux'
    ? `Follow the rollout with: flux get kustomizations ${app} --watch  (and kubectl -n ${String(config.render.namespace ?? 'dynamic-apps')} rollout status deployment/${app})`
    : `Follow the rollout with: argocd app wait ${app} --health --sync`;
}

export interface ClusterParts {
  syncer?: GitOpsSyncer;
  watcher?: ClusterWatcher;
  /** URL template with {app}, for the watcher's last stage and for people. */
  publicUrl?: string;
}

/**
 * The cluster target's outside parts, from configuration: how to tell the engine to reconcile
 * (Flux Receiver, Argo CD annotation or webhook) and how to follow the rollout (Kubernetes API).
 * Adapters load only when configured.
 */
export async function clusterParts(config: ResolvedConfig, env: Record<string, string | undefined>, logger: Logger): Promise<ClusterParts> {
  const access = config.kube ? await kubeAccess(config, env) : undefined;

  let syncer: GitOpsSyncer | undefined;
  if (config.engine === 'flux' && config.flux.receiver) {
    const { FluxReceiverSyncer } = await import('../adapters/syncer/index.ts');
    const { receiver } = config.flux;
    if (receiver.type !== 'generic' && !receiver.token) {
      throw new ConfigError(`flux.receiver.token is needed for a ${receiver.type} Receiver (the HMAC key in its secretRef)`, { hint: 'Add token: { env: FLUX_RECEIVER_TOKEN } and export the variable.' });
    }
    syncer = new FluxReceiverSyncer({
      url: receiver.url, type: receiver.type, logger,
      ...(receiver.token ? { token: readSecret(receiver.token, 'flux.receiver.token', env) } : {}),
    });
  } else if (config.engine === 'argocd') {
    const { ArgoCdSyncer } = await import('../adapters/syncer/index.ts');
    if (config.argocd.refresh === 'webhook') {
      if (!config.argocd.webhookUrl) throw new ConfigError('argocd.webhookUrl is needed when argocd.refresh is webhook', { hint: 'e.g. webhookUrl: https://argocd.k8s-lab.dev' });
      syncer = new ArgoCdSyncer({
        mode: 'webhook', url: config.argocd.webhookUrl, logger,
        ...(config.argocd.webhookSecret ? { secret: readSecret(config.argocd.webhookSecret, 'argocd.webhookSecret', env) } : {}),
      });
    } else if (access) {
      syncer = new ArgoCdSyncer({ mode: 'annotation', ...access, applicationNamespace: config.argocd.namespace, logger });
    }
  }

  const appsDomain = typeof config.render.appsDomain === 'string' && !config.render.appsDomain.includes('${') ? config.render.appsDomain : undefined;
  const publicUrl = config.publicUrl ?? (appsDomain ? `https://{app}.${appsDomain}/` : undefined);
  let watcher: ClusterWatcher | undefined;
  if (access) {
    if (!publicUrl) {
      throw new ConfigError('publicUrl is needed to check that apps answer (or set render.appsDomain to the real domain)', { hint: 'e.g. publicUrl: https://{app}.apps.k8s-lab.dev/' });
    }
    const { KubeWatcher } = await import('../adapters/watcher/index.ts');
    watcher = new KubeWatcher({
      access, engine: config.engine, logger,
      flux: { namespace: config.flux.namespace, gitRepository: config.flux.gitRepository, appsPath: config.git.gitops.path },
      argocd: { namespace: config.argocd.namespace, appsPath: config.git.gitops.path },
    });
  }
  return { ...(syncer ? { syncer } : {}), ...(watcher ? { watcher } : {}), ...(publicUrl ? { publicUrl } : {}) };
}

/** Kubernetes API access from slipway.yaml's `kube` (kubeconfig file and context, or in-cluster). */
export async function kubeAccess(config: ResolvedConfig, env: Record<string, string | undefined>) {
  const { kubeAccessFromKubeconfig, kubeAccessInCluster } = await import('../adapters/kube/kube-access.ts');
  const kube = config.kube!;
  if (kube.inCluster) return kubeAccessInCluster({ host: env.KUBERNETES_SERVICE_HOST, port: env.KUBERNETES_SERVICE_PORT });
  const file = kube.kubeconfig ?? env.KUBECONFIG?.split(':')[0];
  if (!file) throw new ConfigError('kube: name a kubeconfig file or set inCluster: true', { hint: 'e.g. kube: { kubeconfig: ~/.kube/config }' });
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(`kube.kubeconfig: cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  return kubeAccessFromKubeconfig(text, kube.context, { baseDir: dirname(file) });
}
