export type WatchStage = 'source' | 'reconcile' | 'rollout' | 'http';

export interface WatchRequest {
  app: string;
  /** Namespace the app runs in. */
  namespace: string;
  /** The GitOps commit that must end up applied. */
  revision: string;
  /** The app's public URL, probed last. */
  url: string;
  /** Per-stage time limits in milliseconds. */
  timeouts: Record<WatchStage, number>;
  /** Appended to the engine's per-app object name (another environment's Flux Kustomization is `<app>-<env>`); default ''. */
  objectSuffix?: string;
  /** The app has a CloudNativePG Cluster (`<app>-db`): the rollout waits for it to be ready too. */
  database?: boolean;
}

export interface StageReport {
  stage: WatchStage;
  status: 'ok' | 'failed' | 'timeout';
  durationMs: number;
  /** One line for people, e.g. "Kustomization pomodoro Ready at main@sha1:abc…". */
  detail: string;
  /** The condition's reason and message when the stage failed (e.g. HealthCheckFailed). */
  reason?: string;
  message?: string;
  /** Kubernetes events that explain a failure, newest last. */
  events?: string[];
}

/** Follows a rollout stage by stage until the app answers, or says where and why it stopped. */
export interface ClusterWatcher {
  /**
   * Resolves with every stage's report when all are ok; rejects with an ExternalServiceError naming
   * the failed stage (its `reports` property holds the reports so far).
   */
  watch(request: WatchRequest, onStage?: (report: StageReport) => void, signal?: AbortSignal): Promise<StageReport[]>;
}
