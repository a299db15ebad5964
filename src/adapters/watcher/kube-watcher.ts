import { ExternalServiceError } from '../../domain/errors.ts';
import type { ClusterWatcher, StageReport, WatchRequest, WatchStage } from '../../ports/cluster-watcher.ts';
import type { WatchStages } from './engine-stages.ts';
import type { TlsOptions } from './http-request.ts';
import { httpStage } from './http-stage.ts';
import type { KubeAccess } from '../kube/index.ts';
import { KubeClient } from './kube-client.ts';
import { revisionReached } from './kube-objects.ts';
import { bothProbes, databaseProbe } from './database-probe.ts';
import { rolloutStage } from './rollout-stage.ts';
import { runStage, type StageLogger, type StageSpec } from './stage-runner.ts';

export interface KubeWatcherOptions {
  access: KubeAccess;
  /** The GitOps engine's stages (`source`, `reconcile`, maybe a health verdict), from the engine. */
  stages: WatchStages;
  /** How often to look; default 1000 ms. */
  pollIntervalMs?: number;
  /**
   * Whether `descendant` contains `ancestor` (e.g. `git merge-base --is-ancestor` in the GitOps
   * clone). With it, a revision past the watched commit (another push landed right after) counts as
   * reached; without it only the exact commit does.
   */
  isAncestor?: (ancestor: string, descendant: string, signal: AbortSignal) => Promise<boolean>;
  /** TLS for the app URL probe (a homelab CA), when it is not publicly trusted. */
  appTls?: TlsOptions;
  logger?: StageLogger;
}

/** The error a failed watch rejects with: the failed stage and every report so far. */
export type WatchFailure = ExternalServiceError & { stage: WatchStage; reports: StageReport[] };

const STAGES: readonly WatchStage[] = ['source', 'reconcile', 'rollout', 'http'];

/** What the watcher reads: the verbs and resources to grant Slipway's service account. */
export const WATCHER_RBAC_HINT =
  'To follow a rollout Slipway needs: get on gitrepositories.source.toolkit.fluxcd.io and kustomizations.kustomize.toolkit.fluxcd.io ' +
  '(in flux-system); get on deployments and list on replicasets (apps), list on pods and events (in the apps namespace, and ' +
  'events in flux-system); get on applications.argoproj.io (Argo CD). Check with kubectl auth can-i get deployments -n <namespace> --as <user>.';

/**
 * Follows a rollout through the Kubernetes API, stage by stage, each with its own time limit:
 * `source` and `reconcile` from the engine (Flux: GitRepository artifact, then Kustomization Ready at
 * the commit; Argo CD: Application compared, then Synced at it), `rollout` (the Deployment available
 * on its new ReplicaSet, and the engine's health verdict when it has one), `http` (the app's URL
 * answers 2xx). A failure names
 * the stage, the controller's reason and message, and the events and pod states that explain it.
 *
 * Plain HTTPS GETs with the token or client certificate: six read-only calls do not need a client
 * library, and the CLI starts faster without one.
 *
 * @example
 * const watcher = new KubeWatcher({ access: kubeAccessFromKubeconfig(text), stages: gitOpsEngine('flux').watchStages(config) });
 * const reports = await watcher.watch({ app: 'pomodoro', namespace: 'dynamic-apps', revision: sha, url,
 *   timeouts: { source: 60_000, reconcile: 300_000, rollout: 300_000, http: 60_000 } });
 */
export class KubeWatcher implements ClusterWatcher {
  readonly #kube: KubeClient;
  readonly #options: KubeWatcherOptions;

  constructor(options: KubeWatcherOptions) {
    this.#options = options;
    this.#kube = new KubeClient(options.access);
  }

  async watch(request: WatchRequest, onStage?: (report: StageReport) => void, signal: AbortSignal = new AbortController().signal): Promise<StageReport[]> {
    const reports: StageReport[] = [];
    const specs = this.#stages(request);
    for (const stage of STAGES) {
      const outcome = await runStage(specs[stage], {
        timeoutMs: request.timeouts[stage],
        pollMs: this.#options.pollIntervalMs ?? 1000,
        signal,
        ...(this.#options.logger ? { logger: this.#options.logger } : {}),
      });
      reports.push(outcome.report);
      onStage?.(outcome.report);
      if (outcome.report.status !== 'ok') throw this.#failure(outcome.report, outcome.hint, outcome.problems, reports);
    }
    return reports;
  }

  #stages(request: WatchRequest): Record<WatchStage, StageSpec> {
    const kube = this.#kube;
    const target = { namespace: request.namespace, app: request.app };
    const reached = revisionReached(request.revision, this.#options.isAncestor);
    const http = httpStage(request.url, this.#options.appTls ? { tls: this.#options.appTls } : {});
    const stages = this.#options.stages(kube, { ...target, revision: request.revision, reached, ...(request.objectSuffix ? { objectSuffix: request.objectSuffix } : {}) });
    // An app with a database is rolled out once its CloudNativePG Cluster is ready too.
    const also = bothProbes(stages.health, request.database ? databaseProbe(kube, target) : undefined);
    return { source: stages.source, reconcile: stages.reconcile, rollout: rolloutStage(kube, target, also), http };
  }

  #failure(report: StageReport, hint: string | undefined, problems: string[], reports: StageReport[]): WatchFailure {
    const denied = report.reason === 'Unauthorized' || report.reason === 'Forbidden';
    const fullHint = denied ? `${hint ? `${hint} ` : ''}${WATCHER_RBAC_HINT}` : hint;
    const message = report.message ?? report.detail;
    // Pod problems the message already quotes (a rollout timeout names the waiting pod) are not repeated.
    const news = problems.filter((line) => !message.includes(line.split(': ').slice(2).join(': ')));
    const because = news.length > 0 ? ` (${news.join('; ')})` : '';
    const error = new ExternalServiceError('kubernetes', `${report.stage}: ${report.reason ?? report.status}: ${message}${because}`, fullHint ? { hint: fullHint } : {});
    return Object.assign(error, { stage: report.stage, reports: [...reports] });
  }
}

/** The failed stage and reports of an error from `KubeWatcher.watch`, if it is one. */
export function isWatchFailure(error: unknown): error is WatchFailure {
  return error instanceof ExternalServiceError && Array.isArray((error as Partial<WatchFailure>).reports);
}
