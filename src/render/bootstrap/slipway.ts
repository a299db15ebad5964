/**
 * Slipway itself in the cluster: one pod running `slipway serve` from Slipway's own image (pinned by
 * digest), its state on a PersistentVolumeClaim, its slipway.yaml in a ConfigMap, its secrets in the
 * Secret `slipway-secrets`, reached through a Service and an HTTPRoute on the apps' gateway.
 */
import { createHash } from 'node:crypto';
import type { IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { IPodSpec } from 'kubernetes-models/v1/PodSpec';
import type { IProbe } from 'kubernetes-models/v1/Probe';
import type { IVolume } from 'kubernetes-models/v1/Volume';
import type { IVolumeMount } from 'kubernetes-models/v1/VolumeMount';
import { stringify } from 'yaml';
import { ConfigError } from '../../domain/errors.ts';
import { renderRoute, type RouteTarget } from '../httproute.ts';
import { isImageDigest, splitImage } from '../image.ts';
import { restrictedContainer, restrictedPod } from '../pod-security.ts';
import { SERVICE_PORT } from '../service.ts';
import type { Labels } from '../types.ts';
import {
  CONFIG_DIR, CONFIG_FILE, inClusterConfig, REGISTRY_LOGIN_DIR, SECRET_KEYS, SECRETS_DIR, SERVER_PORT, STATE_DIR,
  type CarriedSecret, type RunningConfig,
} from './slipway-config.ts';
import { fluxReceiverPath } from './receiver.ts';
import { bootstrapRegistryHost, REGISTRY_PUSH_SECRET } from './registry.ts';
import type { BootstrapSettings } from './settings.ts';
import type { BootstrapPart, BootstrapSecretFile, SecretValues } from './types.ts';
import { httpService, singlePodDeployment, volumeClaim, workload } from './workload.ts';

export const SLIPWAY_NAME = 'slipway';
export const SLIPWAY_SECRET = 'slipway-secrets';
/** On the pod template: the sha256 of slipway.yaml. */
export const CONFIG_DIGEST_ANNOTATION = 'slipway.dev/config-digest';

export interface SlipwayPartInput {
  /** bootstrap.namespace: where Slipway runs. */
  namespace: string;
  /** bootstrap.slipway.image: Slipway's image as `npm run image` prints it, `ref@sha256:…`; absent → the part is left out. */
  image?: string | undefined;
  /** bootstrap.slipway.host; default `slipway.<appsDomain>`. */
  host?: string | undefined;
  appsDomain: string;
  /** bootstrap.slipway.storage: the PersistentVolumeClaim's size. */
  storage: string;
  /** The gateway's listeners, as the apps' routes use them. */
  parentRefs: RouteTarget['parentRefs'];
  /** The GitOps engine in the cluster: which webhook secret Slipway holds. */
  engine: 'flux' | 'argocd';
  /** The running slipway.yaml the pod's one is made from. */
  running: RunningConfig;
  /** The Flux Receiver's webhook path (receiver.ts computes it). */
  receiverPath?: string | undefined;
  /** The bootstrap's registry host, when `--registry` is on. */
  registryHost?: string | undefined;
  /** Values of the running config's own secrets the pod needs too (git tokens, the model's API key…), read by the caller. */
  carried?: Partial<Record<CarriedSecret, string>>;
}

/**
 * Slipway's part for the bootstrap settings (`bootstrap.slipway`, the gateway and apps domain, the
 * running slipway.yaml), left out while `bootstrap.slipway.image` is not set.
 * @example slipwayPart(settings, values).name // 'slipway'
 */
export function slipwayPart(settings: BootstrapSettings, values: SecretValues): BootstrapPart {
  const { slipway } = settings.bootstrap;
  return renderSlipwayPart(
    {
      namespace: settings.namespace,
      image: slipway.image,
      host: slipway.host,
      appsDomain: settings.render.appsDomain,
      storage: slipway.storage,
      parentRefs: settings.render.gateway.parentRefs,
      engine: settings.engine,
      running: settings.running,
      receiverPath: settings.engine === 'flux' ? fluxReceiverPath(settings, values) : undefined,
      registryHost: bootstrapRegistryHost(settings),
      carried: settings.carried,
    },
    values,
  );
}

const DIGEST_HINT = 'Build Slipway\'s image with `npm run image` and set bootstrap.slipway.image to the ref@sha256:… it prints.';

/**
 * Slipway's Deployment, PersistentVolumeClaim, Service, HTTPRoute and ConfigMap, and its Secret.
 * Without `image` the part holds nothing and a note says how to add it.
 * @throws ConfigError when the image is not pinned by a digest.
 * @example renderSlipwayPart({ ...input, image: `registry.lan/slipway/slipway:1.0.0@sha256:${'ab'.repeat(32)}` }, values).files.map((f) => f.path)
 */
export function renderSlipwayPart(input: SlipwayPartInput, values: SecretValues): BootstrapPart {
  if (input.image === undefined) {
    return { name: SLIPWAY_NAME, files: [], secrets: [], notes: [`Slipway itself is left out: ${DIGEST_HINT} Then run slipway bootstrap again.`] };
  }
  assertPinned(input.image);
  const { namespace } = input;
  const own = workload(SLIPWAY_NAME, namespace);
  const { labels } = own;
  const carried = Object.fromEntries(Object.entries(input.carried ?? {}).filter(([, value]) => value !== undefined && value !== '')) as Partial<Record<CarriedSecret, string>>;
  const { config, notes } = inClusterConfig({
    running: input.running,
    carried: new Set(Object.keys(carried) as CarriedSecret[]),
    ...(input.engine === 'flux' && input.receiverPath !== undefined ? { receiverPath: input.receiverPath } : {}),
    ...(input.registryHost === undefined ? {} : { registry: { host: input.registryHost } }),
  });
  const configText = stringify(config);
  const configMap = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    // Flux must not replace the ${VAR}s of slipway.yaml (e.g. ${APPS_SUBDOMAIN}): Slipway writes them into app manifests as they are.
    metadata: { name: SLIPWAY_NAME, namespace, labels, annotations: { 'kustomize.toolkit.fluxcd.io/substitute': 'disabled' } },
    data: { [CONFIG_FILE]: configText },
  } satisfies IConfigMap;
  const claim = volumeClaim(own, input.storage);
  const service = httpService(own, SERVICE_PORT);
  const hostname = input.host ?? `${SLIPWAY_NAME}.${input.appsDomain}`;
  const route = renderRoute({ name: SLIPWAY_NAME, namespace, labels, hostname, port: SERVICE_PORT, parentRefs: input.parentRefs });
  // The digest of slipway.yaml on the pod template: a new one changes the template, so the pod restarts and reads it.
  const deployment = singlePodDeployment(own, podSpec(input.image, input.registryHost !== undefined), { [CONFIG_DIGEST_ANNOTATION]: sha256(configText) });
  return {
    name: SLIPWAY_NAME,
    files: [
      { path: 'slipway/configmap.yaml', objects: [configMap] },
      { path: 'slipway/persistentvolumeclaim.yaml', objects: [claim] },
      { path: 'slipway/deployment.yaml', objects: [deployment] },
      { path: 'slipway/service.yaml', objects: [service] },
      { path: 'slipway/httproute.yaml', objects: [route] },
    ],
    secrets: [slipwaySecret(input, labels, carried, values)],
    notes: [
      `Slipway answers at https://${hostname}/ once Flux or Argo CD applied this folder: SLIPWAY_TOKEN=<the slipway-api-token Slipway keeps under $SLIPWAY_HOME/bootstrap/> slipway --server https://${hostname} list`,
      ...notes,
    ],
  };
}

