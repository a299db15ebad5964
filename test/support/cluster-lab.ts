import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { ensureBaseImage } from './base-image.ts';
import { tempHome } from './cli.ts';
import { startFakeFluxReceiver, type FakeFluxReceiver } from './flux-receiver.ts';
import { startGitHttpServer, type GitHttpServer } from './git-server.ts';
import { kubeFixture, startKubeApiServer, type KubeApiServer, type KubeObject } from './kube-api-server.ts';
import { startRegistry, type RegistryServer } from './registry-server.ts';

type Obj = KubeObject & { status: Record<string, any> };

/** A home for the cluster target: its folders, the GitOps repo's clone on the server, and the environment the CLI needs. */
export interface ClusterHome {
  home: string;
  cwd: string;
  /** The bare GitOps repo on the git server. */
  gitops: string;
  env: Record<string, string>;
}

/**
 * Everything a cluster run talks to, on loopback: a registry, a git server with token auth, Flux's
 * Receiver, the Kubernetes API, and the app's own URL (a server that answers 200).
 */
export interface ClusterLab {
  git: GitHttpServer;
  registry: RegistryServer;
  receiver: FakeFluxReceiver;
  kube: KubeApiServer;
  appUrl: string;
  /**
   * Plays Flux and the cluster for receiver call `call` (default the latest): its revision becomes
   * ready, or fails its health check with the events saying why, and the app's pods run. Returns a stop function.
   */
  playFlux(call?: number, health?: 'ready' | 'health-check-failed'): () => void;
  /** A home whose slipway.yaml points at this lab, followed by `extra` lines. */
  home(prefix: string, extra?: string[]): Promise<ClusterHome>;
  stop(): Promise<void>;
}

/** Starts a cluster lab whose Receiver checks `receiverToken` and whose git server wants `gitToken`. */
export async function startClusterLab(options: { receiverToken: string; gitToken: string }): Promise<ClusterLab> {
  const registry = await startRegistry({ mode: 'plain' });
  const git = await startGitHttpServer({ auth: { username: 'x-access-token', password: options.gitToken } });
  const receiver = await startFakeFluxReceiver({ token: options.receiverToken, name: 'homelab-git-receiver', namespace: 'flux-system', type: 'github' });
  const kube = await startKubeApiServer({ tls: false });
  const app: Server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end('pomodoro\n'));
  await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
  const appUrl = `http://127.0.0.1:${(app.address() as { port: number }).port}`;
  let repos = 0;

  function playFlux(call?: number, health: 'ready' | 'health-check-failed' = 'ready'): () => void {
    const timer = setInterval(() => {
      const hook = call === undefined ? receiver.accepted.at(-1) : receiver.accepted[call];
      if (!hook) return;
      clearInterval(timer);
      const revision = `main@sha1:${JSON.parse(hook.body).after as string}`;
      const repo = kubeFixture<Obj>('gitrepository');
      repo.status.artifact.revision = revision;
      kube.put(repo);
      const ks = kubeFixture<Obj>(health === 'ready' ? 'kustomization-ready' : 'kustomization-health-check-failed');
      ks.status.lastAttemptedRevision = revision;
      if (health === 'ready') ks.status.lastAppliedRevision = revision;
      kube.after(200, () => kube.put(ks));
      kube.after(300, () => {
        for (const fixture of ['deployment-available', 'replicaset', 'pod-running']) kube.put(kubeFixture(fixture));
        if (health !== 'ready') for (const event of kubeFixture<KubeObject[]>('events')) kube.put(event);
      });
    }, 20);
    return () => clearInterval(timer);
  }

  async function home(prefix: string, extra: string[] = []): Promise<ClusterHome> {
    const base = await ensureBaseImage();
    const opts = tempHome(prefix);
    const { dir: gitops, url: gitopsUrl } = await git.createRepo(`${prefix}${++repos}.git`, 'main');
    mkdirSync(opts.home, { recursive: true });
    writeFileSync(join(opts.cwd, 'kubeconfig'), [
      'apiVersion: v1', 'kind: Config', 'current-context: lab',
      'clusters:', '- name: lab', '  cluster:', `    server: ${kube.url}`,
      'users:', '- name: slipway', '  user:', `    token: ${kube.token}`,
      'contexts:', '- name: lab', '  context: { cluster: lab, user: slipway }',
    ].join('\n') + '\n');
    writeFileSync(join(opts.cwd, 'slipway.yaml'), [
      'target: cluster',
      'git:', '  gitops:', `    url: ${gitopsUrl}`, '    https:', '      token: { env: GITOPS_TOKEN }',
      'registry:', `  host: ${registry.host}`, '  insecure: true',
      'image:', `  base: ${base.hostRef}`, `  platforms: [${base.hostPlatform}]`,
      'flux:', '  receiver:', `    url: ${receiver.hookUrl}`, '    type: github', '    token: { env: FLUX_RECEIVER_TOKEN }',
      'kube:', '  kubeconfig: ./kubeconfig',
      `publicUrl: ${appUrl}/{app}/`,
      'render:', '  appsDomain: apps.k8s-lab.dev',
      'watch: { source: 30, reconcile: 30, rollout: 30, http: 30 }',
      ...extra,
    ].join('\n') + '\n');
    return { ...opts, gitops, env: { FLUX_RECEIVER_TOKEN: options.receiverToken, GITOPS_TOKEN: options.gitToken } };
  }

  async function stop(): Promise<void> {
    await Promise.all([registry.stop(), git.stop(), receiver.close(), kube.stop(), new Promise((resolve) => app.close(resolve))]);
  }

  return { git, registry, receiver, kube, appUrl, playFlux, home, stop };
}
