import { type ArgoApplication, eventsFor, formatWait, type KubeReader, kubePath, noAnswer, type Probe, type RevisionReached, shortRevision, type StageSpec, timeoutReport, type WatchStages } from '../../watcher/index.ts';

export interface ArgoTarget {
  /** Namespace of the Application objects, usually `argocd`. */
  namespace: string;
  application: string;
  revision: string;
  /** Whether a reported revision carries that commit. */
  reached: RevisionReached;
  /** The GitOps directory holding the apps, for hints. */
  appsPath?: string;
}

/** Reads the Application; `undefined` while it does not exist. */
type ReadApplication = (signal: AbortSignal) => Promise<ArgoApplication | undefined>;

/**
 * The three Argo CD checks: `source` (the Application compared our commit: `status.sync.revision`),
 * `reconcile` (Synced at it, or the sync operation at it Failed), and the health verdict the rollout
 * stage adds to its Deployment check (Healthy; Degraded fails with the resources' messages).
 *
 * @example
 * const { source, reconcile, health } = argoStages(kube, { namespace: 'argocd', application: 'pomodoro', revision });
 */
export function argoStages(kube: KubeReader, target: ArgoTarget): { source: StageSpec; reconcile: StageSpec; health: (signal: AbortSignal) => Promise<Probe> } {
  const label = `Application ${target.namespace}/${target.application}`;
  const path = kubePath('argoproj.io/v1alpha1', 'applications', target.namespace, target.application);
  const read: ReadApplication = async (signal) => {
    const result = await kube.read<ArgoApplication>(path, signal);
    return result.status === 'found' ? result.object : undefined;
  };
  const missing: Probe = { state: 'wait', detail: `${label} not found yet`, reason: 'NotFound', message: `${label} not found` };
  const explain = async (signal: AbortSignal) => ({ events: await eventsFor(kube, [{ namespace: target.namespace, kind: 'Application', name: target.application }], signal), problems: [] });
  const apps = target.appsPath ?? 'the apps directory';

  const source: StageSpec = {
    stage: 'source',
    async check(signal) {
      const app = await read(signal);
      if (!app) return missing;
      const sync = app.status?.sync ?? {};
      const seen = [sync.revision, ...(sync.revisions ?? [])].filter((r): r is string => !!r);
      for (const revision of seen) if (await target.reached(revision, signal)) return { state: 'ok', detail: `${label} compared ${shortRevision(revision)}` };
      const error = app.status?.conditions?.find((c) => c.type?.endsWith('Error'));
      return {
        state: 'wait',
        detail: `${label} ${seen[0] ? `at ${shortRevision(seen[0])}` : 'not compared yet'}`,
        ...(error ? { reason: error.type, message: error.message ?? '' } : {}),
        ...(seen[0] ? { observed: seen[0] } : {}),
      };
    },
    timeout: timeoutReport(label, { verb: 'created', hint: `Is ${apps} managed by an Application (app-of-apps) that is synced, and does it create ${target.application}? Check with argocd app list.` }, (wait, waited) => {
      return {
        reason: wait.reason ?? 'RevisionNotFetched',
        message: `${label} did not compare ${target.revision} within ${waited}: it is ${wait.observed ? `at ${wait.observed}` : 'not compared yet'}${wait.message ? ` (${wait.message})` : ''}`,
        hint: `Check that the commit is on the branch the Application tracks (targetRevision) and that Argo CD was told to refresh (argocd app get ${target.application} --refresh).`,
      };
    }),
    explain,
  };

  const reconcile: StageSpec = {
    stage: 'reconcile',
    async check(signal) {
      const app = await read(signal);
      if (!app) return missing;
      const { sync = {}, operationState: op } = app.status ?? {};
      if (sync.status === 'Synced' && (await target.reached(sync.revision, signal))) return { state: 'ok', detail: `${label} Synced at ${shortRevision(sync.revision!)}` };
      const opRevision = op?.syncResult?.revision ?? op?.operation?.sync?.revision;
      if ((op?.phase === 'Failed' || op?.phase === 'Error') && (await target.reached(opRevision, signal))) {
        return { state: 'fail', detail: `${label} sync ${op.phase.toLowerCase()} at ${shortRevision(opRevision!)}`, reason: `Sync${op.phase}`, message: op.message ?? '' };
      }
      const error = app.status?.conditions?.find((c) => c.type?.endsWith('Error'));
      return {
        state: 'wait',
        detail: `${label} is ${sync.status ?? 'Unknown'}${op?.phase ? ` (operation ${op.phase})` : ''}`,
        reason: error?.type ?? sync.status ?? 'Unknown',
        message: error?.message ?? op?.message ?? `sync status ${sync.status ?? 'Unknown'}`,
      };
    },
    timeout(last, waited) {
      const wait = last?.state === 'wait' ? last : undefined;
      if (!wait) return noAnswer(label, waited);
      return {
        reason: wait.reason ?? 'Timeout',
        message: `${label} was not Synced at ${target.revision} within ${formatWait(waited)} (${wait.detail})${wait.message ? `: ${wait.message}` : ''}`,
        hint: `Is automated sync enabled for ${target.application}? Otherwise sync it: argocd app sync ${target.application}.`,
      };
    },
    failHint: `See the sync result: argocd app get ${target.application}; fix the manifests and push again.`,
    explain,
  };

  const health = async (signal: AbortSignal): Promise<Probe> => {
    const app = await read(signal);
    if (!app) return missing;
    const status = app.status?.health?.status ?? 'Unknown';
    if (status === 'Healthy') return { state: 'ok', detail: `${label} Healthy` };
    const sick = (app.status?.resources ?? []).filter((r) => r.health?.status && r.health.status !== 'Healthy');
    const messages = sick.filter((r) => r.health?.message).map((r) => `${r.kind}/${r.name}: ${r.health!.message}`);
    const message = app.status?.health?.message ?? (messages.join('; ') || `health ${status}`);
    if (status === 'Degraded') return { state: 'fail', detail: `${label} is Degraded`, reason: 'Degraded', message };
    return { state: 'wait', detail: `${label} is ${status}`, reason: status, message };
  };

  return { source, reconcile, health };
}

/** Where Argo CD's Applications are, from slipway.yaml's `argocd` section. */
export interface ArgoWatchOptions {
  /** Namespace of the Application objects; default `argocd`. */
  namespace?: string;
  /** The app's Application name; default the app's name. */
  applicationName?: (app: string) => string;
  /** The GitOps directory holding the apps, named in hints. */
  appsPath?: string;
}

/**
 * Argo CD's watch stages: the Application compared, then synced, the commit; its health verdict is
 * waited for beside the Deployment's rollout.
 * @example new KubeWatcher({ access, stages: argoWatchStages({ namespace: 'argocd' }) })
 */
export function argoWatchStages(options: ArgoWatchOptions = {}): WatchStages {
  return (kube, target) => argoStages(kube, {
    namespace: options.namespace ?? 'argocd',
    application: `${options.applicationName?.(target.app) ?? target.app}${target.objectSuffix ?? ''}`,
    revision: target.revision,
    reached: target.reached,
    ...(options.appsPath ? { appsPath: options.appsPath } : {}),
  });
}
