import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OciRegistry } from '../../src/adapters/registry/index.ts';
import { runCli, spawnCli, tempHome } from '../support/cli.ts';
import { startFakeFluxReceiver, type FakeFluxReceiver } from '../support/flux-receiver.ts';
import { startGitHttpServer, type GitHttpServer } from '../support/git-server.ts';
import { kubeFixture, startKubeApiServer, type KubeApiServer, type KubeObject } from '../support/kube-api-server.ts';
import { startRegistry, type RegistryServer } from '../support/registry-server.ts';
import { pushTinyImage } from '../support/tiny-image.ts';

type Obj = KubeObject & { status: Record<string, any> };
const TOKEN = 'receiver-hmac-token-for-build-tests';
const GIT_TOKEN = 'git-token-for-build-tests-7c2a';
const BUILDS = 'slipway-builds';
let git: GitHttpServer;
let repos = 0;
let registry: RegistryServer;
let oci: OciRegistry;
let receiver: FakeFluxReceiver;
let kube: KubeApiServer;
let app: Server;
let appUrl: string;

beforeAll(async () => {
  [registry, git, receiver, kube] = await Promise.all([
    startRegistry({ mode: 'plain' }),
    startGitHttpServer({ auth: { username: 'x-access-token', password: GIT_TOKEN } }),
    startFakeFluxReceiver({ token: TOKEN, name: 'homelab-git-receiver', namespace: 'flux-system', type: 'github' }),
    startKubeApiServer({ tls: false }),
  ]);
  oci = new OciRegistry({ insecureRegistries: [registry.host] });
  app = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end('built in the cluster\n'));
  await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
  appUrl = `http://127.0.0.1:${(app.address() as { port: number }).port}`;
});
afterAll(async () => {
  oci?.close();
  await Promise.all([registry?.stop(), git?.stop(), receiver?.close(), kube?.stop(), new Promise((r) => app?.close(r))]);
});

/** Plays Flux and the cluster once the receiver is called: the app's objects reach the pushed revision and are ready. */
function playFlux(): () => void {
  const timer = setInterval(() => {
    const hook = receiver.accepted.at(-1);
    if (!hook) return;
    const revision = JSON.parse(hook.body).after as string;
    clearInterval(timer);
    const repo = kubeFixture<Obj>('gitrepository');
    repo.status.artifact.revision = `main@sha1:${revision}`;
    kube.put(repo);
    const ks = kubeFixture<Obj>('kustomization-ready');
    ks.status.lastAttemptedRevision = ks.status.lastAppliedRevision = `main@sha1:${revision}`;
    kube.after(200, () => kube.put(ks));
    kube.after(300, () => {
      kube.put(kubeFixture('deployment-available'));
      kube.put(kubeFixture('replicaset'));
      kube.put(kubeFixture('pod-running'));
    });
  }, 20);
  return () => clearInterval(timer);
}

/**
 * Plays the Job controller and BuildKit for the next build Job Slipway creates: its pod prints
 * `lines`, and then (success) the image is pushed to the test registry as BuildKit would push it,
 * under the name the Job's `--output` gives, or (failure) the Job fails.
 */
function playBuild(outcome: 'Complete' | 'Failed', lines: string[]): { stop: () => void; job: Promise<{ name: string; args: string[]; pushed?: string }> } {
  const known = new Set(kube.all('batch/v1', 'Job', BUILDS).map((j) => j.metadata.name));
  let timer: NodeJS.Timeout | undefined;
  const job = new Promise<{ name: string; args: string[]; pushed?: string }>((resolve, reject) => {
    timer = setInterval(() => {
      const found = kube.all('batch/v1', 'Job', BUILDS).find((j) => !known.has(j.metadata.name));
      if (!found) return;
      clearInterval(timer);
      const name = found.metadata.name;
      const args = (found.spec as any).template.spec.containers[0].args as string[];
      const pod = kube.jobs.startPod(BUILDS, name);
      void (async () => {
        for (const line of lines) kube.appendLog(BUILDS, pod, line);
        await new Promise((r) => setTimeout(r, 300));
        let pushed: string | undefined;
        if (outcome === 'Complete') {
          const output = /name=([^,]+)/.exec(args.at(-1)!)![1]!;
          const [, host, repository, tag] = /^([^/]+)\/(.+):([^:]+)$/.exec(output)!;
          pushed = await pushTinyImage(oci, host!, repository!, tag!, `built by ${name}`);
        }
        kube.jobs.finishJob(BUILDS, name, outcome);
        resolve({ name, args, ...(pushed ? { pushed } : {}) });
      })().catch(reject);
    }, 20);
  });
  return { stop: () => clearInterval(timer), job };
}

