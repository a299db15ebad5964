import type { IJob } from 'kubernetes-models/batch/v1/Job';
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { IEnvVar } from 'kubernetes-models/v1/EnvVar';
import type { IResourceRequirements } from 'kubernetes-models/v1/ResourceRequirements';
import type { ISecurityContext } from 'kubernetes-models/v1/SecurityContext';
import { LABEL_MANAGED_BY, LABEL_NAME, MANAGED_BY } from './labels.ts';

/** The user the rootless BuildKit image runs as (its `user` account; the image maps it to root inside builds). */
export const BUILDKIT_UID = 1000;
/** The build container's name: the pod log Slipway follows is this container's. */
export const BUILD_CONTAINER = 'buildkit';
/** Labels linking a build Job (and its pod) to the app and the run that asked for it. */
export const LABEL_COMPONENT = 'app.kubernetes.io/component';
export const LABEL_RUN = 'slipway.dev/run';
/** How long a finished build Job stays for `kubectl logs` before Kubernetes removes it. */
export const BUILD_JOB_TTL_SECONDS = 3600;

const HOME = '/home/user';

/** Where a cluster build runs and with what: `build.cluster` in slipway.yaml. */
export interface BuildJobSettings {
  namespace: string;
  /** The rootless BuildKit image, e.g. `docker.io/moby/buildkit:v0.32.2-rootless` (best pinned with `@sha256:`). */
  image: string;
  /** A `kubernetes.io/dockerconfigjson` Secret in `namespace` holding the login to push with. */
  registrySecret: string;
  /** A Secret in `namespace` whose key `token` is an HTTPS token for the source repo (absent: a public repo). */
  gitSecret?: string;
  timeoutSeconds: number;
  resources: IResourceRequirements;
}

/** One Dockerfile build: what to build from (the source repo at a commit) and where to push it. */
export interface BuildJobInput {
  app: string;
  runId: string;
  /** The source repo's HTTPS URL (without credentials), the commit the run made, and the app's folder in it. */
  source: { url: string; commit: string; path: string };
  /** Dockerfile path inside the app's folder. */
  dockerfile: string;
  /** `registry/repository:tag` to push to. */
  ref: string;
  /** Plain-HTTP registry. */
  insecure: boolean;
  platforms: string[];
  /** OCI labels added to the image (sorted when rendered). */
  labels: Record<string, string>;
}

/**
 * The Job's name: `<app>-build-<the run id's random end>`, a DNS label (apps are at most 40
 * characters) that tells people which app and run a Job is for, and differs between runs.
 * @example buildJobName('notes', 'run-20260101120000-ab12cd') // 'notes-build-ab12cd'
 */
export function buildJobName(app: string, runId: string): string {
  const suffix = runId.slice(-6).toLowerCase().replace(/[^a-z0-9]/g, '0');
  return `${app.slice(0, 63 - '-build-'.length - suffix.length)}-build-${suffix}`;
}

/**
 * BuildKit's git context: `<url>#<commit>:<folder>`, so the build reads the source repo at the very
 * commit the run made, not whatever the branch or this machine's folder holds later.
 * @example gitContext({ url: 'https://git.lan/apps.git', commit: 'abc…', path: 'notes' }) // 'https://git.lan/apps.git#abc…:notes'
 */
export function gitContext(source: BuildJobInput['source']): string {
  return `${source.url}#${source.commit}:${source.path}`;
}

/**
 * The security context rootless BuildKit can run with, which is as far as BuildKit allows from the
 * restricted Pod Security Standard (see BuildKit's docs/rootless.md and examples/kubernetes):
 * - non-root (uid/gid 1000), never privileged, every capability dropped except SETUID and SETGID;
 * - `allowPrivilegeEscalation` is left true: rootlesskit maps the build's user namespace with
 *   `newuidmap`/`newgidmap`, which gain their rights from file capabilities, and no_new_privs
 *   (what `false` sets) would strip those — the same reason SETUID/SETGID stay in the bounding set;
 * - seccomp and AppArmor are `Unconfined`: builds call `unshare` and `mount` (for RUN steps and the
 *   snapshotter) that the runtime's default profiles refuse.
 * `BUILDKITD_FLAGS=--oci-worker-no-process-sandbox` (see the container's env) spares the one more
 * relaxation Docker needs (unmasked /proc), at the cost of build steps sharing the daemon's PID namespace.
 */
