import { execFileSync } from 'node:child_process';
import { setTimeout as delay } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.ts';
import { startClusterLab, type ClusterLab } from '../support/cluster-lab.ts';
import type { FakeFluxReceiver } from '../support/flux-receiver.ts';
import type { GitHttpServer } from '../support/git-server.ts';
import type { KubeApiServer } from '../support/kube-api-server.ts';
import type { RegistryServer } from '../support/registry-server.ts';

const TOKEN = 'receiver-hmac-token-for-tests';
const GIT_TOKEN = 'gitops-token-for-tests-5f1e';
let lab: ClusterLab;
let git: GitHttpServer;
let registry: RegistryServer;
let receiver: FakeFluxReceiver;
let kube: KubeApiServer;
let appUrl: string;

beforeAll(async () => {
  lab = await startClusterLab({ receiverToken: TOKEN, gitToken: GIT_TOKEN });
  ({ git, registry, receiver, kube, appUrl } = lab);
});
afterAll(async () => {
  await lab?.stop();
});

/** Plays Flux and the cluster (see ClusterLab.playFlux): receiver call `call`, default the latest, becomes healthy or fails. */
const playFlux = (health: 'ready' | 'health-check-failed', call?: number) => lab.playFlux(call, health);

/** A fresh cluster for the next test: Flux's objects of earlier rollouts are gone. */
function forgetRollout(): void {
  const stale: Array<[string, string, string, string]> = [['source.toolkit.fluxcd.io/v1', 'GitRepository', 'flux-system', 'flux-system'], ['kustomize.toolkit.fluxcd.io/v1', 'Kustomization', 'flux-system', 'pomodoro']];
  for (const [apiVersion, kind, namespace, name] of stale) {
    try { kube.remove(apiVersion, kind, namespace, name); } catch { /* not there */ }
  }
}

/** A cluster home: the GitOps repo is served over smart HTTP and wants a token, as a Git host does. */
const clusterHome = (extra: string[] = []) => lab.home('slipway-cluster-', extra);

describe('slipway create --target cluster (Flux)', () => {
  it('commits manifests, calls the receiver with a signed push event, and follows the rollout until the app answers', async () => {
    const opts = await clusterHome();
    const doctor = JSON.parse((await runCli(['doctor', '--json'], opts)).stdout);
    const named = (name: string) => doctor.checks.find((c: { name: string }) => c.name === name);
    expect(named('receiver')).toMatchObject({ status: 'ok' });
    expect(named('kubernetes')).toMatchObject({ status: 'ok' });
    expect(named('registry')).toMatchObject({ status: 'ok' });
    const stop = playFlux('ready');
    try {
      const result = await runCli(['create', 'a pomodoro timer', '--name', 'pomodoro', '--target', 'cluster', '--json'], opts);
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      const report = JSON.parse(result.stdout);
      expect(report.timeline.map((s: { stepId: string }) => s.stepId)).toEqual([
        'version:next', 'app:plan', 'source:generate', 'source:verify', 'source:provenance', 'source:commit', 'image:build',
        'manifests:render', 'manifests:commit', 'gitops:sync', 'cluster:await',
      ]);
      expect(report.url).toBe(`${appUrl}/pomodoro/`);

      // The receiver accepted exactly one push event, signed with the token, naming our GitOps commit.
      expect(receiver.accepted).toHaveLength(1);
      const hook = receiver.accepted[0]!;
      expect(hook.event).toBe('push');
      expect(hook.headers['x-hub-signature-256']).toMatch(/^sha256=[0-9a-f]{64}$/);
      expect(JSON.parse(hook.body)).toMatchObject({ ref: 'refs/heads/main', after: report.commits.gitops });
      expect(JSON.stringify(report)).not.toContain(TOKEN);
      expect(JSON.stringify(report)).not.toContain(GIT_TOKEN);
      expect(git.requests.some((r) => r.path.endsWith('/git-receive-pack') && r.status === 200)).toBe(true);

      // The GitOps repo holds the app's manifests, pinned to the image in the registry.
      const files = execFileSync('git', ['--git-dir', opts.gitops, 'ls-tree', '-r', '--name-only', 'main'], { encoding: 'utf8' });
      expect(files).toContain('kubernetes/apps/dynamic/pomodoro/ks.yaml');
      const deployment = execFileSync('git', ['--git-dir', opts.gitops, 'show', 'main:kubernetes/apps/dynamic/pomodoro/app/deployment.yaml'], { encoding: 'utf8' });
      expect(deployment).toContain(`${registry.host}/dynamic-apps/pomodoro:v1.0.0-${report.commits.source.slice(0, 7)}-prod@sha256:`);

      // Every stage of the rollout was followed and timed.
      const awaited = report.timeline.find((s: { stepId: string }) => s.stepId === 'cluster:await');
      expect(awaited.status).toBe('succeeded');
      const status = JSON.parse((await runCli(['status', 'pomodoro', '--json'], opts)).stdout);
      expect(status.state).toBe('running');
      // Reading state needs no cluster secrets: list works without the receiver token exported.
      const listed = await runCli(['list', '--json'], { ...opts, env: { GITOPS_TOKEN: GIT_TOKEN } });
      expect(listed.code, listed.stderr).toBe(0);
      expect(kube.requests.some((r) => r.path.includes('/kustomizations/pomodoro'))).toBe(true);
    } finally {
      stop();
    }
  });

  it('names the stage, the reason and the events when the rollout fails', async () => {
    receiver.accepted.length = 0;
    const opts = await clusterHome();
    forgetRollout();
    const stop = playFlux('health-check-failed');
    try {
      const result = await runCli(['create', 'a pomodoro timer', '--name', 'pomodoro', '--target', 'cluster', '--json'], opts);
      expect(result.code).toBe(1);
      const report = JSON.parse(result.stdout);
      expect(report.error.stepId).toBe('cluster:await');
      expect(report.error.message).toMatch(/reconcile: HealthCheckFailed/);
    } finally {
      stop();
    }
  });
});

