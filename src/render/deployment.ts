import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { IEnvVar } from 'kubernetes-models/v1/EnvVar';
import type { IPodSpec } from 'kubernetes-models/v1/PodSpec';
import type { IProbe } from 'kubernetes-models/v1/Probe';
import type { IVolume } from 'kubernetes-models/v1/Volume';
import type { IVolumeMount } from 'kubernetes-models/v1/VolumeMount';
import type { AppSpec } from '../domain/app-spec.ts';
import { appSecretName } from '../domain/app-config.ts';
import { accessProxyContainer, accessProxyVolumes } from './access-proxy.ts';
import { databaseUrlEnv, needsDatabase } from './database.ts';
import { renderTarget } from './input.ts';
import { DESCRIPTION_ANNOTATION, descriptionAnnotation, selectorLabels } from './labels.ts';
import { RESTRICTED_UID, restrictedContainer, restrictedPod } from './pod-security.ts';
import type { RenderSettings } from './settings.ts';
import type { RenderInput } from './types.ts';

/** The user id apps run as; images are built to run as this non-root user. */
export const APP_UID = RESTRICTED_UID;
/** Where a persistent app keeps its data ($DATA_DIR). */
export const DATA_DIR = '/data';

/** On the pod template: changes with any setting or secret value, so Kubernetes restarts the pods. */
export const CONFIG_CHECKSUM_ANNOTATION = 'slipway.dev/config-checksum';

/** Where a container's image is in the Deployment: the line Flux's image setter marker goes on. */
export const IMAGE_PATH = ['spec', 'template', 'spec', 'containers', 0, 'image'] as const;

/**
 * The app's Deployment: one replica that meets the restricted Pod Security Standard (non-root,
 * no privilege escalation, all capabilities dropped, RuntimeDefault seccomp, read-only root file
 * system with a writable /tmp, no service account token), with requests and a memory limit, and
 * startup, readiness and liveness probes on `/healthz`. The image is written as given: the pipeline
 * passes `repo:tag@sha256:…`, so the digest pins what runs and the tag tells people what it is.
 * @example renderDeployment(spec, { image: 'registry.local/notes:1' }, defaultRenderSettings()).spec.replicas // 1
 */
export function renderDeployment(spec: AppSpec, input: RenderInput, settings: RenderSettings) {
  const { app, image, labels } = renderTarget(spec, input);
  const description = descriptionAnnotation(spec.description, settings.engine.substitutesVariables);
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: app, namespace: settings.namespace, labels, ...(description === undefined ? {} : { annotations: { [DESCRIPTION_ANNOTATION]: description } }) },
    spec: {
      replicas: 1,
      revisionHistoryLimit: 3,
      selector: { matchLabels: selectorLabels(app) },
      template: {
        metadata: { labels: { ...labels }, ...(input.config ? { annotations: { [CONFIG_CHECKSUM_ANNOTATION]: input.config.checksum } } : {}) },
        spec: podSpec(spec, app, image, settings, input),
      },
    },
  } satisfies IDeployment;
}

function podSpec(spec: AppSpec, app: string, image: string, settings: RenderSettings, input: RenderInput) {
  const volumes: IVolume[] = [{ name: 'tmp', emptyDir: {} }];
  const volumeMounts: IVolumeMount[] = [{ name: 'tmp', mountPath: '/tmp' }];
  const env: IEnvVar[] = [{ name: 'PORT', value: String(spec.port) }];
  if (spec.persistent) {
    // An emptyDir survives container restarts but not rescheduling; a PersistentVolumeClaim replaces it later.
    volumes.push({ name: 'data', emptyDir: {} });
    volumeMounts.push({ name: 'data', mountPath: DATA_DIR });
    env.push({ name: 'DATA_DIR', value: DATA_DIR });
  }
  if (needsDatabase(spec)) env.push(databaseUrlEnv(app));
  const config = input.config;
  for (const name of Object.keys(config?.settings ?? {}).sort()) env.push({ name, value: config!.settings[name]! });
  // Each secret by name from the app's Secret: a key missing from it fails the pod's start loudly.
  for (const name of [...(config?.secrets ?? [])].sort()) env.push({ name, valueFrom: { secretKeyRef: { name: appSecretName(app), key: name } } });
  const container = {
    name: app,
    image,
    // A digest never changes, so there is nothing to re-pull; tags keep Kubernetes' default policy.
    ...(image.includes('@sha256:') ? { imagePullPolicy: 'IfNotPresent' as const } : {}),
    ports: [{ name: 'http', containerPort: spec.port, protocol: 'TCP' }],
    env,
    // Up to two minutes to start: a Raspberry Pi may need a while to start Node, and probing every
    // 2 s makes the app ready as soon as it answers. Liveness starts only after this succeeds.
    startupProbe: probe({ periodSeconds: 2, timeoutSeconds: 2, failureThreshold: 60 }),
    readinessProbe: probe({ periodSeconds: 5, timeoutSeconds: 2, failureThreshold: 3 }),
    // Generous on purpose: a restart loop on a busy Pi helps no one.
    livenessProbe: probe({ periodSeconds: 20, timeoutSeconds: 3, failureThreshold: 3 }),
    resources: {
      requests: { cpu: settings.resources.requests.cpu, memory: settings.resources.requests.memory },
      limits: { memory: settings.resources.limits.memory },
    },
    securityContext: restrictedContainer(APP_UID),
    volumeMounts,
  } satisfies IContainer;
  return {
    // Apps never talk to the Kubernetes API; no token, no service-link environment noise.
    automountServiceAccountToken: false,
    enableServiceLinks: false,
    ...restrictedPod(APP_UID),
    // A private app behind oauth2-proxy: the proxy comes first in the pod's traffic, second in its containers.
    containers: input.accessProxy ? [container, accessProxyContainer(app, spec.port, input.accessProxy)] : [container],
    volumes: input.accessProxy ? [...volumes, ...accessProxyVolumes(app, input.accessProxy)] : volumes,
  } satisfies IPodSpec;
}

/** How often a probe runs and how many failures it takes; the rest of a probe is the same for all three. */
interface ProbeTiming {
  initialDelaySeconds?: number;
  periodSeconds: number;
  timeoutSeconds: number;
  failureThreshold: number;
}

function probe(timing: ProbeTiming) {
  const { initialDelaySeconds, periodSeconds, timeoutSeconds, failureThreshold } = timing;
  return {
    httpGet: { path: '/healthz', port: 'http' },
    ...(initialDelaySeconds === undefined ? {} : { initialDelaySeconds }),
    periodSeconds,
    timeoutSeconds,
    failureThreshold,
  } satisfies IProbe;
}
