import { ConfigError } from '../../../domain/errors.ts';
import type { GitOpsEngine } from '../../../ports/gitops-engine.ts';
import { argoCdRender } from './render.ts';
import { argoWatchStages } from './stages.ts';

/**
 * Argo CD: an Application per app (or app-of-apps), a refresh through the Application's annotation
 * or Argo CD's webhook, and the Application's sync and health to watch.
 */
export const argoCdEngine: GitOpsEngine = {
  name: 'argocd',
  title: 'Argo CD',
  render: argoCdRender,

  async syncer({ config, access, logger, secret }) {
    const { argocd } = config;
    if (argocd.refresh === 'webhook') {
      if (!argocd.webhookUrl) throw new ConfigError('argocd.webhookUrl is needed when argocd.refresh is webhook', { hint: 'e.g. webhookUrl: https://argocd.k8s-lab.dev' });
      const { ArgoCdSyncer } = await import('./syncer.ts');
      return new ArgoCdSyncer({
        mode: 'webhook', url: argocd.webhookUrl,
        ...(logger ? { logger } : {}),
        ...(argocd.webhookSecret ? { secret: secret(argocd.webhookSecret, 'argocd.webhookSecret') } : {}),
      });
    }
    // The annotation is set through the Kubernetes API: without access Argo CD refreshes at its own pace.
    if (!access) return undefined;
    const { ArgoCdSyncer } = await import('./syncer.ts');
    return new ArgoCdSyncer({ mode: 'annotation', ...access, applicationNamespace: argocd.namespace, ...(logger ? { logger } : {}) });
  },

  watchStages(config) {
    return argoWatchStages({ namespace: config.argocd.namespace, appsPath: config.git.gitops.path });
  },

  followHint(app, _config, where) {
    return `Follow the rollout with: argocd app wait ${where?.object ?? app} --health --sync`;
  },
};
