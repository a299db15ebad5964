import type { WatchStage } from './cluster-watcher.ts';

/** What a GET found: the object, a 404 for the object, or a 404 because the API version is not served. */
export type KubeRead<T> = { status: 'found'; object: T } | { status: 'absent' } | { status: 'unserved' };

/** The reads a watch stage makes against the Kubernetes API. */
export interface KubeReader {
  read<T>(path: string, signal?: AbortSignal): Promise<KubeRead<T>>;
  /** The first of `paths` that is served (an object under one of several API versions). */
  readAny<T>(paths: readonly string[], signal?: AbortSignal): Promise<KubeRead<T>>;
  list<T>(path: string, query?: { labelSelector?: string; fieldSelector?: string; limit?: number }, signal?: AbortSignal): Promise<T[]>;
}

/** What one look at the cluster found. */
export type Probe =
  | { state: 'ok'; detail: string }
  /** Not there yet; `reason`/`message`/`observed` say what was seen (kept for the timeout report). */
  | { state: 'wait'; detail: string; reason?: string; message?: string; observed?: string }
  /** Failed for good (the controller gave up, or waiting cannot help). */
  | { state: 'fail'; detail: string; reason: string; message: string; hint?: string };

/** Events and pod states that explain a failure, gathered only when a stage fails or times out. */
export interface Explanation {
  events: string[];
  /** One line per pod problem, e.g. `pod pomodoro-6b7f9c-x2x4q: ImagePullBackOff: Back-off pulling image "…"`. */
  problems: string[];
}

/** One stage of a watch: how to look, and what to say when time runs out. */
export interface StageSpec {
  stage: WatchStage;
  check(signal: AbortSignal): Promise<Probe>;
  /** The message and hint when time ran out, from the last thing seen. */
  timeout(last: Probe | undefined, waitedMs: number): { reason: string; message: string; hint: string };
  /** Hint for a `fail` probe without its own. */
  failHint?: string;
  explain?(signal: AbortSignal): Promise<Explanation>;
}

/** Whether a revision the cluster reports carries the commit being watched (the same commit, or a later one containing it). */
export type RevisionReached = (seen: string | undefined, signal: AbortSignal) => Promise<boolean>;

/** The rollout a GitOps engine's stages look for. */
export interface EngineWatchTarget {
  app: string;
  /** Where the app runs (its Deployment's namespace). */
  namespace: string;
  /** The GitOps commit that must be applied. */
  revision: string;
  /** Whether a reported revision carries that commit. */
  reached: RevisionReached;
  /** Appended to the engine's per-app object name (another environment's Flux Kustomization is `<app>-<env>`); default ''. */
  objectSuffix?: string;
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
export type WatchStages = (kube: KubeReader, target: EngineWatchTarget) => EngineStages;
