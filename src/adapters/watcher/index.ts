export { KubeWatcher, isWatchFailure, WATCHER_RBAC_HINT, type KubeWatcherOptions, type WatchFailure } from './kube-watcher.ts';
export { kubeAccessFromKubeconfig, kubeAccessInCluster, SERVICE_ACCOUNT_DIR, type KubeAccess } from '../kube/index.ts';
export { KubeClient, KubeApiError, kubePath, type KubeRead, type KubeStatus } from './kube-client.ts';
export { revisionMatches, revisionReached, type RevisionReached } from './kube-objects.ts';
export type { EngineStages, EngineWatchTarget, WatchStages } from './engine-stages.ts';
