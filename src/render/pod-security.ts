import type { IPodSecurityContext } from 'kubernetes-models/v1/PodSecurityContext';
import type { IPodSpec } from 'kubernetes-models/v1/PodSpec';
import type { ISecurityContext } from 'kubernetes-models/v1/SecurityContext';

/** Volume types the restricted Pod Security Standard allows. */
const ALLOWED_VOLUMES = new Set(['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'persistentVolumeClaim', 'projected', 'secret']);

/**
 * Why a pod spec would be refused by a namespace enforcing the `restricted` Pod Security Standard
 * (empty when it passes). Checks the fields Slipway sets: non-root, no privilege escalation, all
 * capabilities dropped, a RuntimeDefault/Localhost seccomp profile, allowed volume types and no host
 * namespaces; container settings override the pod's, as in Kubernetes.
 * @example podSecurityProblems(renderDeployment(spec, input, settings).spec.template.spec) // []
 */
export function podSecurityProblems(pod: IPodSpec | Record<string, unknown>): string[] {
  const spec = pod as Record<string, unknown> & { securityContext?: IPodSecurityContext; containers?: unknown[]; initContainers?: unknown[]; volumes?: unknown[] };
  const problems: string[] = [];
  for (const field of ['hostNetwork', 'hostPID', 'hostIPC']) if (spec[field] === true) problems.push(`${field} is true`);
  const podContext = spec.securityContext ?? {};
  if (podContext.runAsUser === 0) problems.push('the pod runs as user 0');
  for (const volume of (spec.volumes ?? []) as Array<Record<string, unknown>>) {
    const type = Object.keys(volume).find((key) => key !== 'name');
    if (type === undefined || !ALLOWED_VOLUMES.has(type)) problems.push(`volume ${String(volume['name'])} has type ${String(type)}`);
  }
  const containers = [...(spec.containers ?? []), ...(spec.initContainers ?? [])] as Array<{ name?: string; securityContext?: ISecurityContext }>;
  if (containers.length === 0) problems.push('the pod has no containers');
  for (const container of containers) {
    const own = container.securityContext ?? {};
    const name = `container ${container.name ?? '?'}`;
    const runAsNonRoot = own.runAsNonRoot ?? podContext.runAsNonRoot;
    if (runAsNonRoot !== true) problems.push(`${name}: runAsNonRoot is not true`);
    if ((own.runAsUser ?? podContext.runAsUser) === 0) problems.push(`${name}: runs as user 0`);
    if (own.privileged === true) problems.push(`${name}: is privileged`);
    if (own.allowPrivilegeEscalation !== false) problems.push(`${name}: allowPrivilegeEscalation is not false`);
    if (!own.capabilities?.drop?.includes('ALL')) problems.push(`${name}: capabilities do not drop ALL`);
    const added = (own.capabilities?.add ?? []).filter((c) => c !== 'NET_BIND_SERVICE');
    if (added.length > 0) problems.push(`${name}: adds capabilities ${added.join(', ')}`);
    const seccomp = (own.seccompProfile ?? podContext.seccompProfile)?.type;
    if (seccomp !== 'RuntimeDefault' && seccomp !== 'Localhost') problems.push(`${name}: seccompProfile is not RuntimeDefault or Localhost`);
  }
  return problems;
}

/** The user and group Slipway's pods run as: apps, Slipway itself and its registry. */
export const RESTRICTED_UID = 1000;

/**
 * A pod's security context meeting the restricted Pod Security Standard: non-root as `uid`, volumes
 * owned by its group, RuntimeDefault seccomp.
 * @example restrictedPod().securityContext.runAsNonRoot // true
 */
export function restrictedPod(uid = RESTRICTED_UID) {
  return {
    securityContext: { runAsNonRoot: true, runAsUser: uid, runAsGroup: uid, fsGroup: uid, seccompProfile: { type: 'RuntimeDefault' } },
  } satisfies Pick<IPodSpec, 'securityContext'>;
}

/**
 * A container's security context meeting the restricted Pod Security Standard, with a read-only root
 * file system (the container gets a writable emptyDir wherever it writes).
 * @example restrictedContainer().capabilities.drop // ['ALL']
 */
export function restrictedContainer(uid = RESTRICTED_UID) {
  return {
    runAsNonRoot: true,
    runAsUser: uid,
    runAsGroup: uid,
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    capabilities: { drop: ['ALL'] },
    seccompProfile: { type: 'RuntimeDefault' },
  } satisfies ISecurityContext;
}
