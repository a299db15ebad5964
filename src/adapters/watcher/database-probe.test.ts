import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startKubeApiServer, type KubeApiServer, type KubeObject } from '../../../test/support/kube-api-server.ts';
import { isWatchFailure } from './kube-watcher.ts';
import { NEW, gitRepositoryAt, kustomizationReadyAt, putHealthyWorkload, startAppServer, watchRequest, watcherFor } from './kube-watcher.test-support.ts';

let kube: KubeApiServer;
let app: Awaited<ReturnType<typeof startAppServer>>;

beforeEach(async () => {
  kube = await startKubeApiServer();
  app = await startAppServer();
  // Source and reconcile done and the Deployment available: only the database is left to wait for.
  kube.put(gitRepositoryAt(NEW));
  kube.put(kustomizationReadyAt(NEW));
  putHealthyWorkload(kube);
});

afterEach(async () => {
  await kube.stop();
  await app.stop();
});

/** A CloudNativePG Cluster as the operator reports it while it creates its first instance. */
function cluster(status: Record<string, unknown>): KubeObject {
  return {
    apiVersion: 'postgresql.cnpg.io/v1', kind: 'Cluster',
    metadata: { name: 'pomodoro-db', namespace: 'dynamic-apps' },
    spec: { instances: 1, storage: { size: '1Gi' } },
    status,
  } as KubeObject;
}

const request = (timeouts: { rollout?: number } = {}) => ({ ...watchRequest(app.url, timeouts), database: true });

describe('the rollout of an app with a database', () => {
  it('waits for the CloudNativePG Cluster to be healthy with every instance ready', async () => {
    kube.put(cluster({ phase: 'Setting up primary', phaseReason: 'Creating primary instance pomodoro-db-1', readyInstances: 0, instances: 1 }));
    const became = Date.now() + 300;
    kube.after(300, () => kube.update('postgresql.cnpg.io/v1', 'Cluster', 'dynamic-apps', 'pomodoro-db', (o) => {
      (o as unknown as { status: unknown }).status = { phase: 'Cluster in healthy state', readyInstances: 1, instances: 1 };
    }));
    const reports = await watcherFor(kube).watch(request());
    const rollout = reports.find((r) => r.stage === 'rollout')!;
    expect(rollout.status).toBe('ok');
    expect(rollout.detail).toContain('database dynamic-apps/pomodoro-db ready (1/1)');
    expect(Date.now()).toBeGreaterThanOrEqual(became);
  });

  it('does not look for a database the app does not have', async () => {
    const reports = await watcherFor(kube).watch(watchRequest(app.url));
    expect(reports.map((r) => r.status)).toEqual(['ok', 'ok', 'ok', 'ok']);
    expect(reports.find((r) => r.stage === 'rollout')!.detail).not.toContain('database');
  });

  it('explains a database stuck on a Pending volume claim: no default StorageClass', async () => {
    kube.put(cluster({ phase: 'Setting up primary', readyInstances: 0, instances: 1 }));
    kube.put({
      apiVersion: 'v1', kind: 'PersistentVolumeClaim',
      metadata: { name: 'pomodoro-db-1', namespace: 'dynamic-apps', labels: { 'cnpg.io/cluster': 'pomodoro-db' } },
      spec: { resources: { requests: { storage: '1Gi' } } },
      status: { phase: 'Pending' },
    } as KubeObject);
    const error = await watcherFor(kube).watch(request({ rollout: 400 })).then(() => undefined, (e: unknown) => e);
    if (!isWatchFailure(error)) throw new Error(`not a watch failure: ${String(error)}`);
    expect(error.stage).toBe('rollout');
    expect(error.message).toContain('pomodoro-db-1 (no StorageClass)');
    expect(error.message).toContain('No default StorageClass? Set render.database.storageClass');
  });

  it('waits for a Cluster not created yet and says so when time runs out', async () => {
    const error = await watcherFor(kube).watch(request({ rollout: 300 })).then(() => undefined, (e: unknown) => e);
    if (!isWatchFailure(error)) throw new Error(`not a watch failure: ${String(error)}`);
    expect(error.message).toContain('the Cluster pomodoro-db does not exist yet');
  });
});
