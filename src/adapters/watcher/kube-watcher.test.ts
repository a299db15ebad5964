import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CancelledError, ExternalServiceError } from '../../domain/errors.ts';
import type { StageReport } from '../../ports/index.ts';
import { kubeFixture, startKubeApiServer, type KubeApiServer } from '../../../test/support/kube-api-server.ts';
import { isWatchFailure, type WatchFailure } from './kube-watcher.ts';
import {
  GIT_REPOSITORY, KUSTOMIZATION, NEW, OLD, gitRepositoryAt, kustomizationReadyAt, kustomizationReconciling, putEvents, putHealthyWorkload, putImagePullFailure,
  startAppServer, watchRequest, watcherFor,
} from './kube-watcher.test-support.ts';

let kube: KubeApiServer;
let app: Awaited<ReturnType<typeof startAppServer>>;
let appStatus = 200;

beforeEach(async () => {
  kube = await startKubeApiServer();
  appStatus = 200;
  app = await startAppServer(() => appStatus);
});

afterEach(async () => {
  await kube.stop();
  await app.stop();
});

async function failureOf(promise: Promise<unknown>): Promise<WatchFailure> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(ExternalServiceError);
  if (!isWatchFailure(error)) throw new Error(`not a watch failure: ${String(error)}`);
  return error;
}

