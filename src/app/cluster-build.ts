import type { ResolvedConfig } from '../config/index.ts';
import type { Check } from './doctor.ts';
import { ConfigError } from '../domain/index.ts';
import type { ImageBuilder, ImageRegistry } from '../ports/index.ts';
import { kubeAccess } from './cluster-wiring.ts';

/**
 * Whether apps that bring a Dockerfile are built in the cluster: `build.dockerfile: cluster`, or
 * `auto` (the default) when Slipway itself runs in the cluster (`kube.inCluster`), where there is no
 * buildah and no privilege to run it.
 */
export function buildsInCluster(config: ResolvedConfig): boolean {
  return config.build.dockerfile === 'cluster' || (config.build.dockerfile === 'auto' && config.kube?.inCluster === true);
}

/**
 * The builder of Dockerfile apps in the cluster (a BuildKit Job per build), made on first use: a
 * person who never ships a Dockerfile is never asked for what it needs. It needs Kubernetes access
 * (`kube`), a registry the Job pushes to (`registry.host`), and a source repo the cluster can clone
 * over HTTP(S) (`git.source.url`; a token for it goes in the Secret `build.cluster.gitSecret`).
 * @example const builder = clusterDockerfileBuilder(config, process.env, () => registry);
 */
export function clusterDockerfileBuilder(config: ResolvedConfig, env: Record<string, string | undefined>, registry: () => Pick<ImageRegistry, 'headManifest' | 'getManifest'>): ImageBuilder {
  let made: Promise<ImageBuilder> | undefined;
  const make = async (): Promise<ImageBuilder> => {
    if (!config.kube) {
      throw new ConfigError('build.dockerfile says cluster, but slipway.yaml gives no Kubernetes access to create the build Job with', { hint: 'Add kube: { kubeconfig: … } (or inCluster: true), or set build.dockerfile: buildah.' });
    }
    if (!config.registry.host) {
      throw new ConfigError('a Dockerfile build in the cluster pushes to a registry, and slipway.yaml names none', { hint: 'Set registry.host to a registry the cluster can push to and pull from, or set build.dockerfile: buildah.' });
    }
    const url = config.git.source.url;
    if (!url || !/^https?:\/\//.test(url)) {
      throw new ConfigError('a Dockerfile build in the cluster clones the source repo at the run\'s commit, so git.source.url must be an http(s) URL the cluster reaches', {
        hint: `It is ${url ? 'not an http(s) URL' : 'a bare repo on this machine'} now: set git.source.url to the apps repo on your Git host (a token for a private one goes in the Secret named by build.cluster.gitSecret), or set build.dockerfile: buildah.`,
      });
    }
    const [{ KubeJobBuilder }, { KubeClient }] = await Promise.all([import('../adapters/image-builder/kube-job-builder.ts'), import('../adapters/watcher/index.ts')]);
    const { cluster } = config.build;
    return new KubeJobBuilder({
      kube: new KubeClient(await kubeAccess(config, env)),
      registry: registry(),
      settings: {
        namespace: cluster.namespace, image: cluster.image, registrySecret: cluster.registrySecret, timeoutSeconds: cluster.timeoutSeconds, resources: cluster.resources,
        ...(cluster.gitSecret ? { gitSecret: cluster.gitSecret } : {}),
      },
    });
  };
  return {
    build: async (request, signal) => {
      // A configuration fixed after a failure is read again on the next build.
      made ??= make().catch((error: unknown) => {
        made = undefined;
        throw error;
      });
      return (await made).build({ ...request, insecure: config.registry.insecure }, signal);
    },
  };
}

/**
 * `slipway doctor`'s line about cluster builds, when Dockerfile apps are built there: Slipway may list
 * Jobs in the build namespace (the Role that lets it create them lets it list them too).
 */
export async function clusterBuildCheck(config: ResolvedConfig, env: Record<string, string | undefined>): Promise<Check | undefined> {
  if (!buildsInCluster(config)) return undefined;
  const { namespace, image } = config.build.cluster;
  if (!config.kube) return { name: 'builds', status: 'fail', detail: 'build.dockerfile says cluster, but there is no Kubernetes access', fix: 'Add kube: { kubeconfig: … } (or inCluster: true), or set build.dockerfile: buildah.' };
  try {
    const [{ explained }, { KubeClient, kubePath }] = await Promise.all([import('../adapters/image-builder/kube-job-builder.ts'), import('../adapters/watcher/index.ts')]);
    const kube = new KubeClient(await kubeAccess(config, env));
    await kube.list(kubePath('batch/v1', 'jobs', namespace), { limit: 1 }).catch((error: unknown) => {
      throw explained(error, namespace, `list the build Jobs in ${namespace}`);
    });
    return { name: 'builds', status: 'ok', detail: `Dockerfile apps are built by Jobs in ${namespace} (${image})` };
  } catch (error) {
    const e = error as { message: string; hint?: string };
    return { name: 'builds', status: 'fail', detail: e.message.split('\n')[0]!, fix: e.hint ?? 'Check kube.kubeconfig and build.cluster.namespace.' };
  }
}
