import type { IClusterRole } from 'kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRole';
import type { IPolicyRule } from 'kubernetes-models/rbac.authorization.k8s.io/v1/PolicyRule';
import type { IRoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1/RoleBinding';
import type { IServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import { BOOTSTRAP_LABELS } from './namespace.ts';
import type { BootstrapSettings } from './settings.ts';
import type { BootstrapPart } from './types.ts';

/** Slipway's ServiceAccount (in the bootstrap namespace) and the ClusterRole of what it reads. */
export const SERVICE_ACCOUNT = 'slipway';
export const WATCHER_ROLE = 'slipway-watcher';

/** One rule of the watcher's role, the engine it is for (both when absent), and the code that needs it. */
interface WatcherRule {
  rule: { apiGroups: string[]; resources: string[]; verbs: string[] };
  engine?: 'flux' | 'argocd';
  neededBy: string;
}

/**
 * Exactly what Slipway's watcher, log reader and syncers ask the Kubernetes API for, nothing more:
 * get and list only, except `patch` on Argo CD Applications, which is how Slipway asks Argo CD to
 * refresh. A test runs the watcher against a local API server and checks each request it made
 * against these rules, so new code reading something else fails there before a cluster refuses it.
 */
export const WATCHER_RULES: readonly WatcherRule[] = [
  // The rollout stage reads the app's Deployment; logs start from it too.
  { rule: { apiGroups: ['apps'], resources: ['deployments'], verbs: ['get'] }, neededBy: 'src/adapters/watcher/rollout-stage.ts, workload.ts; src/adapters/kube/pod-logs.ts' },
  // The Deployment's ReplicaSets tell the current revision's pods from the old ones.
  { rule: { apiGroups: ['apps'], resources: ['replicasets'], verbs: ['list'] }, neededBy: 'src/adapters/watcher/workload.ts; src/adapters/kube/pod-logs.ts' },
  // Pods say why a rollout is stuck (image pull, crash loop) and whose logs to read.
  { rule: { apiGroups: [''], resources: ['pods'], verbs: ['list'] }, neededBy: 'src/adapters/watcher/workload.ts; src/adapters/kube/pod-logs.ts' },
  { rule: { apiGroups: [''], resources: ['pods/log'], verbs: ['get'] }, neededBy: 'src/adapters/kube/pod-logs.ts (slipway logs)' },
  // Events of the Deployment, its pods and the engine's objects explain a failed stage.
  { rule: { apiGroups: [''], resources: ['events'], verbs: ['list'] }, neededBy: 'src/adapters/watcher/kube-events.ts' },
  // Flux: the source stage waits for the GitRepository to fetch the commit, the reconcile stage for the Kustomization to apply it.
  { rule: { apiGroups: ['source.toolkit.fluxcd.io'], resources: ['gitrepositories'], verbs: ['get'] }, engine: 'flux', neededBy: 'src/adapters/gitops/flux/stages.ts' },
  { rule: { apiGroups: ['kustomize.toolkit.fluxcd.io'], resources: ['kustomizations'], verbs: ['get'] }, engine: 'flux', neededBy: 'src/adapters/gitops/flux/stages.ts' },
  // Argo CD: the stages read the app's Application; the syncer patches its refresh annotation.
  { rule: { apiGroups: ['argoproj.io'], resources: ['applications'], verbs: ['get', 'patch'] }, engine: 'argocd', neededBy: 'src/adapters/gitops/argocd/stages.ts, syncer.ts' },
];

/**
 * The watcher's rules for one engine.
 * @example watcherRules('flux').some((r) => r.resources.includes('applications')) // false
 */
export function watcherRules(engine: 'flux' | 'argocd'): IPolicyRule[] {
  return WATCHER_RULES.filter((entry) => entry.engine === undefined || entry.engine === engine).map((entry) => structuredClone(entry.rule));
}

/**
 * Slipway's ServiceAccount and read-only RBAC: the ClusterRole `slipway-watcher` with the rules
 * above, bound (RoleBindings, so only there) in every apps namespace and in the engine's namespace.
 * The builder's rights are the builds part's.
 * @example rbacPart(settings).files[0]!.objects.map((o) => o.kind) // ['ServiceAccount', 'ClusterRole', 'RoleBinding', …]
 */
export function rbacPart(settings: BootstrapSettings): BootstrapPart {
  const serviceAccount = {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: { name: SERVICE_ACCOUNT, namespace: settings.namespace, labels: { ...BOOTSTRAP_LABELS } },
    // Only the pod that needs the API (Slipway's own) mounts the token, by asking for it.
    automountServiceAccountToken: false,
  } satisfies IServiceAccount;
  const role = {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRole',
    metadata: { name: WATCHER_ROLE, labels: { ...BOOTSTRAP_LABELS } },
    rules: watcherRules(settings.engine),
  } satisfies IClusterRole;
  // Where the watcher and the syncer look for the engine's objects (Flux's, or the Argo CD Applications Slipway refreshes).
  const engineNamespace = settings.engine === 'flux' ? settings.flux.namespace : settings.argocdNamespace;
  const namespaces = [...new Set([...settings.environments.map((env) => env.namespace), engineNamespace])];
  const bindings = namespaces.map(
    (namespace) =>
      ({
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'RoleBinding',
        metadata: { name: WATCHER_ROLE, namespace, labels: { ...BOOTSTRAP_LABELS } },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: WATCHER_ROLE },
        subjects: [{ kind: 'ServiceAccount', name: SERVICE_ACCOUNT, namespace: settings.namespace }],
      }) satisfies IRoleBinding,
  );
  return { name: 'rbac', files: [{ path: 'rbac/watcher.yaml', objects: [serviceAccount, role, ...bindings] }], secrets: [] };
}