/** Slipway's image must name one build: a tag can move under a running pod, a digest cannot. */
function assertPinned(image: string): void {
  const { digest } = splitImage(image);
  if (digest === undefined || !isImageDigest(digest)) {
    throw new ConfigError(`bootstrap.slipway.image ${JSON.stringify(image)} is not pinned by a digest (ref@sha256:<64 hex digits>)`, { hint: DIGEST_HINT });
  }
}

function slipwaySecret(input: SlipwayPartInput, labels: Labels, carried: Partial<Record<CarriedSecret, string>>, values: SecretValues): BootstrapSecretFile {
  const stringData: Record<string, string> = { [SECRET_KEYS.apiToken]: values.get('slipway-api-token', 32) };
  if (input.engine === 'flux') stringData[SECRET_KEYS.fluxReceiverToken] = values.get('flux-receiver-token', 32);
  else stringData[SECRET_KEYS.argocdWebhookSecret] = values.get('argocd-webhook-secret', 32);
  if (input.registryHost !== undefined) stringData[SECRET_KEYS.registryPassword] = values.get('registry-password', 32);
  for (const key of Object.keys(carried).sort() as CarriedSecret[]) stringData[key] = carried[key]!;
  return {
    path: `secrets/${SLIPWAY_SECRET}.yaml`,
    secret: { name: SLIPWAY_SECRET, namespace: input.namespace, labels, stringData },
    purpose: "Slipway's API token and the secrets its slipway.yaml reads in the cluster",
  };
}