describe('KubeWatcher (Flux)', () => {
  it('follows source, reconcile, rollout and http to the end, each with its duration', async () => {
    kube.put(gitRepositoryAt(OLD));
    kube.put(kustomizationReadyAt(OLD));
    putHealthyWorkload(kube);
    appStatus = 503;
    kube.after(100, () => kube.update(GIT_REPOSITORY, 'GitRepository', 'flux-system', 'flux-system', (o: any) => (o.status.artifact.revision = `main@sha1:${NEW}`)));
    kube.after(180, () => {
      kube.update(KUSTOMIZATION, 'Kustomization', 'flux-system', 'pomodoro', (o: any) => kustomizationReconciling(o, NEW));
      // Flux applied the new template: a new generation the Deployment controller has not seen yet.
      kube.update('apps/v1', 'Deployment', 'dynamic-apps', 'pomodoro', (o: any) => {
        o.metadata.generation = 3;
        o.status.updatedReplicas = 0;
      });
    });
    kube.after(260, () => kube.update('apps/v1', 'Deployment', 'dynamic-apps', 'pomodoro', (o: any) => (o.status.observedGeneration = 3)));
    kube.after(340, () => {
      kube.put(kustomizationReadyAt(NEW));
      kube.update('apps/v1', 'Deployment', 'dynamic-apps', 'pomodoro', (o: any) => (o.status.updatedReplicas = 1));
    });
    // The app starts answering only once the watcher has seen it refuse: on a busy machine the
    // http stage may begin after 420 ms, and the test is about the stage waiting for the app.
    const answerOnceRefused = () => (app.hits() > 0 ? (appStatus = 200) : setTimeout(answerOnceRefused, 20));
    kube.after(420, answerOnceRefused);

    const seen: StageReport[] = [];
    const reports = await watcherFor(kube).watch(watchRequest(app.url), (report) => seen.push(report));

    expect(reports.map((r) => [r.stage, r.status])).toEqual([['source', 'ok'], ['reconcile', 'ok'], ['rollout', 'ok'], ['http', 'ok']]);
    expect(seen).toEqual(reports);
    expect(reports[0]!.detail).toBe('GitRepository flux-system/flux-system fetched main@sha1:7c3f9e2a41b8');
    expect(reports[1]!.detail).toBe('Kustomization flux-system/pomodoro Ready at main@sha1:7c3f9e2a41b8');
    expect(reports[2]!.detail).toBe('Deployment dynamic-apps/pomodoro available: 1/1 on ReplicaSet pomodoro-6b7f9c8d5f');
    expect(reports[3]!.detail).toBe(`GET ${app.url} answered 200`);
    expect(reports[0]!.durationMs).toBeGreaterThanOrEqual(90);
    // Reconcile starts when the source stage saw the new revision, which a busy machine may see late;
    // the two together cannot end before the Kustomization was Ready (340 ms in).
    expect(reports[0]!.durationMs + reports[1]!.durationMs).toBeGreaterThanOrEqual(300);
    expect(reports.every((r) => Number.isFinite(r.durationMs) && r.durationMs >= 0)).toBe(true);
    expect(app.hits()).toBeGreaterThan(1);
  });

  it('fails at reconcile with the HealthCheckFailed reason, message, pod problem and events', async () => {
    kube.put(gitRepositoryAt(NEW));
    kube.put(kubeFixture('kustomization-health-check-failed'));
    putImagePullFailure(kube);

    const started = Date.now();
    const failure = await failureOf(watcherFor(kube).watch(watchRequest(app.url, { reconcile: 5000 })));

    expect(Date.now() - started).toBeLessThan(2000);
    expect(failure.stage).toBe('reconcile');
    expect(failure.message).toMatch(/^kubernetes: reconcile: HealthCheckFailed: health check failed after 5m0.031s: timeout waiting for: \[Deployment\/dynamic-apps\/pomodoro status: 'InProgress'\]/);
    expect(failure.message).toContain('pod pomodoro-6b7f9c8d5f-x2x4q: ImagePullBackOff: Back-off pulling image "registry.home.arpa:5000/slipway/pomodoro@sha256:');
    const report = failure.reports[1]!;
    expect(report).toMatchObject({ stage: 'reconcile', status: 'failed', reason: 'HealthCheckFailed' });
    expect(report.message).toBe("health check failed after 5m0.031s: timeout waiting for: [Deployment/dynamic-apps/pomodoro status: 'InProgress']");
    expect(report.events).toContain("Warning HealthCheckFailed Kustomization/pomodoro: health check failed after 5m0.031s: timeout waiting for: [Deployment/dynamic-apps/pomodoro status: 'InProgress']");
    expect(report.events).toContain('Warning Failed Pod/pomodoro-6b7f9c8d5f-x2x4q: Error: ImagePullBackOff (x37)');
    // Oldest first, newest last: the kubelet kept backing off after Flux gave up.
    expect(report.events![0]).toBe('Normal Progressing Kustomization/pomodoro: Service/dynamic-apps/pomodoro configured; Deployment/dynamic-apps/pomodoro configured');
    expect(report.events!.at(-1)).toBe('Warning Failed Pod/pomodoro-6b7f9c8d5f-x2x4q: Error: ImagePullBackOff (x37)');
    expect(failure.reports.map((r) => r.status)).toEqual(['ok', 'failed']);
  });

  it('fails at rollout on ProgressDeadlineExceeded, naming the image pull error and the events', async () => {
    kube.put(gitRepositoryAt(NEW));
    kube.put(kustomizationReadyAt(NEW));
    putImagePullFailure(kube);

    const failure = await failureOf(watcherFor(kube).watch(watchRequest(app.url)));

    expect(failure.stage).toBe('rollout');
    expect(failure.message).toBe(
      'kubernetes: rollout: ProgressDeadlineExceeded: ReplicaSet "pomodoro-6b7f9c8d5f" has timed out progressing. ' +
        '(pod pomodoro-6b7f9c8d5f-x2x4q: ImagePullBackOff: Back-off pulling image "registry.home.arpa:5000/slipway/pomodoro@sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08")',
    );
    const report = failure.reports[2]!;
    expect(report).toMatchObject({ status: 'failed', reason: 'ProgressDeadlineExceeded' });
    expect(report.events).toEqual(expect.arrayContaining([
      'Normal ScalingReplicaSet Deployment/pomodoro: Scaled up replica set pomodoro-6b7f9c8d5f to 1',
      'Normal SuccessfulCreate ReplicaSet/pomodoro-6b7f9c8d5f: Created pod: pomodoro-6b7f9c8d5f-x2x4q',
      expect.stringMatching(/^Warning Failed Pod\/pomodoro-6b7f9c8d5f-x2x4q: Failed to pull image ".*not found \(x4\)$/),
    ]));
    // Events of other objects (the Kustomization's) are not the rollout's.
    expect(report.events!.some((e) => e.includes('Kustomization/'))).toBe(false);
    expect(failure.hint).toContain('kubectl -n dynamic-apps describe deployment pomodoro');
  });

  it('times out at rollout with the pod waiting reason while the deadline has not passed', async () => {
    kube.put(gitRepositoryAt(NEW));
    kube.put(kustomizationReadyAt(NEW));
    putImagePullFailure(kube, 'deployment-available');
    kube.update('apps/v1', 'Deployment', 'dynamic-apps', 'pomodoro', (o: any) => {
      o.status = { observedGeneration: 2, replicas: 1, updatedReplicas: 1, unavailableReplicas: 1, conditions: [{ type: 'Progressing', status: 'True', reason: 'ReplicaSetUpdated', message: 'ReplicaSet "pomodoro-6b7f9c8d5f" is progressing.' }] };
    });

    const failure = await failureOf(watcherFor(kube).watch(watchRequest(app.url, { rollout: 300 })));

    expect(failure.reports[2]).toMatchObject({ stage: 'rollout', status: 'timeout', reason: 'ImagePullBackOff' });
    expect(failure.message).toMatch(/^kubernetes: rollout: ImagePullBackOff: Deployment dynamic-apps\/pomodoro was not available within 0\.3 s: pod pomodoro-6b7f9c8d5f-x2x4q: Back-off pulling image "[^"]+"$/);
  });

  it('names the Kustomization that never appeared, with a hint about the parent kustomization', async () => {
    kube.put(gitRepositoryAt(NEW));

    const failure = await failureOf(watcherFor(kube).watch(watchRequest(app.url, { reconcile: 300 })));

    expect(failure.message).toBe('kubernetes: reconcile: NotFound: Kustomization flux-system/pomodoro was never created within 0.3 s');
    expect(failure.hint).toContain('Is kubernetes/apps/dynamic listed in the parent kustomization');
    expect(failure.hint).toContain('pomodoro/ks.yaml');
    expect(failure.reports[1]).toMatchObject({ stage: 'reconcile', status: 'timeout', reason: 'NotFound' });
    expect(failure.reports[1]!.durationMs).toBeGreaterThanOrEqual(290);
  });

  it('follows another environment\'s Kustomization, <app>-<env>, and not the default one\'s', async () => {
    kube.put(gitRepositoryAt(NEW));
    // The default environment's Kustomization is Ready at the commit; dev's does not exist.
    kube.put(kustomizationReadyAt(NEW));

    const failure = await failureOf(watcherFor(kube).watch({ ...watchRequest(app.url, { reconcile: 300 }), namespace: 'dynamic-apps-dev', objectSuffix: '-dev' }));

    expect(failure.message).toBe('kubernetes: reconcile: NotFound: Kustomization flux-system/pomodoro-dev was never created within 0.3 s');
  });

  it('times out at source naming the revision the GitRepository is at', async () => {
    kube.put(gitRepositoryAt(OLD));

    const failure = await failureOf(watcherFor(kube).watch(watchRequest(app.url, { source: 300 })));

    expect(failure.stage).toBe('source');
    expect(failure.message).toBe(`kubernetes: source: RevisionNotFetched: GitRepository flux-system/flux-system did not reach ${NEW} within 0.3 s: it is at main@sha1:${OLD}`);
    expect(failure.hint).toContain('flux reconcile source git flux-system');
    expect(failure.reports).toHaveLength(1);
  });

  it('counts a later commit containing ours as reached when it can ask git', async () => {
    const LATER = 'f00dfeedf00dfeedf00dfeedf00dfeedf00dfeed';
    kube.put(gitRepositoryAt(LATER));
    kube.put(kustomizationReadyAt(LATER));
    putHealthyWorkload(kube);
    const asked: string[] = [];
    const isAncestor = async (ancestor: string, descendant: string) => (asked.push(`${ancestor}..${descendant}`), ancestor === NEW && descendant === LATER);

    const reports = await watcherFor(kube, { isAncestor }).watch(watchRequest(app.url));

    expect(reports.map((r) => r.status)).toEqual(['ok', 'ok', 'ok', 'ok']);
    expect(reports[0]!.detail).toBe('GitRepository flux-system/flux-system fetched main@sha1:f00dfeedf00d');
    // Asked once, then remembered for the Kustomization's revision.
    expect(asked).toEqual([`${NEW}..${LATER}`]);
  });

  it('reads older Flux (v1beta2 only, main/<sha> revisions)', async () => {
    await kube.stop();
    kube = await startKubeApiServer({ servedVersions: { 'source.toolkit.fluxcd.io': ['v1beta2'], 'kustomize.toolkit.fluxcd.io': ['v1beta2'] } });
    kube.put(gitRepositoryAt(NEW, (sha) => `main/${sha}`));
    const ks = kustomizationReadyAt(NEW);
    ks.status.lastAppliedRevision = `main/${NEW}`;
    kube.put(ks);
    putHealthyWorkload(kube);

    const reports = await watcherFor(kube).watch(watchRequest(app.url));

    expect(reports.map((r) => r.status)).toEqual(['ok', 'ok', 'ok', 'ok']);
    expect(reports[0]!.detail).toBe('GitRepository flux-system/flux-system fetched main/7c3f9e2a41b8');
  });

  it('stops at once on a wrong token, with the RBAC the watcher needs', async () => {
    kube.put(gitRepositoryAt(NEW));
    const watcher = watcherFor(kube, { access: { apiServer: kube.url, token: 'wrong', ca: kube.ca! } });

    const failure = await failureOf(watcher.watch(watchRequest(app.url, { source: 5000 })));

    expect(failure.message).toBe('kubernetes: source: Unauthorized: Unauthorized');
    expect(failure.reports[0]).toMatchObject({ status: 'failed', reason: 'Unauthorized' });
    expect(failure.reports[0]!.durationMs).toBeLessThan(1000);
    for (const word of ['token', 'get on gitrepositories', 'kustomizations', 'deployments', 'replicasets', 'pods and events', 'applications.argoproj.io']) {
      expect(failure.hint).toContain(word);
    }
    expect(failure.message).not.toContain('wrong');
  });

  it('reports a missing RBAC rule (403) with the API server message', async () => {
    await kube.stop();
    kube = await startKubeApiServer({ forbidden: ['deployments'] });
    kube.put(gitRepositoryAt(NEW));
    kube.put(kustomizationReadyAt(NEW));
    putEvents(kube);

    const failure = await failureOf(watcherFor(kube).watch(watchRequest(app.url)));

    expect(failure.message).toBe(
      'kubernetes: rollout: Forbidden: deployments.apps "pomodoro" is forbidden: User "system:serviceaccount:slipway:slipway" cannot get resource "deployments" in API group "apps" in the namespace "dynamic-apps"',
    );
    expect(failure.hint).toContain('get on deployments');
  });

  it('stops promptly when the signal is aborted', async () => {
    kube.put(gitRepositoryAt(OLD));
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const started = Date.now();

    const error = await watcherFor(kube, { pollIntervalMs: 1000 }).watch(watchRequest(app.url, { source: 30_000 }), undefined, controller.signal).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(CancelledError);
    expect(Date.now() - started).toBeLessThan(600);
  });

  it('times out at http with the last answer when the URL never answers 2xx', async () => {
    kube.put(gitRepositoryAt(NEW));
    kube.put(kustomizationReadyAt(NEW));
    putHealthyWorkload(kube);
    appStatus = 404;

    const failure = await failureOf(watcherFor(kube).watch(watchRequest(app.url, { http: 200 })));

    expect(failure.message).toBe(`kubernetes: http: HTTP404: ${app.url} did not answer 2xx within 0.2 s (last: GET ${app.url} answered 404)`);
    expect(failure.reports.map((r) => r.status)).toEqual(['ok', 'ok', 'ok', 'timeout']);
  });
});
