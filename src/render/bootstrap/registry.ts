/**
 * The private registry of the seeds, for people without one (`slipway bootstrap --registry`): Docker
 * Registry v2 with htpasswd logins and its blobs on a volume, reached in the cluster as
 * `registry.<namespace>:5000` and from outside through an HTTPRoute, a weekly garbage collection,
 * and the logins apps pull with and Slipway pushes with.
 */
import type { ICronJob } from 'kubernetes-models/batch/v1/CronJob';
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { IEnvVar } from 'kubernetes-models/v1/EnvVar';
import type { IPodSpec } from 'kubernetes-models/v1/PodSpec';
import type { IServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import { renderRoute, type RouteTarget } from '../httproute.ts';
import { LABEL_MANAGED_BY, MANAGED_BY, selectorLabels } from '../labels.ts';
import { restrictedContainer, restrictedPod } from '../pod-security.ts';
import type { Labels } from '../types.ts';
import { htpasswdLine } from './htpasswd.ts';
import type { BootstrapSettings } from './settings.ts';
import type { BootstrapPart, BootstrapSecretFile, PlainSecret, SecretValues } from './types.ts';
import { httpService, singlePodDeployment, volumeClaim, workload, type Workload } from './workload.ts';

export const REGISTRY_NAME = 'registry';
export const REGISTRY_PORT = 5000;
/** The one login of the registry: Slipway pushes with it and the apps' nodes pull with it. */
export const REGISTRY_USER = 'slipway';
export const REGISTRY_HTPASSWD_SECRET = 'registry-htpasswd';
/** The pull login in each apps namespace, given to pods by the namespace's default ServiceAccount. */
export const REGISTRY_PULL_SECRET = 'registry-pull';
/** The login Slipway pushes with, mounted into its pod (slipway.ts). */
export const REGISTRY_PUSH_SECRET = 'slipway-registry-push';
export const DEFAULT_REGISTRY_IMAGE = 'docker.io/library/registry:2.8.3';
/** Sunday 03:30: garbage collection deletes blobs no manifest names, best when nobody pushes. */
export const DEFAULT_GC_SCHEDULE = '30 3 * * 0';

const STORAGE_DIR = '/var/lib/registry';
const AUTH_DIR = '/auth';
/** The registry image's own configuration file; the environment below overrides parts of it. */
const REGISTRY_CONFIG = '/etc/docker/registry/config.yml';

export interface RegistryPartInput {
  /** bootstrap.namespace: where the registry runs beside Slipway. */
  namespace: string;
  /** Every namespace apps run in (each environment's): each gets the pull login. */
  appNamespaces: readonly string[];
  /** bootstrap.registry.host: the name images are pushed to and pulled from; default `registry.<appsDomain>`. */
  host?: string | undefined;
  appsDomain: string;
  /** bootstrap.registry.storage: the volume for the blobs. */
  storage: string;
  /** bootstrap.registry.image. */
  image?: string | undefined;
  parentRefs: RouteTarget['parentRefs'];
  /** When garbage collection runs (cron); default weekly. */
  gcSchedule?: string | undefined;
}

/**
 * The registry part for the bootstrap settings: nothing unless `bootstrap.registry.enabled` (`--registry`).
 * @example registryPart(settings, values).files.length // 0 unless the registry is on
 */
export function registryPart(settings: BootstrapSettings, values: SecretValues): BootstrapPart {
  const { registry } = settings.bootstrap;
  if (!registry.enabled) return { name: REGISTRY_NAME, files: [], secrets: [] };
  return renderRegistryPart(
    {
      namespace: settings.namespace,
      appNamespaces: settings.environments.map((env) => env.namespace),
      host: registry.host,
      appsDomain: settings.render.appsDomain,
      storage: registry.storage,
      image: registry.image,
      parentRefs: settings.render.gateway.parentRefs,
    },
    values,
  );
}

/**
 * The host the bootstrap's registry answers at, when it is on: `bootstrap.registry.host`, else `registry.<apps domain>`.
 * @example bootstrapRegistryHost(settings) // 'registry.apps.example.com'
 */
export function bootstrapRegistryHost(settings: BootstrapSettings): string | undefined {
  const { registry } = settings.bootstrap;
  return registry.enabled ? registryHostOf(registry.host, settings.render.appsDomain) : undefined;
}

function registryHostOf(host: string | undefined, appsDomain: string): string {
  return host ?? `${REGISTRY_NAME}.${appsDomain}`;
}

/**
 * The registry's Deployment, volume, Service, HTTPRoute and garbage-collection CronJob, the default
 * ServiceAccounts of the apps namespaces naming the pull login, and the Secrets: the htpasswd file,
 * the pull logins and Slipway's push login.
 * @example renderRegistryPart({ namespace: 'slipway', appNamespaces: ['dynamic-apps'], appsDomain: 'apps.lan', storage: '10Gi', parentRefs }, values).name // 'registry'
 */
export function renderRegistryPart(input: RegistryPartInput, values: SecretValues): BootstrapPart {
  const { namespace } = input;
  const own = workload(REGISTRY_NAME, namespace);
  const { labels } = own;
  const host = registryHostOf(input.host, input.appsDomain);
  const image = input.image ?? DEFAULT_REGISTRY_IMAGE;
  const password = values.get('registry-password', 32);
  const claim = volumeClaim(own, input.storage);
  const service = httpService(own, REGISTRY_PORT);
  const route = renderRoute({ name: REGISTRY_NAME, namespace, labels, hostname: host, port: REGISTRY_PORT, parentRefs: input.parentRefs });
  const pullAccounts = input.appNamespaces.map(
    (appNamespace) =>
      ({
        apiVersion: 'v1',
        kind: 'ServiceAccount',
        // The account every app pod runs as: Kubernetes adds its imagePullSecrets to each pod, so app manifests stay as they are.
        metadata: { name: 'default', namespace: appNamespace, labels: { [LABEL_MANAGED_BY]: MANAGED_BY } },
        imagePullSecrets: [{ name: REGISTRY_PULL_SECRET }],
      }) satisfies IServiceAccount,
  );
  const dockerConfig = dockerConfigJson(host, REGISTRY_USER, password);
  const loginSecret = (name: string, secretNamespace: string): PlainSecret => ({
    name, namespace: secretNamespace, labels, type: 'kubernetes.io/dockerconfigjson', stringData: { '.dockerconfigjson': dockerConfig },
  });
  const secrets: BootstrapSecretFile[] = [
    {
      path: `secrets/${REGISTRY_HTPASSWD_SECRET}.yaml`,
      secret: { name: REGISTRY_HTPASSWD_SECRET, namespace, labels, stringData: { htpasswd: `${htpasswdLine(REGISTRY_USER, password)}\n` } },
      purpose: "the registry's login (htpasswd)",
    },
    { path: `secrets/${REGISTRY_PUSH_SECRET}.yaml`, secret: loginSecret(REGISTRY_PUSH_SECRET, namespace), purpose: 'the login Slipway pushes images with' },
    ...input.appNamespaces.map((appNamespace) => ({
      path: `secrets/${REGISTRY_PULL_SECRET}-${appNamespace}.yaml`,
      secret: loginSecret(REGISTRY_PULL_SECRET, appNamespace),
      purpose: `the login apps in ${appNamespace} pull images with`,
    })),
  ];
  return {
    name: REGISTRY_NAME,
    files: [
      { path: 'registry/persistentvolumeclaim.yaml', objects: [claim] },
      { path: 'registry/deployment.yaml', objects: [registryDeployment(own, image)] },
      { path: 'registry/service.yaml', objects: [service] },
      { path: 'registry/httproute.yaml', objects: [route] },
      { path: 'registry/garbage-collection.yaml', objects: [garbageCollection(namespace, labels, image, input.gcSchedule ?? DEFAULT_GC_SCHEDULE)] },
      { path: 'registry/pull-serviceaccounts.yaml', objects: pullAccounts },
    ],
    secrets,
    notes: [
      `The registry answers at https://${host}/v2/ (user ${REGISTRY_USER}, the registry-password Slipway keeps under $SLIPWAY_HOME/bootstrap/); set registry.host: ${host} in slipway.yaml.`,
      "Garbage collection runs weekly on the registry's node; a push during it may lose layers, so it runs when nobody ships (bootstrap.registry schedule).",
    ],
  };
}

/**
 * A Docker config.json naming one registry's login, as `kubernetes.io/dockerconfigjson` Secrets hold
 * it and as Slipway, BuildKit and the kubelet read it.
 * @example dockerConfigJson('registry.apps.lan', 'slipway', password) // '{"auths":{"registry.apps.lan":{…}}}'
 */
export function dockerConfigJson(host: string, username: string, password: string): string {
  const auth = Buffer.from(`${username}:${password}`).toString('base64');
  return JSON.stringify({ auths: { [host]: { username, password, auth } } });
}

/** Storage, deletes (`slipway gc` deletes manifests through the API) and logins, as the registry reads them from its environment. */
function registryEnv(): IEnvVar[] {
  return [
    { name: 'REGISTRY_STORAGE_FILESYSTEM_ROOTDIRECTORY', value: STORAGE_DIR },
    { name: 'REGISTRY_STORAGE_DELETE_ENABLED', value: 'true' },
    { name: 'REGISTRY_AUTH', value: 'htpasswd' },
    { name: 'REGISTRY_AUTH_HTPASSWD_REALM', value: 'Slipway registry' },
    { name: 'REGISTRY_AUTH_HTPASSWD_PATH', value: `${AUTH_DIR}/htpasswd` },
  ];
}

function registryPod(image: string, container: Partial<IContainer>): IPodSpec {
  return {
    ...restrictedPod(),
    automountServiceAccountToken: false,
    enableServiceLinks: false,
    containers: [
      {
        name: REGISTRY_NAME,
        image,
        env: registryEnv(),
        resources: { requests: { cpu: '10m', memory: '32Mi' }, limits: { memory: '256Mi' } },
        securityContext: restrictedContainer(),
        volumeMounts: [
          { name: 'data', mountPath: STORAGE_DIR },
          { name: 'auth', mountPath: AUTH_DIR, readOnly: true },
          { name: 'tmp', mountPath: '/tmp' },
        ],
        ...container,
      },
    ],
    volumes: [
      { name: 'data', persistentVolumeClaim: { claimName: REGISTRY_NAME } },
      { name: 'auth', secret: { secretName: REGISTRY_HTPASSWD_SECRET, defaultMode: 0o440 } },
      { name: 'tmp', emptyDir: {} },
    ],
  };
}

function registryDeployment(own: Workload, image: string) {
  // /v2/ asks for a login, so the probes only check that the port answers.
  const probe = { tcpSocket: { port: 'http' }, periodSeconds: 10, timeoutSeconds: 3, failureThreshold: 3 };
  return singlePodDeployment(own, registryPod(image, { ports: [{ name: 'http', containerPort: REGISTRY_PORT, protocol: 'TCP' }], readinessProbe: probe, livenessProbe: probe }));
}

/**
 * `registry garbage-collect --delete-untagged` on the registry's volume. A ReadWriteOnce volume is
 * mounted by one node only, so the Job's pod must run on the registry's node (podAffinity).
 */
function garbageCollection(namespace: string, labels: Labels, image: string, schedule: string) {
  const gcLabels = { ...labels, 'app.kubernetes.io/component': 'garbage-collection' };
  const pod = registryPod(image, { command: ['registry', 'garbage-collect', '--delete-untagged', REGISTRY_CONFIG] });
  return {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name: `${REGISTRY_NAME}-gc`, namespace, labels: gcLabels },
    spec: {
      schedule,
      concurrencyPolicy: 'Forbid',
      successfulJobsHistoryLimit: 1,
      failedJobsHistoryLimit: 2,
      jobTemplate: {
        spec: {
          backoffLimit: 1,
          template: {
            metadata: { labels: { [LABEL_MANAGED_BY]: MANAGED_BY, 'app.kubernetes.io/component': 'garbage-collection' } },
            spec: {
              ...pod,
              restartPolicy: 'OnFailure',
              affinity: {
                podAffinity: {
                  requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: selectorLabels(REGISTRY_NAME) }, topologyKey: 'kubernetes.io/hostname' }],
                },
              },
            },
          },
        },
      },
    },
  } satisfies ICronJob;
}
