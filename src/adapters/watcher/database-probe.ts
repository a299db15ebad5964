import type { KubeReader, Probe } from '../../ports/watch-stages.ts';
import { databaseNames } from '../../render/database.ts';

/** What CloudNativePG reports on a Cluster (the fields the probe reads). */
interface CnpgCluster {
  spec?: { instances?: number };
  status?: { phase?: string; phaseReason?: string; readyInstances?: number; instances?: number };
}

interface PersistentVolumeClaim {
  metadata: { name: string };
  spec?: { storageClassName?: string };
  status?: { phase?: string };
}

/** The phase CloudNativePG reports once every instance is up and replicating as asked. */
const HEALTHY = 'Cluster in healthy state';

/**
 * The app's database during the rollout: its CloudNativePG Cluster `<app>-db` is ready when
 * `status.readyInstances` equals `spec.instances` and the phase says healthy. While it is not, the
 * Cluster's volumes explain a database that cannot start (a claim left Pending: no StorageClass).
 * @example rolloutStage(kube, target, databaseProbe(kube, { namespace: 'dynamic-apps', app: 'guestbook' }))
 */
export function databaseProbe(kube: KubeReader, target: { namespace: string; app: string }) {
  const { namespace, app } = target;
  const name = databaseNames(app).cluster;
  const label = `database ${namespace}/${name}`;
  return async (signal: AbortSignal): Promise<Probe> => {
    const found = await kube.read<CnpgCluster>(`/apis/postgresql.cnpg.io/v1/namespaces/${namespace}/clusters/${name}`, signal);
    if (found.status === 'unserved') {
      return {
        state: 'fail', detail: `${label}: CloudNativePG is not installed`, reason: 'NoOperator',
        message: `${app} needs a database, but the cluster does not serve clusters.postgresql.cnpg.io`,
        hint: 'Install the CloudNativePG operator (its Helm chart or manifest), then ship the app again.',
      };
    }
    if (found.status === 'absent') return { state: 'wait', detail: `${label} not created yet`, reason: 'DatabaseNotCreated', message: `the Cluster ${name} does not exist yet` };
    const wanted = found.object.spec?.instances ?? 1;
    const { phase, phaseReason, readyInstances = 0 } = found.object.status ?? {};
    if (phase === HEALTHY && readyInstances >= wanted) return { state: 'ok', detail: `${label} ready (${readyInstances}/${wanted})` };
    const observed = `${phase ?? 'no phase yet'}${phaseReason ? ` (${phaseReason})` : ''}, ${readyInstances}/${wanted} ready`;
    const pending = await pendingClaims(kube, namespace, name, signal);
    if (pending.length > 0) {
      const claims = pending.map((c) => `${c.metadata.name}${c.spec?.storageClassName ? ` (StorageClass ${c.spec.storageClassName})` : ' (no StorageClass)'}`).join(', ');
      return {
        state: 'wait', detail: `${label}: ${observed}`, reason: 'VolumePending', observed,
        message: `its volume claim is Pending: ${claims}. No default StorageClass? Set render.database.storageClass to one the cluster has (kubectl get storageclass)`,
      };
    }
    return { state: 'wait', detail: `${label}: ${observed}`, reason: 'DatabaseNotReady', message: `the Cluster ${name} is ${observed}`, observed };
  };
}

/** The Cluster's PersistentVolumeClaims (CloudNativePG labels them with `cnpg.io/cluster`) still Pending. */
async function pendingClaims(kube: KubeReader, namespace: string, cluster: string, signal: AbortSignal): Promise<PersistentVolumeClaim[]> {
  const claims = await kube.list<PersistentVolumeClaim>(`/api/v1/namespaces/${namespace}/persistentvolumeclaims`, { labelSelector: `cnpg.io/cluster=${cluster}` }, signal);
  return claims.filter((c) => c.status?.phase === 'Pending');
}

/**
 * Two probes as one (an engine's health verdict and the database): ok when both are, failed when
 * either is, otherwise the one still waiting.
 */
export function bothProbes(first: ((signal: AbortSignal) => Promise<Probe>) | undefined, second: ((signal: AbortSignal) => Promise<Probe>) | undefined) {
  if (!first || !second) return first ?? second;
  return async (signal: AbortSignal): Promise<Probe> => {
    const a = await first(signal);
    if (a.state === 'fail') return a;
    const b = await second(signal);
    if (b.state === 'fail') return b;
    if (a.state === 'ok' && b.state === 'ok') return { state: 'ok', detail: `${a.detail}; ${b.detail}` };
    return a.state === 'wait' ? a : b;
  };
}
