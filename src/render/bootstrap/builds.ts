/**
 * The build side of the cluster: where Slipway's Dockerfile builds run (rootless BuildKit Jobs, see
 * src/render/build-job.ts) and the rights Slipway needs there, kept apart from the apps and from
 * Slipway itself because build pods cannot meet the restricted Pod Security Standard.
 */
import type { ILimitRange } from 'kubernetes-models/v1/LimitRange';
import type { INamespace } from 'kubernetes-models/v1/Namespace';
import type { IPolicyRule } from 'kubernetes-models/rbac.authorization.k8s.io/v1/PolicyRule';
import type { IRole } from 'kubernetes-models/rbac.authorization.k8s.io/v1/Role';
import type { IRoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1/RoleBinding';
import type { BuildConfig } from '../../config/schema.ts';
import { BOOTSTRAP_LABELS } from './namespace.ts';
import { SERVICE_ACCOUNT } from './rbac.ts';
import { dockerConfigJson } from './registry.ts';
import type { BootstrapPart, BootstrapSecretFile, SecretValues } from './types.ts';

export const BUILDER_ROLE = 'slipway-builder';

/**
 * Exactly what KubeJobBuilder asks the API for in the build namespace: create the Job, read it while
 * it runs, delete it when the run is cancelled; find its pod, say why it does not start, follow its log.
 * A test runs the builder against a local API server and checks each request against these rules.
 */
export const BUILDER_RULES: readonly IPolicyRule[] = [
  { apiGroups: ['batch'], resources: ['jobs'], verbs: ['create', 'get', 'list', 'watch', 'delete'] },
  { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch'] },
  { apiGroups: [''], resources: ['pods/log'], verbs: ['get'] },
];

export interface BuildsPartInput {
  /** `build.cluster` of slipway.yaml: the namespace, the Secrets' names, the build's resources. */
  build: BuildConfig['cluster'];
  /** Where Slipway's ServiceAccount is (bootstrap.namespace). */
  slipwayNamespace: string;
  /** The bootstrap's own registry, when it writes one: the build pushes with its login. */
  registry?: { host: string; username: string };
}

/**
 * The build namespace, the Role `slipway-builder` bound to Slipway's ServiceAccount there, a
 * LimitRange giving build containers their defaults and ceiling, and, with the bootstrap's own
 * registry, the push login build Jobs mount (the registry's password, as a dockerconfigjson Secret).
 *
 * The namespace enforces the `privileged` Pod Security level: rootless BuildKit needs seccomp and
 * AppArmor `Unconfined` (it calls unshare and mount), which even `baseline` refuses, and privilege
 * escalation with SETUID/SETGID kept for newuidmap. Its pods are not privileged containers: the
 * Job's own securityContext keeps everything else restricted. Audits record every build pod against
 * `restricted`, so what is relaxed stays visible.
 * @example buildsPart({ build: config.build.cluster, slipwayNamespace: 'slipway' }, values).files[0]!.path // 'builds/slipway-builds.yaml'
 */
export function buildsPart(input: BuildsPartInput, values: SecretValues): BootstrapPart {
  const { build } = input;
  const namespace = build.namespace;
  const labels = { ...BOOTSTRAP_LABELS };
  const objects = [
    {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: {
        name: namespace,
        labels: {
          ...labels,
          'pod-security.kubernetes.io/enforce': 'privileged',
          'pod-security.kubernetes.io/enforce-version': 'latest',
          'pod-security.kubernetes.io/audit': 'restricted',
          'pod-security.kubernetes.io/audit-version': 'latest',
        },
      },
    } satisfies INamespace,
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: { name: BUILDER_ROLE, namespace, labels },
      rules: BUILDER_RULES.map((rule) => structuredClone(rule)),
    } satisfies IRole,
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: BUILDER_ROLE, namespace, labels },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: BUILDER_ROLE },
      subjects: [{ kind: 'ServiceAccount', name: SERVICE_ACCOUNT, namespace: input.slipwayNamespace }],
    } satisfies IRoleBinding,
    {
      apiVersion: 'v1',
      kind: 'LimitRange',
      metadata: { name: 'slipway-builds', namespace, labels },
      spec: {
        limits: [{
          type: 'Container',
          // What a build asks for unless build.cluster.resources says otherwise; no build may take more than its limit.
          defaultRequest: { cpu: build.resources.requests.cpu ?? '500m', memory: build.resources.requests.memory ?? '512Mi' },
          default: { memory: build.resources.limits.memory ?? '2Gi' },
          max: { memory: build.resources.limits.memory ?? '2Gi' },
        }],
      },
    } satisfies ILimitRange,
  ];
  const secrets: BootstrapSecretFile[] = input.registry
    ? [{
      path: `secrets/${build.registrySecret}-${namespace}.yaml`,
      secret: {
        name: build.registrySecret, namespace, labels, type: 'kubernetes.io/dockerconfigjson',
        stringData: { '.dockerconfigjson': dockerConfigJson(input.registry.host, input.registry.username, values.get('registry-password', 32)) },
      },
      purpose: 'the login build Jobs push images with',
    }]
    : [];
  const notes = [
    ...(input.registry ? [] : [`Build Jobs push with the Secret ${build.registrySecret} in ${namespace}: create it from your registry's login (kubectl create secret docker-registry ${build.registrySecret} -n ${namespace} --docker-server=<registry> --docker-username=<user> --docker-password=<password>).`]),
    ...(build.gitSecret ? [`Build Jobs clone the source repo with the token in the Secret ${build.gitSecret} (key token) in ${namespace}: create it (kubectl create secret generic ${build.gitSecret} -n ${namespace} --from-literal=token=<token>).`] : []),
  ];
  return { name: 'builds', files: [{ path: `builds/${namespace}.yaml`, objects }], secrets, ...(notes.length > 0 ? { notes } : {}) };
}
