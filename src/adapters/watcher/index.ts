export { KubeWatcher, isWatchFailure, WATCHER_RBAC_HINT, type KubeWatcherOptions, type WatchFailure } from './kube-watcher.ts';
export { kubeAccessFromKubeconfig, kubeAccessInCluster, SERVICE_ACCOUNT_DIR, type KubeAccess } from '../kube/index.ts';
export { KubeClient, KubeApiError, kubePath, type KubeRead, type KubeStatus } from './kube-client.ts';
export { revisionMatches, revisionReached, type RevisionReached } from './kube-objects.ts';
export type { EngineStages, EngineWatchTarget, KubeReader, WatchStages } from './engine-stages.ts';
// The parts an engine's watch stages are built from (src/adapters/gitops/<engine>/stages.ts).
export { conditionOf, shortRevision, type ArgoApplication, type Condition, type FluxKustomizationObject, type GitRepository } from './kube-objects.ts';
export { formatWait, noAnswer, timeoutReport, type Probe, type StageSpec } from './stage-runner.ts';
export { eventsFor } from './kube-events.ts';
export { explainWorkload } from './workload.ts';
// The app's workload as the pod logs read it (src/adapters/kube/pod-logs.ts).
export { deploymentPath, newReplicaSet, podsOf } from './workload.ts';
// Why a pod is not running (a cluster build's pod is explained as a rollout's are).
export { HOPELESS_REASONS, podProblems, type PodProblem } from './workload.ts';
export type { Deployment, Pod, ReplicaSet } from './kube-objects.ts';
