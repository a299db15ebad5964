import type { ILimitRange } from 'kubernetes-models/v1/LimitRange';
import type { INamespace } from 'kubernetes-models/v1/Namespace';
import type { IResourceQuota } from 'kubernetes-models/v1/ResourceQuota';
import { LABEL_MANAGED_BY, LABEL_PART_OF, MANAGED_BY } from '../labels.ts';
import type { BootstrapSettings } from './settings.ts';
import type { BootstrapFile, BootstrapPart } from './types.ts';

/** What every object of the bootstrap carries, so `kubectl get -l app.kubernetes.io/part-of=slipway` finds them. */
export const BOOTSTRAP_LABELS = { [LABEL_MANAGED_BY]: MANAGED_BY, [LABEL_PART_OF]: 'slipway' } as const;

/**
 * The Pod Security Admission labels of a namespace that refuses any pod the `restricted` standard
 * refuses, and warns and audits at the same level, against the newest version of the standard.
 */
export function restrictedLabels(): Record<string, string> {
  return {
    'pod-security.kubernetes.io/enforce': 'restricted',
    'pod-security.kubernetes.io/enforce-version': 'latest',
    'pod-security.kubernetes.io/audit': 'restricted',
    'pod-security.kubernetes.io/audit-version': 'latest',
    'pod-security.kubernetes.io/warn': 'restricted',
    'pod-security.kubernetes.io/warn-version': 'latest',
  };
}

/**
 * The namespaces: every environment's apps namespace, restricted, with a ResourceQuota (what all its
 * apps may take together, so one runaway app cannot starve a Pi) and a LimitRange (defaults for
 * containers that say nothing, a ceiling for those that ask too much); and Slipway's own namespace,
 * restricted too. One file per namespace.
 * @example namespacePart(settings).files[0]!.path // 'namespaces/dynamic-apps.yaml'
 */
export function namespacePart(settings: BootstrapSettings): BootstrapPart {
  const files: BootstrapFile[] = settings.environments.map((env) => ({
    path: `namespaces/${env.namespace}.yaml`,
    objects: [namespace(env.namespace), resourceQuota(env.namespace, settings), limitRange(env.namespace, settings)],
  }));
  files.push({ path: `namespaces/${settings.namespace}.yaml`, objects: [namespace(settings.namespace)] });
  return { name: 'namespace', files, secrets: [] };
}

function namespace(name: string) {
  return {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name, labels: { ...BOOTSTRAP_LABELS, ...restrictedLabels() } },
  } satisfies INamespace;
}

function resourceQuota(namespace: string, settings: BootstrapSettings) {
  const quota = settings.bootstrap.quota;
  return {
    apiVersion: 'v1',
    kind: 'ResourceQuota',
    metadata: { name: 'slipway-apps', namespace, labels: { ...BOOTSTRAP_LABELS } },
    spec: {
      hard: {
        'requests.cpu': quota.requestsCpu,
        'requests.memory': quota.requestsMemory,
        // Memory, not CPU, is limited: a Pi runs out of memory long before CPU, and CPU limits only throttle.
        'limits.memory': quota.limitsMemory,
        pods: String(quota.pods),
        persistentvolumeclaims: String(quota.persistentVolumeClaims),
        'requests.storage': quota.requestsStorage,
      },
    },
  } satisfies IResourceQuota;
}

function limitRange(namespace: string, settings: BootstrapSettings) {
  const limits = settings.bootstrap.limits;
  return {
    apiVersion: 'v1',
    kind: 'LimitRange',
    metadata: { name: 'slipway-apps', namespace, labels: { ...BOOTSTRAP_LABELS } },
    spec: {
      limits: [
        {
          type: 'Container',
          // The quota above counts limits.memory, so every container needs one: this is it when the app gives none.
          default: { memory: limits.defaultLimitMemory },
          defaultRequest: { cpu: limits.defaultRequestCpu, memory: limits.defaultRequestMemory },
          max: { cpu: limits.maxCpu, memory: limits.maxMemory },
        },
      ],
    },
  } satisfies ILimitRange;
}
