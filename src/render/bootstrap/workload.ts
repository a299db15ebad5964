/**
 * The shapes Slipway's own workloads in the cluster share (Slipway and its registry): one pod on a
 * ReadWriteOnce volume behind a Service.
 */
import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import type { IPersistentVolumeClaim } from 'kubernetes-models/v1/PersistentVolumeClaim';
import type { IPodSpec } from 'kubernetes-models/v1/PodSpec';
import type { IService } from 'kubernetes-models/v1/Service';
import { LABEL_MANAGED_BY, LABEL_PART_OF, MANAGED_BY, selectorLabels } from '../labels.ts';
import type { Labels } from '../types.ts';

/** Where a workload runs and what its objects are called and labelled. */
export interface Workload {
  name: string;
  namespace: string;
  labels: Labels;
}

/**
 * A workload of the cluster side, labelled as part of Slipway.
 * @example workload('registry', 'slipway').labels['app.kubernetes.io/part-of'] // 'slipway'
 */
export function workload(name: string, namespace: string): Workload {
  return { name, namespace, labels: { ...selectorLabels(name), [LABEL_MANAGED_BY]: MANAGED_BY, [LABEL_PART_OF]: 'slipway' } };
}

/** The workload's volume: mounted read-write by one node. */
export function volumeClaim({ name, namespace, labels }: Workload, storage: string) {
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name, namespace, labels },
    spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage } } },
  } satisfies IPersistentVolumeClaim;
}

/** The workload's Service: `port` to the container port named `http`. */
export function httpService({ name, namespace, labels }: Workload, port: number) {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace, labels },
    spec: { selector: selectorLabels(name), ports: [{ name: 'http', port, targetPort: 'http', protocol: 'TCP' }] },
  } satisfies IService;
}

/**
 * One replica, replaced by stopping the old pod before the new one starts (Recreate): a ReadWriteOnce
 * volume has one node, and SQLite state one writer.
 */
export function singlePodDeployment({ name, namespace, labels }: Workload, pod: IPodSpec, annotations?: Record<string, string>) {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace, labels },
    spec: {
      replicas: 1,
      revisionHistoryLimit: 3,
      strategy: { type: 'Recreate' },
      selector: { matchLabels: selectorLabels(name) },
      template: { metadata: { labels: { ...labels }, ...(annotations === undefined ? {} : { annotations }) }, spec: pod },
    },
  } satisfies IDeployment;
}