/** A cluster home whose Dockerfile apps build in the cluster; the source and GitOps repos are on the test Git host. */
async function clusterHome(kubeUrl = kube.url) {
  const opts = tempHome('slipway-cluster-build-');
  const { dir: source, url: sourceUrl } = await git.createRepo(`apps-${++repos}.git`, 'main');
  const { dir: gitops, url: gitopsUrl } = await git.createRepo(`homelab-${repos}.git`, 'main');
  mkdirSync(opts.home, { recursive: true });
  writeFileSync(join(opts.cwd, 'kubeconfig'), [
    'apiVersion: v1', 'kind: Config', 'current-context: lab',
    'clusters:', '- name: lab', '  cluster:', `    server: ${kubeUrl}`,
    'users:', '- name: slipway', '  user:', `    token: ${kube.token}`,
    'contexts:', '- name: lab', '  context: { cluster: lab, user: slipway }',
  ].join('\n') + '\n');
  writeFileSync(join(opts.cwd, 'slipway.yaml'), [
    'target: cluster',
    'git:',
    '  source:', `    url: ${sourceUrl}`, '    https:', '      token: { env: GIT_TOKEN }',
    '  gitops:', `    url: ${gitopsUrl}`, '    https:', '      token: { env: GIT_TOKEN }',
    'registry:', `  host: ${registry.host}`, '  insecure: true',
    'image:', '  platforms: [linux/arm64]',
    'build:', '  dockerfile: cluster', '  cluster:', '    gitSecret: apps-repo-token', '    timeoutSeconds: 600',
    'flux:', '  receiver:', `    url: ${receiver.hookUrl}`, '    type: github', '    token: { env: FLUX_RECEIVER_TOKEN }',
    'kube:', '  kubeconfig: ./kubeconfig',
    `publicUrl: ${appUrl}/{app}/`,
    'render:', '  appsDomain: apps.k8s-lab.dev',
    'watch: { source: 30, reconcile: 30, rollout: 30, http: 30 }',
  ].join('\n') + '\n');
  // A folder with a Dockerfile, as a person brings it; the app name is the folder's.
  const folder = join(opts.cwd, 'pomodoro');
  mkdirSync(folder);
  writeFileSync(join(folder, 'server.js'), "require('node:http').createServer((q, s) => s.end('ok')).listen(3000);\n");
  writeFileSync(join(folder, 'Dockerfile'), 'FROM registry.lan/node:24\nCOPY server.js /srv/\nUSER 1000:1000\nEXPOSE 3000\nCMD ["node", "/srv/server.js"]\n');
  return { ...opts, folder, source, sourceUrl, gitops, env: { FLUX_RECEIVER_TOKEN: TOKEN, GIT_TOKEN } };
}

/** The run's log events of a step, from Slipway's state file. */
function stepLogs(home: string, runId: string, stepId: string): string[] {
  const db = new DatabaseSync(join(home, 'state.db'), { readOnly: true });
  try {
    const rows = db.prepare('SELECT event FROM run_events WHERE run_id = ? ORDER BY seq').all(runId) as Array<{ event: string }>;
    return rows.map((row) => JSON.parse(row.event)).filter((e) => e.type === 'log' && e.stepId === stepId).map((e) => e.message as string);
  } finally {
    db.close();
  }
}

