import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { CancelledError, ConfigError, ExternalServiceError } from '../../domain/errors.ts';
import type { BuildRequest } from '../../ports/index.ts';
import { startKubeApiServer, type KubeApiServer, type KubeObject } from '../../../test/support/kube-api-server.ts';
import { startRegistry, type RegistryServer } from '../../../test/support/registry-server.ts';
import { pushTinyImage } from '../../../test/support/tiny-image.ts';
import { OciRegistry } from '../registry/index.ts';
import { KubeClient } from '../watcher/index.ts';
import { KubeJobBuilder, rbacProblem } from './kube-job-builder.ts';

const NS = 'slipway-builds';
const COMMIT = '0123456789abcdef0123456789abcdef01234567';
let kube: KubeApiServer;
let registry: RegistryServer;
let oci: OciRegistry;
let runs = 0;

beforeAll(async () => {
  [kube, registry] = await Promise.all([startKubeApiServer(), startRegistry({ mode: 'plain' })]);
  oci = new OciRegistry({ insecureRegistries: [registry.host] });
});
afterAll(async () => {
  oci?.close();
  await Promise.all([kube?.stop(), registry?.stop()]);
});

const settings = { namespace: NS, image: 'docker.io/moby/buildkit:v0.32.2-rootless', registrySecret: 'slipway-registry-push', timeoutSeconds: 600, resources: { requests: { cpu: '500m' } } };

function builderFor(server: KubeApiServer) {
  return new KubeJobBuilder({ kube: new KubeClient({ apiServer: server.url, token: server.token, ...(server.ca ? { ca: server.ca } : {}) }), registry: oci, settings, pollMs: 50 });
}

/** A build request as the image:build step makes it, for a fresh run; its log lines are collected. */
function request(app = 'boxed') {
  const runId = `run-20261206100000-${String(++runs).padStart(6, 'q')}`;
  const lines: string[] = [];
  const req: BuildRequest = {
    contextDir: '/nowhere/on/this/machine', base: 'unused', platforms: ['linux/amd64'], workdir: '/app', entrypoint: [],
    target: { kind: 'registry', ref: { registry: registry.host, repository: `dynamic-apps/${app}`, tag: `v1.0.0-0123456-prod-${runs}` } },
    insecure: true, labels: { 'org.opencontainers.image.revision': COMMIT },
    source: { app, runId, url: 'https://git.lan/homelab/apps.git', commit: COMMIT, path: app },
    onLog: (line) => lines.push(line),
  };
  return { req, lines, job: `${app}-build-${runId.slice(-6)}` };
}

/** Waits until `condition` holds, as the build moves on in the background. */
const waitFor = (condition: () => boolean, options: { timeoutMs: number }) =>
  vi.waitFor(() => {
    if (!condition()) throw new Error('not yet');
  }, { timeout: options.timeoutMs, interval: 20 });

/** Waits for Slipway to create the Job, then returns it as the API server stored it. */
async function created(name: string): Promise<KubeObject> {
  await waitFor(() => kube.get('batch/v1', 'Job', NS, name) !== undefined, { timeoutMs: 10_000 });
  return kube.get('batch/v1', 'Job', NS, name)!;
}

