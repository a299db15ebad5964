import { kubeFixture, type KubeApiServer, type KubeObject } from './kube-api-server.ts';

type Obj = KubeObject & { spec: Record<string, any>; metadata: KubeObject['metadata'] & Record<string, any> };

/** The app the recorded objects in test/fixtures/kube describe, and where it runs. */
export const APP_PODS = {
  namespace: 'dynamic-apps',
  app: 'pomodoro',
  /** The two pods of the current ReplicaSet (revision 2). */
  current: ['pomodoro-6b7f9c8d5f-x2x4q', 'pomodoro-6b7f9c8d5f-k9m2p'] as const,
  /** The pod of revision 1's ReplicaSet, still on its way out. */
  old: 'pomodoro-5d8c7b6a4f-q7w8e',
};

const ago = (ms: number) => new Date(Date.now() - ms).toISOString();

/** A pod of the ReplicaSet `hash` as the kubelet reports it, running Slipway's app container beside a sidecar. */
function pod(name: string, hash: string, replicaSetUid: string): Obj {
  const p = kubeFixture<Obj>('pod-running');
  p.metadata.name = name;
  p.metadata.uid = `uid-${name}`;
  p.metadata.labels['pod-template-hash'] = hash;
  p.metadata.ownerReferences[0].name = `pomodoro-${hash}`;
  p.metadata.ownerReferences[0].uid = replicaSetUid;
  // Slipway's renderer names the app's container after the app; a mesh may add its own beside it.
  p.spec.containers = [{ ...p.spec.containers[0], name: APP_PODS.app }, { name: 'istio-proxy', image: 'istio/proxyv2' }];
  return p;
}

/**
 * The app after two rollouts, with what each pod wrote: revision 2's two pods are current (their
 * lines interleave over the last 20 minutes), revision 1's pod is on its way out.
 */
export function putAppAfterTwoRollouts(kube: KubeApiServer): void {
  const { namespace, current: [a, b], old: oldPod } = APP_PODS;
  kube.put(kubeFixture('deployment-available'));
  const current = kubeFixture<Obj>('replicaset');
  kube.put(current);
  const old = kubeFixture<Obj>('replicaset');
  old.metadata.name = 'pomodoro-5d8c7b6a4f';
  old.metadata.uid = 'rs-old-uid';
  old.metadata.labels['pod-template-hash'] = '5d8c7b6a4f';
  old.metadata.annotations['deployment.kubernetes.io/revision'] = '1';
  kube.put(old);
  kube.put(pod(a, '6b7f9c8d5f', current.metadata.uid as string));
  kube.put(pod(b, '6b7f9c8d5f', current.metadata.uid as string));
  kube.put(pod(oldPod, '5d8c7b6a4f', 'rs-old-uid'));
  kube.setLog(namespace, a, [
    { at: ago(20 * 60_000), text: 'listening on http://0.0.0.0:8080' },
    { at: ago(4 * 60_000), text: 'GET / 200' },
    { at: ago(2 * 60_000), text: 'GET /app.js 200' },
  ]);
  kube.setLog(namespace, b, [
    { at: ago(19 * 60_000), text: 'listening on http://0.0.0.0:8080' },
    { at: ago(3 * 60_000), text: 'GET /style.css 200' },
  ]);
  kube.setLog(namespace, oldPod, [{ at: ago(30 * 60_000), text: 'the old version' }]);
}
