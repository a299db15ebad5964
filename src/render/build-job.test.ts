import { describe, expect, it } from 'vitest';
import { buildJobName, renderBuildJob, type BuildJobInput, type BuildJobSettings } from './build-job.ts';
import { podSecurityProblems } from './pod-security.ts';
import { formatProblem, validateObjects } from './validate/index.ts';
import { toYaml } from './yaml-writer.ts';

const COMMIT = 'a3f5c2b9d1e0f4a7b6c5d4e3f2a1b0c9d8e7f6a5';
const input: BuildJobInput = {
  app: 'boxed',
  runId: 'run-20261206093000-k3x9qz',
  source: { url: 'https://git.lan/homelab/apps.git', commit: COMMIT, path: 'boxed' },
  dockerfile: 'Dockerfile',
  ref: 'registry.lan:5000/dynamic-apps/boxed:v1.0.0-a3f5c2b-prod',
  insecure: false,
  platforms: ['linux/arm64'],
  labels: { 'org.opencontainers.image.title': 'boxed', 'org.opencontainers.image.revision': COMMIT },
};
const settings: BuildJobSettings = {
  namespace: 'slipway-builds',
  image: 'docker.io/moby/buildkit:v0.32.2-rootless',
  registrySecret: 'slipway-registry-push',
  timeoutSeconds: 900,
  resources: { requests: { cpu: '500m', memory: '512Mi' }, limits: { memory: '2Gi' } },
};

describe('renderBuildJob', () => {
  it('is a Job Kubernetes accepts, named after the app and the run', () => {
    const job = renderBuildJob(input, settings);
    expect(validateObjects([job]).map(formatProblem)).toEqual([]);
    expect(job.metadata).toEqual({
      name: 'boxed-build-k3x9qz', namespace: 'slipway-builds',
      labels: { 'app.kubernetes.io/name': 'boxed', 'app.kubernetes.io/component': 'build', 'app.kubernetes.io/managed-by': 'slipway', 'slipway.dev/run': input.runId },
    });
    expect(job.spec).toMatchObject({ backoffLimit: 0, activeDeadlineSeconds: 900, ttlSecondsAfterFinished: 3600 });
    expect(job.spec.template.metadata.labels).toEqual(job.metadata.labels);
  });

  it('builds the source repo at the run commit with the Dockerfile frontend and pushes the image', () => {
    const container = renderBuildJob(input, settings).spec.template.spec.containers[0]!;
    expect(container.image).toBe(settings.image);
    expect(container.command).toEqual(['buildctl-daemonless.sh']);
    expect(container.args).toEqual([
      'build', '--progress', 'plain', '--frontend', 'dockerfile.v0',
      '--opt', `context=https://git.lan/homelab/apps.git#${COMMIT}:boxed`,
      '--opt', 'filename=Dockerfile',
      '--opt', 'platform=linux/arm64',
      '--opt', `label:org.opencontainers.image.revision=${COMMIT}`,
      '--opt', 'label:org.opencontainers.image.title=boxed',
      '--output', 'type=image,name=registry.lan:5000/dynamic-apps/boxed:v1.0.0-a3f5c2b-prod,push=true',
    ]);
    expect(container.env).toEqual([
      { name: 'BUILDKITD_FLAGS', value: '--oci-worker-no-process-sandbox' },
      { name: 'DOCKER_CONFIG', value: '/home/user/.docker' },
    ]);
    expect(container.resources).toEqual(settings.resources);
  });

  it('pushes with the registry Secret mounted as BuildKit\'s docker config, and reads a private repo with the git Secret\'s token', () => {
    const job = renderBuildJob({ ...input, insecure: true }, { ...settings, gitSecret: 'apps-repo-token' });
    const pod = job.spec.template.spec;
    const container = pod.containers[0]!;
    expect(pod.volumes).toContainEqual({ name: 'registry-login', secret: { secretName: 'slipway-registry-push', items: [{ key: '.dockerconfigjson', path: 'config.json' }] } });
    expect(container.volumeMounts).toContainEqual({ name: 'registry-login', mountPath: '/home/user/.docker', readOnly: true });
    expect(container.env).toContainEqual({ name: 'GIT_AUTH_TOKEN', valueFrom: { secretKeyRef: { name: 'apps-repo-token', key: 'token' } } });
    expect(container.args).toEqual(expect.arrayContaining(['--secret', 'id=GIT_AUTH_TOKEN,env=GIT_AUTH_TOKEN']));
    expect(container.args.at(-1)).toBe('type=image,name=registry.lan:5000/dynamic-apps/boxed:v1.0.0-a3f5c2b-prod,push=true,registry.insecure=true');
    expect(validateObjects([job]).map(formatProblem)).toEqual([]);
  });

  it('is as restricted as rootless BuildKit allows, and relaxes exactly what its docs require', () => {
    const pod = renderBuildJob(input, settings).spec.template.spec;
    const container = pod.containers[0]!;
    expect(pod.restartPolicy).toBe('Never');
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(pod.securityContext).toEqual({ runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000, fsGroup: 1000 });
    expect(pod).not.toHaveProperty('hostNetwork');
    expect(pod).not.toHaveProperty('hostPID');
    expect(pod).not.toHaveProperty('hostIPC');
    const context = container.securityContext;
    expect(context.runAsNonRoot).toBe(true);
    expect(context.runAsUser).toBe(1000);
    expect(context.runAsGroup).toBe(1000);
    expect(context.privileged).toBe(false);
    expect(context.capabilities).toEqual({ drop: ['ALL'], add: ['SETUID', 'SETGID'] });
    // The relaxations rootless BuildKit needs, and nothing more (see buildkitSecurityContext).
    expect(context.allowPrivilegeEscalation).toBe(true);
    expect(context.seccompProfile).toEqual({ type: 'Unconfined' });
    expect(context.appArmorProfile).toEqual({ type: 'Unconfined' });
    expect(podSecurityProblems(pod)).toEqual([
      'container buildkit: allowPrivilegeEscalation is not false',
      'container buildkit: adds capabilities SETUID, SETGID',
      'container buildkit: seccompProfile is not RuntimeDefault or Localhost',
    ]);
    // Only a Secret and an emptyDir: no host paths.
    expect(pod.volumes.map((v) => Object.keys(v).filter((k) => k !== 'name'))).toEqual([['secret'], ['emptyDir']]);
  });

  it('renders the same YAML for the same build', () => {
    expect(toYaml(renderBuildJob(input, settings))).toBe(toYaml(renderBuildJob({ ...input, labels: Object.fromEntries(Object.entries(input.labels).reverse()) }, settings)));
  });
});

describe('buildJobName', () => {
  it('is a DNS label for the longest app name, and differs between runs', () => {
    const long = 'a'.repeat(40);
    expect(buildJobName(long, 'run-20261206093000-k3x9qz')).toMatch(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/);
    expect(buildJobName('boxed', 'run-20261206093000-k3x9qz')).not.toBe(buildJobName('boxed', 'run-20261206093001-p0p0p0'));
  });
});