describe('KubeJobBuilder', () => {
  it('creates the Job for the commit, streams its log into the run, and returns the digest BuildKit pushed', async () => {
    const { req, lines, job } = request();
    const building = builderFor(kube).build(req);
    const object = await created(job);
    const container = (object.spec as any).template.spec.containers[0];
    expect(container.args).toEqual(expect.arrayContaining([`context=https://git.lan/homelab/apps.git#${COMMIT}:boxed`]));
    expect(container.args.at(-1)).toBe(`type=image,name=${registry.host}/dynamic-apps/boxed:${req.target.kind === 'registry' ? req.target.ref.tag : ''},push=true,registry.insecure=true`);
    // The Job controller and the kubelet: a pod runs BuildKit, which prints and pushes.
    const pod = kube.jobs.startPod(NS, job);
    kube.appendLog(NS, pod, '#1 [internal] load git source https://git.lan/homelab/apps.git');
    await waitFor(() => lines.some((line) => line.startsWith('#1 ')), { timeoutMs: 10_000 });
    kube.appendLog(NS, pod, '#9 exporting to image');
    const pushed = await pushTinyImage(oci, registry.host, 'dynamic-apps/boxed', (req.target as { ref: { tag: string } }).ref.tag, `build ${job}`);
    kube.appendLog(NS, pod, '#9 pushing layers done');
    kube.jobs.finishJob(NS, job, 'Complete');
    const result = await building;
    expect(result).toMatchObject({ digest: pushed, image: `${registry.host}/dynamic-apps/boxed@${pushed}`, platforms: ['linux/amd64'] });
    expect(lines[0]).toBe(`build Job ${NS}/${job} created: BuildKit builds https://git.lan/homelab/apps.git at 0123456 (boxed/Dockerfile) and pushes ${registry.host}/dynamic-apps/boxed:${(req.target as { ref: { tag: string } }).ref.tag}`);
    expect(lines.slice(1)).toEqual(['#1 [internal] load git source https://git.lan/homelab/apps.git', '#9 exporting to image', '#9 pushing layers done']);
    const post = kube.requests.find((r) => r.method === 'POST');
    expect(post).toMatchObject({ path: `/apis/batch/v1/namespaces/${NS}/jobs`, status: 201 });
  });

  it('fails naming the Job, the controller\'s reason and the build\'s last lines', async () => {
    const { req, job } = request('broken');
    const building = builderFor(kube).build(req).catch((error: unknown) => error);
    await created(job);
    const pod = kube.jobs.startPod(NS, job);
    for (const line of ['#5 [2/3] RUN npm ci', 'npm ERR! missing script: build', '#5 ERROR: process "/bin/sh -c npm ci" did not complete successfully: exit code: 1']) kube.appendLog(NS, pod, line);
    await new Promise((resolve) => setTimeout(resolve, 200));
    kube.jobs.finishJob(NS, job, 'Failed');
    const error = await building;
    expect(error).toBeInstanceOf(ExternalServiceError);
    expect((error as Error).message).toBe([
      `kubernetes: the build Job ${NS}/${job} failed: BackoffLimitExceeded: Job has reached the specified backoff limit`,
      'last lines of its log:',
      '  #5 [2/3] RUN npm ci',
      '  npm ERR! missing script: build',
      '  #5 ERROR: process "/bin/sh -c npm ci" did not complete successfully: exit code: 1',
    ].join('\n'));
    expect((error as ExternalServiceError).hint).toContain(`kubectl logs -n ${NS} job/${job}`);
  });

  it('says why the build pod never ran when the Job runs out of time', async () => {
    const { req, lines, job } = request('stuck');
    const building = builderFor(kube).build(req).catch((error: unknown) => error);
    await created(job);
    kube.jobs.startPod(NS, job, { waiting: { reason: 'ImagePullBackOff', message: 'Back-off pulling image "docker.io/moby/buildkit:v0.32.2-rootless"' } });
    await waitFor(() => lines.some((line) => line.includes('ImagePullBackOff')), { timeoutMs: 10_000 });
    kube.jobs.finishJob(NS, job, 'Failed', { reason: 'DeadlineExceeded', message: 'Job was active longer than specified deadline' });
    const error = (await building) as ExternalServiceError;
    expect(error.message).toBe(`kubernetes: the build Job ${NS}/${job} failed: DeadlineExceeded: Job was active longer than specified deadline; its pod was ImagePullBackOff: Back-off pulling image "docker.io/moby/buildkit:v0.32.2-rootless"`);
    expect(error.hint).toContain('build.cluster.image');
  });

  it('reads the log of a build that ended before it could be followed', async () => {
    const { req, lines, job } = request('quick');
    // Read rarely: the pod comes and goes between two reads of the Job.
    const builder = new KubeJobBuilder({ kube: new KubeClient({ apiServer: kube.url, token: kube.token, ca: kube.ca! }), registry: oci, settings, pollMs: 1500 });
    const building = builder.build(req);
    await created(job);
    // After the builder's first look for the Job's pod (there was none yet), before its next.
    await waitFor(() => kube.requests.some((r) => r.path.includes(`job-name%3D${job}`)), { timeoutMs: 10_000 });
    const pod = kube.jobs.startPod(NS, job);
    kube.appendLog(NS, pod, '#1 done quickly');
    await pushTinyImage(oci, registry.host, 'dynamic-apps/quick', (req.target as { ref: { tag: string } }).ref.tag, `build ${job}`);
    kube.jobs.finishJob(NS, job, 'Complete');
    await building;
    expect(lines.slice(1)).toEqual(['#1 done quickly']);
    expect(kube.requests.filter((r) => r.path.includes(`/pods/${pod}/log`)).map((r) => r.path)).toEqual([`/api/v1/namespaces/${NS}/pods/${pod}/log?container=buildkit&tailLines=500`]);
  });

  it('says why the build pod stays Pending when no node has room for it', async () => {
    const { req, lines, job } = request('big');
    const building = builderFor(kube).build(req).catch((error: unknown) => error);
    await created(job);
    const pod = kube.jobs.startPod(NS, job, { waiting: { reason: 'ContainerCreating', message: '' } });
    kube.update('v1', 'Pod', NS, pod, (object) => {
      object.status = { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: '0/3 nodes are available: 3 Insufficient memory.' }] };
    });
    await waitFor(() => lines.some((line) => line.includes('Unschedulable')), { timeoutMs: 10_000 });
    kube.jobs.finishJob(NS, job, 'Failed', { reason: 'DeadlineExceeded', message: 'Job was active longer than specified deadline' });
    const error = (await building) as ExternalServiceError;
    expect(error.message).toContain('; its pod was Unschedulable: 0/3 nodes are available: 3 Insufficient memory.');
    expect(error.hint).toContain('lower build.cluster.resources');
  });

  it('gives up at once, and deletes the Job, when its pod can never start', async () => {
    const { req, job } = request('badimage');
    const building = builderFor(kube).build(req).catch((error: unknown) => error);
    await created(job);
    kube.jobs.startPod(NS, job, { waiting: { reason: 'InvalidImageName', message: 'Failed to apply default image tag "docker.io/moby/BuildKit": invalid reference format' } });
    const error = (await building) as ExternalServiceError;
    expect(error.message).toBe(`kubernetes: the build Job ${NS}/${job} failed: its pod cannot start, so the Job was deleted; its pod was InvalidImageName: Failed to apply default image tag "docker.io/moby/BuildKit": invalid reference format`);
    expect(kube.get('batch/v1', 'Job', NS, job)).toBeUndefined();
  });

  it('deletes the Job and its pod when the run is cancelled', async () => {
    const { req, job } = request('cancelled');
    const controller = new AbortController();
    const building = builderFor(kube).build(req, controller.signal).catch((error: unknown) => error);
    await created(job);
    const pod = kube.jobs.startPod(NS, job);
    await waitFor(() => kube.requests.some((r) => r.path.includes(`/pods/${pod}/log`)), { timeoutMs: 10_000 });
    controller.abort();
    const error = await building;
    expect(error).toBeInstanceOf(CancelledError);
    expect((error as Error).message).toContain(`the build Job ${NS}/${job} was deleted`);
    expect(kube.requests).toContainEqual({ method: 'DELETE', path: `/apis/batch/v1/namespaces/${NS}/jobs/${job}`, status: 200 });
    expect(kube.get('batch/v1', 'Job', NS, job)).toBeUndefined();
    expect(kube.get('v1', 'Pod', NS, pod)).toBeUndefined();
  });

  it('names the RBAC rule that is missing when the API server forbids Jobs', async () => {
    const forbidding = await startKubeApiServer({ tls: false, forbidden: ['jobs'] });
    try {
      const error = await builderFor(forbidding).build(request('denied').req).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as Error).message).toMatch(/^Slipway may not create the build Job slipway-builds\/denied-build-\w+: jobs.batch is forbidden: User "system:serviceaccount:slipway:slipway" cannot create resource "jobs" in API group "batch"/);
      expect((error as ConfigError).hint).toContain('lacks the rule verbs [create] on jobs in API group batch');
      expect((error as ConfigError).hint).toContain('slipway-builder');
    } finally {
      await forbidding.stop();
    }
  });

  it('refuses a build that has no source commit to build from', async () => {
    const { req } = request('nowhere');
    delete req.source;
    await expect(builderFor(kube).build(req)).rejects.toThrow(/needs the commit its source is in/);
  });
});

describe('rbacProblem', () => {
  it('reads the verb, resource and group from the API server\'s message', () => {
    expect(rbacProblem('pods "x" is forbidden: User "u" cannot get resource "pods/log" in API group "" in the namespace "n"')).toBe('the rule verbs [get] on pods/log in API group "" (core)');
    expect(rbacProblem('something else')).toBe('a rule this request needs');
  });
});
