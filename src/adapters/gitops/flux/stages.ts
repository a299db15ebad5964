import { type Condition, conditionOf, eventsFor, explainWorkload, type FluxKustomizationObject, type GitRepository, type KubeReader, kubePath, type RevisionReached, shortRevision, type StageSpec, timeoutReport, type WatchStages } from '../../watcher/index.ts';

export interface FluxTarget {
  /** Namespace of Flux's objects, `flux-system`. */
  namespace: string;
  gitRepository: string;
  kustomization: string;
  /** The commit that must be applied. */
  revision: string;
  /** Whether a reported revision carries that commit. */
  reached: RevisionReached;
  /** Where the app runs (its Deployment's namespace). */
  appNamespace: string;
  app: string;
  /** The GitOps directory holding the apps, for hints (`kubernetes/apps/dynamic`). */
  appsPath?: string;
}

// v1 first (Flux 2.0+), then v1beta2 for older installations still serving only that.
const GIT_REPOSITORY_VERSIONS = ['source.toolkit.fluxcd.io/v1', 'source.toolkit.fluxcd.io/v1beta2'];
const KUSTOMIZATION_VERSIONS = ['kustomize.toolkit.fluxcd.io/v1', 'kustomize.toolkit.fluxcd.io/v1beta2'];

/** Ready=False reasons that mean "not yet" rather than "failed": Flux is still waiting on something else. */
const NOT_YET = new Set(['DependencyNotReady', 'Progressing', 'ProgressingWithRetry']);

/**
 * Stage `source`: the Flux GitRepository's artifact carries the commit (`main@sha1:<sha>`, or
 * `main/<sha>` from older Flux). A Stalled source fails at once; a failing fetch is reported on timeout.
 *
 * @example
 * const spec = fluxSourceStage(kube, target);
 */
export function fluxSourceStage(kube: KubeReader, target: FluxTarget): StageSpec {
  const label = `GitRepository ${target.namespace}/${target.gitRepository}`;
  const paths = GIT_REPOSITORY_VERSIONS.map((v) => kubePath(v, 'gitrepositories', target.namespace, target.gitRepository));
  return {
    stage: 'source',
    async check(signal) {
      const read = await kube.readAny<GitRepository>(paths, signal);
      if (read.status !== 'found') return { state: 'wait', detail: `${label} not found yet`, reason: 'NotFound', message: `${label} not found` };
      const { status } = read.object;
      const revision = status?.artifact?.revision;
      if (await target.reached(revision, signal)) return { state: 'ok', detail: `${label} fetched ${shortRevision(revision!)}` };
      const stalled = conditionOf(status?.conditions, 'Stalled');
      if (stalled?.status === 'True') return { state: 'fail', detail: `${label} is stalled`, reason: stalled.reason ?? 'Stalled', message: stalled.message ?? '' };
      const ready = conditionOf(status?.conditions, 'Ready');
      const at = revision ? `at ${revision}` : 'without an artifact';
      return { state: 'wait', detail: `${label} ${at}`, ...notReady(ready), ...(revision ? { observed: revision } : {}) };
    },
    timeout: timeoutReport(label, { verb: 'found', hint: 'Is Flux installed (flux check)? Set the GitRepository Slipway should follow in slipway.yaml if it is not flux-system/flux-system.' }, (wait, waited) => {
      const seen = wait.observed;
      return {
        reason: wait.reason ?? 'RevisionNotFetched',
        message: `${label} did not reach ${target.revision} within ${waited}: it is ${seen ? `at ${seen}` : 'without an artifact'}${wait.message ? ` (${wait.message})` : ''}`,
        hint: `Check that the commit was pushed to the branch the GitRepository follows and that Flux was told to reconcile (flux get sources git -n ${target.namespace}; flux reconcile source git ${target.gitRepository}).`,
      };
    }),
    failHint: `Fix the GitRepository (flux get sources git -n ${target.namespace}) and push again.`,
    explain: async (signal) => ({ events: await eventsFor(kube, [{ namespace: target.namespace, kind: 'GitRepository', name: target.gitRepository }], signal), problems: [] }),
  };
}

/**
 * Stage `reconcile`: the app's Flux Kustomization is Ready at the commit (`lastAppliedRevision`)
 * for its current generation. Ready=False at the commit (HealthCheckFailed, BuildFailed,
 * ReconciliationFailed…) fails at once with the condition's reason and message, explained by the
 * Kustomization's events and the app's pods.
 *
 * @example
 * const spec = fluxReconcileStage(kube, target);
 */
