import type { ResolvedConfig } from '../config/index.ts';
import { ConfigError } from '../domain/index.ts';
import type { AppSpec } from '../domain/index.ts';
import type { AppRuntime } from '../ports/index.ts';
import { ProcessRuntime } from '../adapters/runtime/process-runtime.ts';

/** Values for the Flux-style `${VAR}` substitutions when manifests run on this machine. */
const LOCAL_VARIABLES = { REGISTRY_URL: 'localhost', APPS_SUBDOMAIN: 'localhost', CLUSTER_DOMAIN: 'localhost' };

/**
 * The local runtime: podman runs the built image when podman is installed (`auto`) or asked for;
 * `kube` runs the rendered Deployment itself with `podman kube play`; otherwise the app's files run
 * as a Node process.
 */
export async function chooseRuntime(
  config: ResolvedConfig,
  env: { nodeBinary: string; path?: string },
  renderDeployment: (spec: AppSpec, image: string) => string,
): Promise<AppRuntime> {
  const wanted = config.local.runtime;
  if (wanted === 'kube') {
    const [{ PodmanKubeRuntime }, { podmanAvailable }] = await Promise.all([
      import('../adapters/runtime/podman-kube-runtime.ts'),
      import('../adapters/runtime/podman-runtime.ts'),
    ]);
    if (!(await podmanAvailable(env.path))) {
      throw new ConfigError('local.runtime is kube, but podman is not installed', { hint: 'Install it (apt-get install podman runc) or set local.runtime: process.' });
    }
    return new PodmanKubeRuntime({
      home: config.home, host: config.local.host, ...(env.path ? { path: env.path } : {}),
      insecureRegistries: config.registry.insecure && config.registry.host ? [config.registry.host] : [],
      variables: { ...LOCAL_VARIABLES, ...config.local.variables },
      render: renderDeployment,
    });
  }
  if (wanted !== 'process') {
    const { PodmanRuntime, podmanAvailable } = await import('../adapters/runtime/podman-runtime.ts');
    if (await podmanAvailable(env.path)) {
      return new PodmanRuntime({
        home: config.home, host: config.local.host, ...(env.path ? { path: env.path } : {}),
        insecureRegistries: config.registry.insecure && config.registry.host ? [config.registry.host] : [],
      });
    }
    if (wanted === 'podman') {
      throw new ConfigError('local.runtime is podman, but podman is not installed', { hint: 'Install it (apt-get install podman runc) or set local.runtime: process.' });
    }
  }
  return new ProcessRuntime({ home: config.home, host: config.local.host, nodeBinary: env.nodeBinary, ...(env.path ? { path: env.path } : {}) });
}
