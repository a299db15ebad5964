import { createServer, type Server } from 'node:http';
import type { WatchRequest } from '../../ports/index.ts';
import { kubeFixture, type KubeApiServer, type KubeObject } from '../../../test/support/kube-api-server.ts';
import type { ResolvedConfig } from '../../config/index.ts';
import { gitOpsEngine } from '../gitops/index.ts';
import { KubeWatcher, type KubeWatcherOptions } from './kube-watcher.ts';

/** Shared by this folder's tests: the commits the fixtures carry, object builders and an app server. */
export const NEW = '7c3f9e2a41b8d05e6f1a2b3c4d5e6f7081920a1b';
export const OLD = '2b9d41e0c7a3f58e9d6c1b2a3f4e5d6c7b8a9012';
export const GIT_REPOSITORY = 'source.toolkit.fluxcd.io/v1';
export const KUSTOMIZATION = 'kustomize.toolkit.fluxcd.io/v1';

type Obj = KubeObject & { status: Record<string, any>; spec: Record<string, any> };

export function gitRepositoryAt(revision: string, format: (sha: string) => string = (sha) => `main@sha1:${sha}`): Obj {
  const repo = kubeFixture<Obj>('gitrepository');
  repo.status.artifact.revision = format(revision);
  for (const c of repo.status.conditions) c.message = `stored artifact for revision '${format(revision)}'`;
  return repo;
}

export function kustomizationReadyAt(revision: string): Obj {
  const ks = kubeFixture<Obj>('kustomization-ready');
  ks.status.lastAppliedRevision = ks.status.lastAttemptedRevision = `main@sha1:${revision}`;
  ks.status.conditions[0].message = `Applied revision: main@sha1:${revision}`;
  return ks;
}

/** Flux mid-reconcile: Ready=Unknown, Reconciling=True, attempting `revision`. */
export function kustomizationReconciling(ks: Obj, revision: string): void {
  ks.status.lastAttemptedRevision = `main@sha1:${revision}`;
  ks.status.conditions = [
    { type: 'Reconciling', status: 'True', reason: 'Progressing', message: `Detecting drift for revision main@sha1:${revision} with a timeout of 5m0s`, observedGeneration: 1, lastTransitionTime: '2025-06-01T10:12:20Z' },
    { type: 'Ready', status: 'Unknown', reason: 'Progressing', message: 'Reconciliation in progress', observedGeneration: 1, lastTransitionTime: '2025-06-01T10:12:20Z' },
  ];
}

/** A rolled-out app: the Deployment, its ReplicaSet and a running pod. */
export function putHealthyWorkload(kube: KubeApiServer): void {
  kube.put(kubeFixture('deployment-available'));
  kube.put(kubeFixture('replicaset'));
  kube.put(kubeFixture('pod-running'));
}

/** A stuck app: the pod cannot pull its image, and the events that say so. */
export function putImagePullFailure(kube: KubeApiServer, deployment: 'deployment-progress-deadline-exceeded' | 'deployment-available' = 'deployment-progress-deadline-exceeded'): void {
  kube.put(kubeFixture(deployment));
  const rs = kubeFixture<Obj>('replicaset');
  rs.status = { replicas: 1, fullyLabeledReplicas: 1, observedGeneration: 1 };
  kube.put(rs);
  kube.put(kubeFixture('pod-image-pull-backoff'));
  putEvents(kube);
}

export function putEvents(kube: KubeApiServer): void {
  for (const event of kubeFixture<KubeObject[]>('events')) kube.put(event);
}

/** The parts of slipway.yaml Flux's watch stages read, as the defaults give them. */
const FLUX_CONFIG = { flux: { namespace: 'flux-system', gitRepository: 'flux-system' }, git: { gitops: { path: 'kubernetes/apps/dynamic' } } } as ResolvedConfig;

export function watcherFor(kube: KubeApiServer, options: Partial<KubeWatcherOptions> = {}): KubeWatcher {
  return new KubeWatcher({
    access: { apiServer: kube.url, token: kube.token, ...(kube.ca ? { ca: kube.ca } : {}) },
    stages: gitOpsEngine('flux').watchStages(FLUX_CONFIG),
    pollIntervalMs: 20,
    ...options,
  });
}

export function watchRequest(url: string, timeouts: Partial<WatchRequest['timeouts']> = {}): WatchRequest {
  return { app: 'pomodoro', namespace: 'dynamic-apps', revision: NEW, url, timeouts: { source: 2000, reconcile: 2000, rollout: 2000, http: 2000, ...timeouts } };
}

/** The app behind its URL: answers `status()` to every GET and counts them. */
export async function startAppServer(status: () => number = () => 200): Promise<{ url: string; hits: () => number; stop(): Promise<void> }> {
  let hits = 0;
  const server: Server = createServer((_req, res) => {
    hits++;
    res.writeHead(status(), { 'content-type': 'text/plain' }).end('pomodoro\n');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}/`,
    hits: () => hits,
    stop: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
