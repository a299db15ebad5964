import { execFile, execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ensureBaseImage } from '../support/base-image.ts';
import { runCli, tempHome } from '../support/cli.ts';
import { startFakeFluxReceiver, type FakeFluxReceiver } from '../support/flux-receiver.ts';
import { startGitHttpServer, type GitHttpServer } from '../support/git-server.ts';
import { startRegistry, type RegistryServer } from '../support/registry-server.ts';
import { startServer } from '../support/serve.ts';

const run = promisify(execFile);
const TOKEN = 'receiver-hmac-token-for-promote';
const GIT_TOKEN = 'gitops-token-for-promote-7a2c';
let git: GitHttpServer;
let registry: RegistryServer;
let receiver: FakeFluxReceiver;

beforeAll(async () => {
  registry = await startRegistry({ mode: 'plain' });
  git = await startGitHttpServer({ auth: { username: 'x-access-token', password: GIT_TOKEN } });
  receiver = await startFakeFluxReceiver({ token: TOKEN, name: 'homelab-git-receiver', namespace: 'flux-system', type: 'github' });
});
/** The test homes made here, removed at the end (each holds repos, a state file and work folders). */
const homes: string[] = [];

afterAll(async () => {
  await Promise.all(homes.map((root) => rm(root, { recursive: true, force: true })));
  await Promise.all([registry?.stop(), git?.stop(), receiver?.close()]);
});

/** A cluster-target home with dev and prod environments; the GitOps repo is served over smart HTTP with a token. */
async function clusterHome(name: string) {
  const base = await ensureBaseImage();
  const opts = tempHome('slipway-promote-');
  homes.push(opts.cwd);
  const { dir: gitops, url: gitopsUrl } = await git.createRepo(`${name}.git`, 'main');
  writeFileSync(join(opts.cwd, 'slipway.yaml'), [
    'target: cluster',
    'git:', '  gitops:', `    url: ${gitopsUrl}`, '    https:', '      token: { env: GITOPS_TOKEN }',
    'registry:', `  host: ${registry.host}`, '  insecure: true',
    'image:', `  base: ${base.hostRef}`, `  platforms: [${base.hostPlatform}]`,
    'flux:', '  receiver:', `    url: ${receiver.hookUrl}`, '    type: github', '    token: { env: FLUX_RECEIVER_TOKEN }',
    'render:', '  appsDomain: apps.k8s-lab.dev',
    'environments:', '  dev: {}', '  prod: {}',
  ].join('\n') + '\n');
  return { ...opts, gitops, env: { FLUX_RECEIVER_TOKEN: TOKEN, GITOPS_TOKEN: GIT_TOKEN } };
}

