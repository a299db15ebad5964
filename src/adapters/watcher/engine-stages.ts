import type { KubeClient } from './kube-client.ts';
import type { RevisionReached } from './kube-objects.ts';
import type { Probe, StageSpec } from './stage-runner.ts';

/** The rollout a GitOps engine's stages look for. */
export interface EngineWatchTarget {
  app: string;
  /** Where the app runs (its Deployment's namespace). */
  namespace: string;
  /** The GitOps commit that must be applied. */
  revision: string;
  /** Whether a reported revision carries that commit. */
  reached: RevisionReached;
}

/**
 * An engine's part of a watch: `source` (the engine fetched the commit) and `reconcile` (it applied
 * it); `health`, when the engine judges health itself (Argo CD), is waited for beside the rollout.
 */
export interface EngineStages {
  source: StageSpec;
  reconcile: StageSpec;
  health?: (signal: AbortSignal) => Promise<Probe>;
}

/** Builds an engine's stages for one watch; the watcher adds the generic rollout and HTTP stages. */
export type WatchStages = (kube: KubeClient, target: EngineWatchTarget) => EngineStages;