export function fluxReconcileStage(kube: KubeReader, target: FluxTarget): StageSpec {
  const label = `Kustomization ${target.namespace}/${target.kustomization}`;
  const paths = KUSTOMIZATION_VERSIONS.map((v) => kubePath(v, 'kustomizations', target.namespace, target.kustomization));
  const apps = target.appsPath ?? 'the apps directory';
  return {
    stage: 'reconcile',
    async check(signal) {
      const read = await kube.readAny<FluxKustomizationObject>(paths, signal);
      if (read.status !== 'found') return { state: 'wait', detail: `${label} not found yet`, reason: 'NotFound', message: `${label} not found` };
      const ks = read.object;
      const status = ks.status ?? {};
      if (ks.spec?.suspend) return { state: 'fail', detail: `${label} is suspended`, reason: 'Suspended', message: `${label} is suspended`, hint: `Resume it: flux resume kustomization ${target.kustomization} -n ${target.namespace}.` };
      const ready = conditionOf(status.conditions, 'Ready');
      const current = (status.observedGeneration ?? -1) >= (ks.metadata?.generation ?? 0);
      if (ready?.status === 'True' && current && (await target.reached(status.lastAppliedRevision, signal))) {
        return { state: 'ok', detail: `${label} Ready at ${shortRevision(status.lastAppliedRevision!)}` };
      }
      const stalled = conditionOf(status.conditions, 'Stalled');
      if (stalled?.status === 'True') return { state: 'fail', detail: `${label} is stalled`, reason: stalled.reason ?? 'Stalled', message: stalled.message ?? '' };
      if (ready?.status === 'False' && !NOT_YET.has(ready.reason ?? '') && (await target.reached(status.lastAttemptedRevision, signal))) {
        return { state: 'fail', detail: `${label} failed at ${shortRevision(status.lastAttemptedRevision!)}`, reason: ready.reason ?? 'NotReady', message: ready.message ?? '' };
      }
      const applied = status.lastAppliedRevision ? `applied ${shortRevision(status.lastAppliedRevision)}` : 'nothing applied yet';
      return { state: 'wait', detail: `${label}: ${applied}`, ...notReady(ready) };
    },
    timeout: timeoutReport(label, { verb: 'created', hint: `Is ${apps} listed in the parent kustomization, and does ${apps}/kustomization.yaml list ${target.app}/ks.yaml? The Kustomization that applies ${apps} must be Ready too (flux get kustomizations -A).` }, (wait, waited) => {
      return {
        reason: wait.reason ?? 'Timeout',
        message: `${label} was not Ready at ${target.revision} within ${waited} (${wait.detail})${wait.message ? `: ${wait.message}` : ''}`,
        hint: `See what Flux is doing: flux get kustomizations -n ${target.namespace}; flux events --for Kustomization/${target.kustomization} -n ${target.namespace}.`,
      };
    }),
    failHint: `Fix the manifests or the image and push again; flux events --for Kustomization/${target.kustomization} -n ${target.namespace} shows the rest.`,
    explain: (signal) => explainWorkload(kube, target.appNamespace, target.app, signal, [{ namespace: target.namespace, kind: 'Kustomization', name: target.kustomization }]),
  };
}

function notReady(ready: Condition | undefined): { reason?: string; message?: string } {
  if (!ready || ready.status === 'True') return {};
  return { ...(ready.reason ? { reason: ready.reason } : {}), ...(ready.message ? { message: ready.message } : {}) };
}

/** Where Flux's objects are, from slipway.yaml's `flux` section; each has Flux's default. */
export interface FluxWatchOptions {
  /** Namespace of Flux's objects; default `flux-system`. */
  namespace?: string;
  /** The GitRepository that fetches the GitOps repo; default `flux-system`. */
  gitRepository?: string;
  /** The app's Kustomization name; default the app's name (as ./kustomization.ts renders it). */
  kustomization?: (app: string) => string;
  /** The GitOps directory holding the apps (`kubernetes/apps/dynamic`), named in hints. */
  appsPath?: string;
}

/**
 * Flux's watch stages: the GitRepository's artifact at the commit, then the app's Kustomization
 * Ready at it; the Deployment's own rollout says the rest.
 * @example new KubeWatcher({ access, stages: fluxWatchStages({ appsPath: 'kubernetes/apps/dynamic' }) })
 */
export function fluxWatchStages(options: FluxWatchOptions = {}): WatchStages {
  return (kube, target) => {
    const flux: FluxTarget = {
      namespace: options.namespace ?? 'flux-system',
      gitRepository: options.gitRepository ?? 'flux-system',
      kustomization: `${options.kustomization?.(target.app) ?? target.app}${target.objectSuffix ?? ''}`,
      revision: target.revision,
      reached: target.reached,
      appNamespace: target.namespace,
      app: target.app,
      ...(options.appsPath ? { appsPath: options.appsPath } : {}),
    };
    return { source: fluxSourceStage(kube, flux), reconcile: fluxReconcileStage(kube, flux) };
  };
}