const show = (gitops: string, path: string) => execFileSync('git', ['--git-dir', gitops, 'show', `main:${path}`], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
const pinnedImage = (gitops: string, dir: string, app: string): string => parse(show(gitops, `${dir}/${app}/app/deployment.yaml`)).spec.template.spec.containers[0].image;
const commitCount = (gitops: string) => Number(execFileSync('git', ['--git-dir', gitops, 'rev-list', '--count', 'main'], { encoding: 'utf8' }).trim());
const skopeoDigest = async (ref: string) => JSON.parse((await run('skopeo', ['inspect', '--tls-verify=false', `docker://${registry.host}/${ref}`])).stdout).Digest as string;

describe('slipway promote on the cluster target', () => {
  it('ships the exact digest dev runs to prod: one commit pinning it, and the prod tag on the same manifest in the registry', async () => {
    const opts = await clusterHome('promote');
    const created = await runCli(['create', 'a pomodoro timer', '--name', 'pomodoro', '--env', 'dev', '--json'], opts);
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);
    const dev = pinnedImage(opts.gitops, 'kubernetes/apps/dynamic-dev', 'pomodoro');
    const sha7 = JSON.parse(created.stdout).commits.source.slice(0, 7);
    expect(dev).toMatch(new RegExp(`^${registry.host}/dynamic-apps/pomodoro:v1\\.0\\.0-${sha7}-dev@sha256:[0-9a-f]{64}$`));
    // dev's own Flux Kustomization, namespace and host; prod has nothing yet.
    expect(show(opts.gitops, 'kubernetes/apps/dynamic-dev/pomodoro/ks.yaml')).toMatch(/name: pomodoro-dev\n[\s\S]*targetNamespace: dynamic-apps-dev\n/);
    expect(show(opts.gitops, 'kubernetes/apps/dynamic-dev/pomodoro/app/httproute.yaml')).toContain('- pomodoro.dev.apps.k8s-lab.dev\n');
    expect(() => show(opts.gitops, 'kubernetes/apps/dynamic/pomodoro/app/deployment.yaml')).toThrow();
    // Slipway does not follow this rollout (no kube:), so it says how, in dev's namespace and Kustomization.
    expect(JSON.parse(created.stdout).next).toBe('Follow the rollout with: flux get kustomizations pomodoro-dev --watch  (and kubectl -n dynamic-apps-dev rollout status deployment/pomodoro)');
    const digest = dev.split('@')[1]!;
    const before = commitCount(opts.gitops);
    receiver.accepted.length = 0;

    const promoted = await runCli(['promote', 'pomodoro', '--from', 'dev', '--to', 'prod', '--json'], opts);
    expect(promoted.stderr).toBe('');
    expect(promoted.code).toBe(0);
    const report = JSON.parse(promoted.stdout);
    expect(report.version).toBe('v1.0.0');
    expect(report.next).toBe('Follow the rollout with: flux get kustomizations pomodoro --watch  (and kubectl -n dynamic-apps rollout status deployment/pomodoro)');
    expect(report.timeline.map((s: { stepId: string }) => s.stepId)).toEqual(['version:next', 'image:promote', 'manifests:render', 'manifests:commit', 'gitops:sync']);

    // One commit, pinning dev's digest under prod's tag, saying what it is.
    expect(commitCount(opts.gitops)).toBe(before + 1);
    const prod = pinnedImage(opts.gitops, 'kubernetes/apps/dynamic', 'pomodoro');
    expect(prod).toBe(`${registry.host}/dynamic-apps/pomodoro:v1.0.0-${sha7}-prod@${digest}`);
    expect(show(opts.gitops, 'kubernetes/apps/dynamic/pomodoro/ks.yaml')).toMatch(/name: pomodoro\n[\s\S]*targetNamespace: dynamic-apps\n/);
    const message = execFileSync('git', ['--git-dir', opts.gitops, 'log', '-1', '--format=%B', 'main'], { encoding: 'utf8' });
    expect(message).toContain('Slipway-Action: promote');
    expect(message).toContain('Slipway-Env: prod');
    expect(message).toContain('Slipway-Version: v1.0.0');
    expect(message).toContain(`Slipway-Image: ${prod}`);
    expect(report.commits.gitops).toBe(execFileSync('git', ['--git-dir', opts.gitops, 'rev-parse', 'main'], { encoding: 'utf8' }).trim());
    // Flux was told about that commit.
    expect(JSON.parse(receiver.accepted.at(-1)!.body).after).toBe(report.commits.gitops);

    // The registry holds the same manifest under both tags: nothing was rebuilt.
    expect(await skopeoDigest(`dynamic-apps/pomodoro:v1.0.0-${sha7}-prod`)).toBe(digest);
    expect(await skopeoDigest(`dynamic-apps/pomodoro:v1.0.0-${sha7}-dev`)).toBe(digest);

    // Each environment's versions say so.
    const versions = JSON.parse((await runCli(['versions', 'pomodoro', '--env', 'prod', '--json'], opts)).stdout);
    expect(versions.versions[0]).toMatchObject({ version: 'v1.0.0', action: 'promote', digest, env: 'prod' });

    // A promote that fails after its commit (Flux refuses the receiver token) resumes without committing again.
    const again = await runCli(['create', 'a landing page for my bakery', '--name', 'bakery', '--env', 'dev'], opts);
    expect(again.code, again.stderr).toBe(0);
    const beforeResume = commitCount(opts.gitops);
    const failed = JSON.parse((await runCli(['promote', 'bakery', '--from', 'dev', '--to', 'prod', '--json'], { ...opts, env: { ...opts.env, FLUX_RECEIVER_TOKEN: 'not-the-token' } })).stdout);
    expect(failed.status).toBe('failed');
    expect(failed.error.stepId).toBe('gitops:sync');
    expect(commitCount(opts.gitops)).toBe(beforeResume + 1);
    const resumed = await runCli(['resume', failed.runId, '--json'], opts);
    expect(resumed.code, resumed.stderr).toBe(0);
    const resumedReport = JSON.parse(resumed.stdout);
    // The steps done before the failure ran once; only the sync ran again.
    const attempts = (stepId: string) => resumedReport.timeline.filter((s: { stepId: string }) => s.stepId === stepId).map((s: { status: string }) => s.status);
    for (const done of ['version:next', 'image:promote', 'manifests:render', 'manifests:commit']) expect(attempts(done)).toEqual(['succeeded']);
    expect(attempts('gitops:sync')).toEqual(['failed', 'succeeded']);
    expect(commitCount(opts.gitops)).toBe(beforeResume + 1);
    expect(pinnedImage(opts.gitops, 'kubernetes/apps/dynamic', 'bakery').split('@')[1]).toBe(pinnedImage(opts.gitops, 'kubernetes/apps/dynamic-dev', 'bakery').split('@')[1]);

    // The promoted image is one manifest under two tags, pinned by both environments: gc keeps it whole.
    const gc = JSON.parse((await runCli(['gc', '--keep', '1', '--dry-run', '--json'], opts)).stdout);
    expect(gc.deleted).toEqual([]);
    expect(gc.kept.find((i: { digest: string }) => i.digest === digest)).toEqual({
      repository: 'dynamic-apps/pomodoro', app: 'pomodoro', digest, tags: [`v1.0.0-${sha7}-dev`, `v1.0.0-${sha7}-prod`], kept: 'pinned by dev/pomodoro, prod/pomodoro',
    });
  });

  it('refuses an unknown environment, the same one twice, and an environment that runs nothing, with exit 2', async () => {
    const opts = await clusterHome('promote-refusals');
    const unknown = await runCli(['promote', 'pomodoro', '--from', 'dev', '--to', 'staging'], opts);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('there is no environment "staging"; the environments are: dev, prod');
    const same = await runCli(['promote', 'pomodoro', '--from', 'dev', '--to', 'dev'], opts);
    expect(same.code).toBe(2);
    expect(same.stderr).toContain("from and to are both 'dev'");
    const create = await runCli(['create', 'a pomodoro timer', '--name', 'pomodoro', '--env', 'qa'], opts);
    expect(create.code).toBe(2);
    expect(create.stderr).toContain('there is no environment "qa"; the environments are: dev, prod');
    const missing = await runCli(['promote', 'pomodoro', '--from', 'dev', '--to', 'prod'], opts);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("no app named 'pomodoro'");
  });
});