export function buildkitSecurityContext() {
  return {
    runAsNonRoot: true,
    runAsUser: BUILDKIT_UID,
    runAsGroup: BUILDKIT_UID,
    privileged: false,
    allowPrivilegeEscalation: true,
    capabilities: { drop: ['ALL'], add: ['SETUID', 'SETGID'] },
    seccompProfile: { type: 'Unconfined' },
    appArmorProfile: { type: 'Unconfined' },
  } satisfies ISecurityContext;
}

/** `buildctl-daemonless.sh` arguments: the Dockerfile frontend on the git context, pushing the image. */
export function buildctlArgs(input: BuildJobInput, withGitToken: boolean): string[] {
  const output = ['type=image', `name=${input.ref}`, 'push=true', ...(input.insecure ? ['registry.insecure=true'] : [])].join(',');
  const labels = Object.keys(input.labels).sort().flatMap((key) => ['--opt', `label:${key}=${input.labels[key]}`]);
  return [
    'build',
    // One line per build event: the log Slipway follows reads as it would in a terminal, without redraws.
    '--progress', 'plain',
    '--frontend', 'dockerfile.v0',
    '--opt', `context=${gitContext(input.source)}`,
    '--opt', `filename=${input.dockerfile}`,
    ...(input.platforms.length > 0 ? ['--opt', `platform=${input.platforms.join(',')}`] : []),
    ...labels,
    // BuildKit reads an HTTPS token for git contexts from the secret named GIT_AUTH_TOKEN.
    ...(withGitToken ? ['--secret', 'id=GIT_AUTH_TOKEN,env=GIT_AUTH_TOKEN'] : []),
    '--output', output,
  ];
}

/**
 * The Kubernetes Job that builds an app's Dockerfile in the cluster with rootless BuildKit, from the
 * source repo at the run's commit, and pushes the image with the login of `registrySecret` (mounted
 * as BuildKit's ~/.docker/config.json). It runs once (`backoffLimit: 0`: a failed build is reported,
 * not retried), is stopped after `timeoutSeconds`, and is removed an hour after it ends.
 * @example renderBuildJob(input, settings).metadata.name // 'notes-build-ab12cd'
 */
export function renderBuildJob(input: BuildJobInput, settings: BuildJobSettings) {
  const name = buildJobName(input.app, input.runId);
  const labels = { [LABEL_NAME]: input.app, [LABEL_COMPONENT]: 'build', [LABEL_MANAGED_BY]: MANAGED_BY, [LABEL_RUN]: input.runId };
  const env: IEnvVar[] = [
    { name: 'BUILDKITD_FLAGS', value: '--oci-worker-no-process-sandbox' },
    { name: 'DOCKER_CONFIG', value: `${HOME}/.docker` },
    ...(settings.gitSecret ? [{ name: 'GIT_AUTH_TOKEN', valueFrom: { secretKeyRef: { name: settings.gitSecret, key: 'token' } } }] : []),
  ];
  const container = {
    name: BUILD_CONTAINER,
    image: settings.image,
    command: ['buildctl-daemonless.sh'],
    args: buildctlArgs(input, settings.gitSecret !== undefined),
    env,
    resources: settings.resources,
    securityContext: buildkitSecurityContext(),
    volumeMounts: [
      { name: 'registry-login', mountPath: `${HOME}/.docker`, readOnly: true },
      // BuildKit's state must be a real volume: the image's own VOLUME does not work rootless on some nodes.
      { name: 'buildkitd', mountPath: `${HOME}/.local/share/buildkit` },
    ],
  } satisfies IContainer;
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name, namespace: settings.namespace, labels },
    spec: {
      backoffLimit: 0,
      activeDeadlineSeconds: settings.timeoutSeconds,
      ttlSecondsAfterFinished: BUILD_JOB_TTL_SECONDS,
      template: {
        metadata: { labels },
        spec: {
          restartPolicy: 'Never',
          // The build talks to the git host and the registry only; it needs no Kubernetes API token.
          automountServiceAccountToken: false,
          securityContext: { runAsNonRoot: true, runAsUser: BUILDKIT_UID, runAsGroup: BUILDKIT_UID, fsGroup: BUILDKIT_UID },
          containers: [container],
          volumes: [
            { name: 'registry-login', secret: { secretName: settings.registrySecret, items: [{ key: '.dockerconfigjson', path: 'config.json' }] } },
            { name: 'buildkitd', emptyDir: {} },
          ],
        },
      },
    },
  } satisfies IJob;
}
