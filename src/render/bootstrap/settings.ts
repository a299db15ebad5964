import { environmentsFrom } from '../../config/environments.ts';
import type { BootstrapConfig, Config } from '../../config/schema.ts';
import { ConfigError } from '../../domain/errors.ts';
import type { EngineRender } from '../../ports/gitops-engine.ts';
import { renderSettingsForEnv, renderSettingsFrom, type RenderSettings } from '../settings.ts';

/** One environment's apps: where they live in the GitOps repo and the namespace they run in. */
export interface BootstrapEnvironment {
  name: string;
  namespace: string;
  gitopsPath: string;
  /** The render settings of that environment (its folder, namespace, domain and object names). */
  render: RenderSettings;
}

/** Which Secrets backend the encrypted files are written for. */
export type SecretsBackend = 'sops' | 'sealed-secrets';

/**
 * Everything the parts of `slipway bootstrap` read, resolved once from slipway.yaml and the command's
 * flags. Parts never look at configuration or flags themselves.
 */
export interface BootstrapSettings {
  engine: 'flux' | 'argocd';
  secrets: SecretsBackend;
  /** The bootstrap folder in the GitOps repo, e.g. `kubernetes/slipway`. */
  path: string;
  /** Slipway's own namespace, e.g. `slipway`. */
  namespace: string;
  /** The default environment's render settings (apps namespace, apps domain, gateway, Flux source). */
  render: RenderSettings;
  /** Every environment, sorted by name: each has an apps namespace to prepare and bind. */
  environments: BootstrapEnvironment[];
  flux: {
    namespace: string;
    /** The GitRepository of the GitOps repo, in `flux.namespace`. */
    gitRepository: string;
    receiverType: 'github' | 'generic-hmac' | 'generic';
  };
  /** Where Slipway reads and refreshes Argo CD Applications (slipway.yaml's `argocd.namespace`). */
  argocdNamespace: string;
  /** The `bootstrap:` section of slipway.yaml, defaults filled in. */
  bootstrap: BootstrapConfig;
  /**
   * Where this machine keeps the bootstrap's secret values (`$SLIPWAY_HOME/bootstrap`): named in
   * notes for slipway.yaml, never read by a part.
   */
  localDir: string;
}

/** What the settings are resolved from: the parts of slipway.yaml they need and the command's flags. */
export interface BootstrapSources {
  config: Pick<Config, 'engine' | 'render' | 'git' | 'flux' | 'argocd' | 'bootstrap' | 'environments' | 'defaultEnv'>;
  /** The engines' render parts (src/adapters/gitops), as the composition root hands them. */
  engines: readonly EngineRender[];
  /** `--engine`, winning over slipway.yaml's `engine`. */
  engine?: string | undefined;
  secrets: SecretsBackend;
  localDir: string;
}

/**
 * The bootstrap's settings: the engine from `--engine` or slipway.yaml, the apps' namespaces and
 * domain from the render settings of every environment, Flux's namespace, GitRepository and receiver
 * type from `flux:`, and the `bootstrap:` section.
 * @example resolveBootstrapSettings({ config, engines, secrets: 'sops', localDir: '/home/me/.slipway/bootstrap' }).namespace // 'slipway'
 * @throws ConfigError for an engine bootstrap does not know, or render settings the engine cannot use.
 */
export function resolveBootstrapSettings(sources: BootstrapSources): BootstrapSettings {
  const { config, engines } = sources;
  const engine = sources.engine ?? config.engine;
  if (engine !== 'flux' && engine !== 'argocd') {
    throw new ConfigError(`slipway bootstrap writes the cluster side for flux or argocd, not '${engine}'`, { hint: 'Pass --engine flux or --engine argocd.' });
  }
  const options = { engines, engine };
  const render = renderSettingsFrom(config, options);
  const envs = environmentsFrom({ ...config, render: config.render });
  const environments = envs.names.map((name) => {
    const env = envs.get(name);
    return { name, namespace: env.namespace, gitopsPath: env.gitopsPath, render: renderSettingsForEnv(config, env, options) };
  });
  const { bootstrap } = config;
  if (environments.some((env) => env.namespace === bootstrap.namespace)) {
    throw new ConfigError(`bootstrap.namespace ${bootstrap.namespace} is also an apps namespace`, {
      hint: 'Slipway runs apart from the apps it ships: give bootstrap.namespace (default slipway) a namespace of its own.',
    });
  }
  const shared = environments.find((env) => inside(env.gitopsPath, bootstrap.path) || inside(bootstrap.path, env.gitopsPath));
  if (shared) {
    throw new ConfigError(`bootstrap.path ${bootstrap.path} and the apps folder ${shared.gitopsPath} of environment ${shared.name} overlap`, {
      hint: 'Each is replaced as a whole by the command that writes it: give bootstrap.path a folder of its own, such as kubernetes/slipway.',
    });
  }
  return {
    engine,
    secrets: sources.secrets,
    path: bootstrap.path,
    namespace: bootstrap.namespace,
    render,
    environments,
    flux: { namespace: config.flux.namespace, gitRepository: config.flux.gitRepository, receiverType: config.flux.receiver?.type ?? 'github' },
    argocdNamespace: config.argocd.namespace,
    bootstrap,
    localDir: sources.localDir,
  };
}

/** Whether folder `a` is folder `b` or inside it. */
function inside(a: string, b: string): boolean {
  return a === b || a.startsWith(`${b}/`);
}
