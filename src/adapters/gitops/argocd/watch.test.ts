import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { kubeFixture, startKubeApiServer, type KubeApiServer } from '../../../../test/support/kube-api-server.ts';
import { isWatchFailure } from '../../watcher/index.ts';
import { argoWatchStages } from './stages.ts';
import { NEW, OLD, putHealthyWorkload, putImagePullFailure, startAppServer, watchRequest, watcherFor } from '../../watcher/kube-watcher.test-support.ts';

const APPLICATION = 'argoproj.io/v1alpha1';
let kube: KubeApiServer;
let app: Awaited<ReturnType<typeof startAppServer>>;

beforeEach(async () => {
  // Plain HTTP this time: the watcher speaks both.
  kube = await startKubeApiServer({ tls: false });
  app = await startAppServer();
});

afterEach(async () => {
  await kube.stop();
  await app.stop();
});

const argoWatcher = () => watcherFor(kube, { stages: argoWatchStages({ namespace: 'argocd', applicationName: (name) => name, appsPath: 'kubernetes/apps/dynamic' }) });

describe('KubeWatcher (Argo CD)', () => {
  it('waits for the Application to compare, sync and turn Healthy at the commit', async () => {
    const application: any = kubeFixture('application-synced-healthy');
    application.status.sync = { status: 'Synced', revision: OLD };
    kube.put(application);
    putHealthyWorkload(kube);
    kube.after(100, () => kube.update(APPLICATION, 'Application', 'argocd', 'pomodoro', (o: any) => {
      o.status.sync = { status: 'OutOfSync', revision: NEW };
      o.status.health = { status: 'Healthy' };
    }));
    kube.after(200, () => kube.update(APPLICATION, 'Application', 'argocd', 'pomodoro', (o: any) => (o.status.health = { status: 'Progressing' })));
    kube.after(220, () => kube.update(APPLICATION, 'Application', 'argocd', 'pomodoro', (o: any) => (o.status.sync = { status: 'Synced', revision: NEW })));
    kube.after(320, () => kube.update(APPLICATION, 'Application', 'argocd', 'pomodoro', (o: any) => (o.status.health = { status: 'Healthy' })));

    const reports = await argoWatcher().watch(watchRequest(app.url));

    expect(reports.map((r) => [r.stage, r.status])).toEqual([['source', 'ok'], ['reconcile', 'ok'], ['rollout', 'ok'], ['http', 'ok']]);
    expect(reports[0]!.detail).toBe('Application argocd/pomodoro compared 7c3f9e2a41b8');
    expect(reports[1]!.detail).toBe('Application argocd/pomodoro Synced at 7c3f9e2a41b8');
    expect(reports[2]!.detail).toBe('Deployment dynamic-apps/pomodoro available: 1/1 on ReplicaSet pomodoro-6b7f9c8d5f; Application argocd/pomodoro Healthy');
    expect(reports[0]!.durationMs).toBeGreaterThanOrEqual(90);
    expect(reports[2]!.durationMs).toBeGreaterThanOrEqual(50);
  });

  it('fails at rollout when the Application turns Degraded, with the resource message and pod problem', async () => {
    kube.put(kubeFixture('application-degraded'));
    putImagePullFailure(kube, 'deployment-available');
    kube.update('apps/v1', 'Deployment', 'dynamic-apps', 'pomodoro', (o: any) => {
      o.status = { observedGeneration: 2, replicas: 1, updatedReplicas: 1, unavailableReplicas: 1 };
    });

    const error = await argoWatcher().watch(watchRequest(app.url)).catch((e: unknown) => e);

    if (!isWatchFailure(error)) throw new Error(`expected a watch failure, got ${String(error)}`);
    expect(error.stage).toBe('rollout');
    expect(error.message).toMatch(/^kubernetes: rollout: Degraded: Deployment\/pomodoro: Deployment "pomodoro" exceeded its progress deadline \(pod pomodoro-6b7f9c8d5f-x2x4q: ImagePullBackOff: /);
    expect(error.reports[2]).toMatchObject({ status: 'failed', reason: 'Degraded' });
    expect(error.reports[2]!.events).toContain('Warning Failed Pod/pomodoro-6b7f9c8d5f-x2x4q: Error: ImagePullBackOff (x37)');
  });

  it('fails at reconcile when the sync operation at the commit failed', async () => {
    const application: any = kubeFixture('application-synced-healthy');
    application.status.sync = { status: 'OutOfSync', revision: NEW };
    application.status.operationState.phase = 'Failed';
    application.status.operationState.message = 'one or more objects failed to apply, reason: Deployment.apps "pomodoro" is invalid: spec.template.spec.containers[0].image: Required value';
    kube.put(application);

    const error = await argoWatcher().watch(watchRequest(app.url)).catch((e: unknown) => e);

    if (!isWatchFailure(error)) throw new Error(`expected a watch failure, got ${String(error)}`);
    expect(error.message).toBe(`kubernetes: reconcile: SyncFailed: ${application.status.operationState.message}`);
    expect(error.hint).toContain('argocd app get pomodoro');
  });

  it('names the Application that never appeared', async () => {
    const error = await argoWatcher().watch(watchRequest(app.url, { source: 200 })).catch((e: unknown) => e);

    if (!isWatchFailure(error)) throw new Error(`expected a watch failure, got ${String(error)}`);
    expect(error.message).toBe('kubernetes: source: NotFound: Application argocd/pomodoro was never created within 0.2 s');
    expect(error.hint).toContain('kubernetes/apps/dynamic');
  });
});