describe('slipway promote on this machine', () => {
  it('adds prod\'s tag to the image dev runs in the OCI layout store and commits prod\'s manifests, through a server too', async () => {
    const opts = tempHome('slipway-promote-local-');
    homes.push(opts.cwd);
    writeFileSync(join(opts.cwd, 'slipway.yaml'), ['local:', '  runtime: process', 'environments:', '  dev: {}', '  prod: {}'].join('\n') + '\n');
    const gitops = join(opts.home, 'git', 'gitops.git');
    const created = await runCli(['create', 'a pomodoro timer', '--name', 'pomodoro', '--env', 'dev', '--json'], opts);
    expect(created.code, created.stderr).toBe(0);
    try {
      const sha7 = JSON.parse(created.stdout).commits.source.slice(0, 7);
      const server = await startServer(opts);
      let report;
      try {
        const promoted = await runCli(['--server', server.url, 'promote', 'pomodoro', '--from', 'dev', '--to', 'prod', '--json'], opts);
        expect(promoted.stderr).toBe('');
        expect(promoted.code).toBe(0);
        report = JSON.parse(promoted.stdout);
      } finally {
        await server.stop();
      }
      expect(report).toMatchObject({ kind: 'promote', status: 'succeeded', version: 'v1.0.0' });
      expect(report.timeline.map((s: { stepId: string }) => s.stepId)).toEqual(['version:next', 'image:promote', 'manifests:render', 'manifests:commit']);
      // One machine: the same image under both tags, and each environment's folder pinning it.
      const index = JSON.parse(readFileSync(join(opts.home, 'images', 'index.json'), 'utf8')) as { manifests: Array<{ digest: string; annotations?: Record<string, string> }> };
      const digestOf = (tag: string) => index.manifests.find((m) => m.annotations?.['org.opencontainers.image.ref.name'] === `pomodoro_${tag}`)?.digest;
      expect(digestOf(`v1.0.0-${sha7}-prod`)).toBeDefined();
      expect(digestOf(`v1.0.0-${sha7}-prod`)).toBe(digestOf(`v1.0.0-${sha7}-dev`));
      expect(pinnedImage(gitops, 'kubernetes/apps/dynamic', 'pomodoro')).toBe(`\${REGISTRY_URL}/dynamic-apps/pomodoro:v1.0.0-${sha7}-prod@${digestOf(`v1.0.0-${sha7}-dev`)}`);

      // A delete takes it out of every environment's folder, in one commit.
      const before = commitCount(gitops);
      expect((await runCli(['delete', 'pomodoro'], opts)).code).toBe(0);
      expect(commitCount(gitops)).toBe(before + 1);
      expect(execFileSync('git', ['--git-dir', gitops, 'ls-tree', '-r', '--name-only', 'main'], { encoding: 'utf8' })).not.toContain('pomodoro');
    } finally {
      await runCli(['delete', 'pomodoro'], opts);
    }
  });
});