describe('slipway create --from a Dockerfile folder, built in the cluster', () => {
  it('builds the commit it made with a BuildKit Job, shows the build log in the run, pins the pushed digest, and rolls out', async () => {
    const opts = await clusterHome();
    const doctor = JSON.parse((await runCli(['doctor', '--json'], opts)).stdout);
    expect(doctor.checks.find((c: { name: string }) => c.name === 'builds')).toEqual({ name: 'builds', status: 'ok', detail: `Dockerfile apps are built by Jobs in ${BUILDS} (docker.io/moby/buildkit:v0.32.2-rootless)` });
    const build = playBuild('Complete', ['#1 [internal] load git source', '#6 [2/3] COPY server.js /srv/', '#8 pushing layers done']);
    const stopFlux = playFlux();
    try {
      const result = await runCli(['create', '--from', opts.folder, '--json'], opts);
      expect(result.code, result.stdout + result.stderr).toBe(0);
      const report = JSON.parse(result.stdout);
      expect(report).toMatchObject({ app: 'pomodoro', status: 'succeeded', version: 'v1.0.0', url: `${appUrl}/pomodoro/` });
      expect(report.timeline.map((s: { stepId: string }) => s.stepId)).toEqual(expect.arrayContaining(['source:commit', 'image:build', 'manifests:commit', 'gitops:sync', 'cluster:await']));
      const job = await build.job;
      // The Job builds the source repo at the commit the run made, the app's folder in it, with the token from its Secret.
      const sourceCommit = execFileSync('git', ['--git-dir', opts.source, 'rev-parse', 'main'], { encoding: 'utf8' }).trim();
      expect(report.commits.source).toBe(sourceCommit);
      expect(job.args).toContain(`context=${opts.sourceUrl}#${sourceCommit}:pomodoro`);
      expect(job.args).toContain('platform=linux/arm64');
      expect(job.args).toContain('id=GIT_AUTH_TOKEN,env=GIT_AUTH_TOKEN');
      expect(job.name).toBe(`pomodoro-build-${report.runId.slice(-6)}`);
      const stored = kube.get('batch/v1', 'Job', BUILDS, job.name)!;
      expect(stored.metadata.labels).toMatchObject({ 'app.kubernetes.io/name': 'pomodoro', 'slipway.dev/run': report.runId });
      // The token reaches the build from its Secret in the cluster, never through the Job.
      expect(JSON.stringify(stored)).not.toContain(GIT_TOKEN);
      expect((stored.spec as any).template.spec.containers[0].env).toContainEqual({ name: 'GIT_AUTH_TOKEN', valueFrom: { secretKeyRef: { name: 'apps-repo-token', key: 'token' } } });
      // The digest BuildKit pushed, read back from the registry, is what the GitOps repo pins.
      const deployment = execFileSync('git', ['--git-dir', opts.gitops, 'show', 'main:kubernetes/apps/dynamic/pomodoro/app/deployment.yaml'], { encoding: 'utf8' });
      expect(deployment).toContain(`${registry.host}/dynamic-apps/pomodoro:v1.0.0-${sourceCommit.slice(0, 7)}-prod@${job.pushed}`);
      // The build's log lines are the run's events, under the build step.
      expect(stepLogs(opts.home, report.runId, 'image:build')).toEqual(expect.arrayContaining([
        expect.stringMatching(new RegExp(`^build Job ${BUILDS}/${job.name} created`)),
        '#1 [internal] load git source', '#6 [2/3] COPY server.js /srv/', '#8 pushing layers done',
      ]));
      expect(JSON.stringify(report)).not.toContain(GIT_TOKEN);
    } finally {
      build.stop();
      stopFlux();
      rmSync(opts.cwd, { recursive: true, force: true });
    }
  });

  it('fails at the build step naming the Job and its last log lines when the build fails', async () => {
    receiver.accepted.length = 0;
    const opts = await clusterHome();
    const build = playBuild('Failed', ['#5 [2/3] RUN npm ci', 'npm ERR! code ENOTFOUND', '#5 ERROR: process "/bin/sh -c npm ci" did not complete successfully: exit code: 1']);
    try {
      const result = await runCli(['create', '--from', opts.folder, '--json'], opts);
      expect(result.code).toBe(1);
      const report = JSON.parse(result.stdout);
      const job = await build.job;
      expect(report.error.stepId).toBe('image:build');
      expect(report.error.message).toContain(`the build Job ${BUILDS}/${job.name} failed: BackoffLimitExceeded`);
      expect(report.error.message).toContain('  npm ERR! code ENOTFOUND');
      expect(report.error.message).toContain('  #5 ERROR: process "/bin/sh -c npm ci" did not complete successfully: exit code: 1');
      expect(report.error.hint).toContain(`kubectl logs -n ${BUILDS} job/${job.name}`);
      expect(receiver.accepted).toHaveLength(0);
    } finally {
      build.stop();
      rmSync(opts.cwd, { recursive: true, force: true });
    }
  });

  it('deletes the build Job, and its pod, when the run is cancelled (Ctrl-C)', async () => {
    const opts = await clusterHome();
    const known = new Set(kube.all('batch/v1', 'Job', BUILDS).map((j) => j.metadata.name));
    const child = spawnCli(['create', '--from', opts.folder, '--json'], opts);
    let stdout = '';
    child.stdout!.on('data', (d) => (stdout += d));
    try {
      let job: KubeObject | undefined;
      for (let i = 0; i < 300 && !job; i++) {
        await new Promise((r) => setTimeout(r, 50));
        job = kube.all('batch/v1', 'Job', BUILDS).find((j) => !known.has(j.metadata.name));
      }
      expect(job, 'the build Job was created').toBeDefined();
      const pod = kube.jobs.startPod(BUILDS, job!.metadata.name);
      kube.appendLog(BUILDS, pod, '#1 [internal] load git source');
      await new Promise((r) => setTimeout(r, 500));
      child.kill('SIGINT');
      await once(child, 'close');
      expect(JSON.parse(stdout)).toMatchObject({ status: 'cancelled' });
      expect(kube.get('batch/v1', 'Job', BUILDS, job!.metadata.name)).toBeUndefined();
      expect(kube.get('v1', 'Pod', BUILDS, pod)).toBeUndefined();
      expect(kube.requests).toContainEqual({ method: 'DELETE', path: `/apis/batch/v1/namespaces/${BUILDS}/jobs/${job!.metadata.name}`, status: 200 });
    } finally {
      child.kill('SIGKILL');
      rmSync(opts.cwd, { recursive: true, force: true });
    }
  });

  it('says which RBAC rule is missing when Slipway may not create Jobs', async () => {
    const forbidding = await startKubeApiServer({ tls: false, token: kube.token, forbidden: ['jobs'] });
    const opts = await clusterHome(forbidding.url);
    try {
      // slipway doctor says it before any run does.
      const doctor = JSON.parse((await runCli(['doctor', '--json'], opts)).stdout);
      const builds = doctor.checks.find((c: { name: string }) => c.name === 'builds');
      expect(builds).toMatchObject({ status: 'fail', detail: expect.stringContaining('cannot list resource "jobs" in API group "batch"') });
      expect(builds.fix).toContain('lacks the rule verbs [list] on jobs in API group batch');
      const result = await runCli(['create', '--from', opts.folder, '--json'], opts);
      expect(result.code).not.toBe(0);
      const report = JSON.parse(result.stdout);
      expect(report.error.stepId).toBe('image:build');
      expect(report.error.message).toContain(`cannot create resource "jobs" in API group "batch" in the namespace "${BUILDS}"`);
      expect(report.error.hint).toContain('lacks the rule verbs [create] on jobs in API group batch');
    } finally {
      await forbidding.stop();
      rmSync(opts.cwd, { recursive: true, force: true });
    }
  });
});