describe('slipway rollback --target cluster (Flux)', () => {
  const gitIn = (opts: { gitops: string }, ...args: string[]) => execFileSync('git', ['--git-dir', opts.gitops, ...args], { encoding: 'utf8' });
  const history = (opts: { gitops: string }) => gitIn(opts, 'log', '--format=%H', 'main').trim().split('\n');
  const deploymentAt = (opts: { gitops: string }, rev: string) => gitIn(opts, 'show', `${rev}:kubernetes/apps/dynamic/pomodoro/app/deployment.yaml`);
  const digestIn = (deployment: string) => /@(sha256:[0-9a-f]{64})/.exec(deployment)?.[1];

  /** A cluster home (autoRollback as given) running pomodoro v1.0.0; the receiver's calls so far. */
  async function runningV1(autoRollback: boolean) {
    receiver.accepted.length = 0;
    const opts = await clusterHome([`rollout: { autoRollback: ${autoRollback} }`]);
    forgetRollout();
    const stop = playFlux('ready', 0);
    try {
      const created = await runCli(['create', 'a pomodoro timer', '--name', 'pomodoro', '--json'], opts);
      expect(created.code, created.stderr).toBe(0);
      expect(JSON.parse(created.stdout).version).toBe('v1.0.0');
    } finally {
      stop();
    }
    return { opts, v1Commit: history(opts)[0]!, v1Digest: digestIn(deploymentAt(opts, 'main'))! };
  }

  it('commits the Deployment pinning the earlier digest in one new commit, asks Flux to reconcile it, and follows the rollout again when resumed', { timeout: 180_000, retry: 1 }, async () => {
    const { opts, v1Commit, v1Digest } = await runningV1(false);
    let stop = playFlux('ready', 1);
    try {
      const changed = await runCli(['change', 'pomodoro', 'set the title to "Deep Work"', '--json'], opts);
      expect(changed.code, changed.stderr).toBe(0);
      expect(JSON.parse(changed.stdout).version).toBe('v1.1.0');
    } finally {
      stop();
    }
    expect(digestIn(deploymentAt(opts, 'main'))).not.toBe(v1Digest);
    const before = history(opts);
    // The first attempt's rollout fails; resumed, the run goes on from there without committing again.
    stop = playFlux('health-check-failed', 2);
    let first: { runId: string; version: string; error: { stepId: string } };
    try {
      const attempt = await runCli(['rollback', 'pomodoro', '--json'], opts);
      expect(attempt.code).toBe(1);
      first = JSON.parse(attempt.stdout);
      expect(first).toMatchObject({ version: 'v1.1.1', error: { stepId: 'cluster:await' } });
    } finally {
      stop();
    }
    stop = playFlux('ready', 2);
    // By the time a person resumes, Flux has applied the revision and the rollout is healthy: the
    // stand-in's objects turn ready 200–300 ms after it starts playing, so the resume waits for that.
    await delay(800);
    try {
      const result = await runCli(['resume', first.runId, '--json'], opts);
      expect(result.code, `${result.stdout}${result.stderr}`).toBe(0);
      const report = JSON.parse(result.stdout);
      expect(report).toMatchObject({ runId: first.runId, kind: 'rollback', status: 'succeeded', version: 'v1.1.1', rollback: { to: 'v1.0.0' }, url: `${appUrl}/pomodoro/` });
      const step = (id: string) => report.timeline.findLast((s: { stepId: string }) => s.stepId === id);
      expect(step('manifests:commit').attempt).toBe(1);
      expect(step('gitops:sync').attempt).toBe(1);
      expect(step('cluster:await')).toMatchObject({ status: 'succeeded', attempt: 2 });
      expect([...new Set(report.timeline.map((s: { stepId: string }) => s.stepId))]).toEqual([
        'version:next', 'version:pick', 'manifests:restore', 'manifests:commit', 'gitops:sync', 'cluster:await',
      ]);
      // One new commit on an untouched history; its Deployment is v1.0.0's, digest and all.
      const after = history(opts);
      expect(after.slice(1)).toEqual(before);
      expect(after[0]).toBe(report.commits.gitops);
      expect(digestIn(deploymentAt(opts, 'main'))).toBe(v1Digest);
      expect(deploymentAt(opts, 'main')).toBe(deploymentAt(opts, v1Commit));
      expect(deploymentAt(opts, 'main')).toContain(`${registry.host}/dynamic-apps/pomodoro:v1.0.0-`);
      expect(gitIn(opts, 'log', '-1', '--format=%(trailers:key=Slipway-Rollback-To,valueonly)', 'main').trim()).toBe('v1.0.0');
      // Flux was asked once to reconcile exactly that commit.
      expect(receiver.accepted).toHaveLength(3);
      expect(JSON.parse(receiver.accepted[2]!.body)).toMatchObject({ after: report.commits.gitops });
    } finally {
      stop();
    }
  });

  it('rolls a change whose health check fails back to v1.0.0 with rollout.autoRollback, and both runs say so', async () => {
    const { opts, v1Commit, v1Digest } = await runningV1(true);
    const stops = [playFlux('health-check-failed', 1), playFlux('ready', 2)];
    try {
      const result = await runCli(['change', 'pomodoro', 'set the title to "Deep Work"', '--json'], opts);
      expect(result.code).toBe(1);
      const failed = JSON.parse(result.stdout);
      expect(failed).toMatchObject({ kind: 'change', status: 'failed', version: 'v1.1.0', error: { stepId: 'cluster:await' } });
      expect(failed.rolledBackBy).toMatch(/^run-/);

      const runs = JSON.parse((await runCli(['runs', 'pomodoro', '--json'], opts)).stdout);
      const rollback = runs.find((r: { id: string }) => r.id === failed.rolledBackBy);
      expect(rollback).toMatchObject({ kind: 'rollback', status: 'succeeded', request: { to: 'v1.0.0', auto: { failedRunId: failed.runId } } });
      expect(rollback.request.auto.reason).toMatch(/^v1\.1\.0 failed cluster:await: .*HealthCheckFailed/);
      const text = (await runCli(['runs', 'pomodoro'], opts)).stdout;
      expect(text).toContain(`started by Slipway after run ${failed.runId} failed`);

      // The GitOps history: v1.0.0, the failed v1.1.0, then v1.1.1 pinning v1.0.0's digest again.
      const log = gitIn(opts, 'log', '--format=%(trailers:key=Slipway-Version,valueonly,separator=)%x1f%(trailers:key=Slipway-Action,valueonly,separator=)', 'main')
        .trim().split('\n').map((line) => line.split('\x1f'));
      expect(log).toEqual([['v1.1.1', 'rollback'], ['v1.1.0', 'change'], ['v1.0.0', 'deploy']]);
      expect(gitIn(opts, 'log', '-1', '--format=%B', 'main')).toContain(`Rolled back automatically: run ${failed.runId} failed`);
      expect(deploymentAt(opts, 'main')).toBe(deploymentAt(opts, v1Commit));
      expect(digestIn(deploymentAt(opts, 'main'))).toBe(v1Digest);
      const status = JSON.parse((await runCli(['status', 'pomodoro', '--json'], opts)).stdout);
      expect(status).toMatchObject({ state: 'running', version: 'v1.1.1', lastRunId: failed.rolledBackBy });
    } finally {
      for (const stop of stops) stop();
    }
  }, 180_000);
});
