export { FluxReceiverSyncer, type FluxReceiverSyncerOptions, type FluxReceiverType } from './flux-receiver-syncer.ts';
export { ArgoCdSyncer, ARGOCD_REFRESH_ANNOTATION, type ArgoCdSyncerOptions, type ArgoCdAnnotationOptions, type ArgoCdWebhookOptions } from './argocd-syncer.ts';
// Kubernetes API access is read the same way the watcher reads it (one implementation, re-exported for wiring).
export { kubeAccessFromKubeconfig, kubeAccessInCluster, SERVICE_ACCOUNT_DIR, type KubeAccess } from '../kube/index.ts';
export { receiverWebhookPath, displayReceiverUrl } from './receiver-path.ts';
export { githubPushPayload, githubSignatureHeaders, repoIdentity, type RepoIdentity } from './github-push.ts';
export { DEFAULT_SYNC_RETRY, type RetryPolicy } from './delivery.ts';
export type { SyncLogger } from './sync-logger.ts';