function podSpec(image: string, registryLogin: boolean) {
  const volumes: IVolume[] = [
    { name: 'tmp', emptyDir: {} },
    { name: 'state', persistentVolumeClaim: { claimName: SLIPWAY_NAME } },
    { name: 'config', configMap: { name: SLIPWAY_NAME } },
    // Readable by the pod's group only (fsGroup), never by others.
    { name: 'secrets', secret: { secretName: SLIPWAY_SECRET, defaultMode: 0o440 } },
  ];
  const volumeMounts: IVolumeMount[] = [
    { name: 'tmp', mountPath: '/tmp' },
    { name: 'state', mountPath: STATE_DIR },
    { name: 'config', mountPath: CONFIG_DIR, readOnly: true },
    { name: 'secrets', mountPath: SECRETS_DIR, readOnly: true },
  ];
  if (registryLogin) {
    volumes.push({ name: 'registry-login', secret: { secretName: REGISTRY_PUSH_SECRET, defaultMode: 0o440, items: [{ key: '.dockerconfigjson', path: 'config.json' }] } });
    volumeMounts.push({ name: 'registry-login', mountPath: REGISTRY_LOGIN_DIR, readOnly: true });
  }
  const container = {
    name: SLIPWAY_NAME,
    image,
    imagePullPolicy: 'IfNotPresent',
    // The image's entrypoint is `slipway serve`; these say where its state and configuration are.
    env: [
      { name: 'SLIPWAY_HOME', value: STATE_DIR },
      { name: 'SLIPWAY_CONFIG', value: `${CONFIG_DIR}/${CONFIG_FILE}` },
      // git and the cache ($HOME/.cache/slipway) write under HOME: on the volume, not the read-only root.
      { name: 'HOME', value: STATE_DIR },
    ],
    ports: [{ name: 'http', containerPort: SERVER_PORT, protocol: 'TCP' }],
    // Starting may repair the state and reopen the repos: up to five minutes on a Raspberry Pi.
    startupProbe: probe('/healthz', { periodSeconds: 5, timeoutSeconds: 3, failureThreshold: 60 }),
    // Not ready while the store, the repos or the registry cannot be reached: /readyz says which. It
    // fetches both repos each time, so it is asked twice a minute, not every few seconds.
    readinessProbe: probe('/readyz', { periodSeconds: 30, timeoutSeconds: 10, failureThreshold: 3 }),
    livenessProbe: probe('/healthz', { periodSeconds: 30, timeoutSeconds: 5, failureThreshold: 3 }),
    // Small for a Pi; the limit leaves room for builds, which hold layers in memory while compressing them.
    resources: { requests: { cpu: '50m', memory: '192Mi' }, limits: { memory: '768Mi' } },
    securityContext: restrictedContainer(),
    volumeMounts,
  } satisfies IContainer;
  return {
    ...restrictedPod(),
    serviceAccountName: SLIPWAY_NAME,
    // Slipway follows rollouts and reads pod logs through the Kubernetes API with this account's token.
    automountServiceAccountToken: true,
    enableServiceLinks: false,
    containers: [container],
    volumes,
  } satisfies IPodSpec;
}

function probe(path: string, timing: { periodSeconds: number; timeoutSeconds: number; failureThreshold: number }) {
  return { httpGet: { path, port: 'http' }, ...timing } satisfies IProbe;
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
