import { ConfigError, InputError } from '../domain/errors.ts';
import type { Config } from './schema.ts';

/** One environment with every setting filled in. */
export interface Environment {
  name: string;
  /** Folder in the GitOps repo holding this environment's apps. */
  gitopsPath: string;
  /** Namespace its apps run in. */
  namespace: string;
  /** Apps answer at `<app>.<domain>` (may hold Flux `${VAR}`s). */
  domain: string;
  /** The end of its image tags, `v1.2.0-a3f5c2b-<tagSuffix>`. */
  tagSuffix: string;
  /**
   * Appended to the names of the engine's per-app objects (Flux Kustomization, Argo CD Application),
   * which live in one shared namespace: '' for the default environment, so what existed before
   * environments keeps its names; `-<name>` for the others.
   */
  objectSuffix: string;
}

/** Every environment of a configuration, and the one used when none is named. */
export interface Environments {
  names: string[];
  defaultEnv: string;
  /** The environment named, or the default one; an unknown name is an InputError listing the names. */
  get(name?: string): Environment;
}

type EnvironmentSource = Pick<Config, 'environments' | 'defaultEnv'> & {
  git: { gitops: { path: string } };
  render: Record<string, unknown>;
};

const DEFAULT_NAMESPACE = 'dynamic-apps';
const DEFAULT_DOMAIN = '${APPS_SUBDOMAIN}';

/**
 * The environments of a configuration. Without `environments:` there is one, `prod`, with today's
 * settings (`git.gitops.path`, `render.namespace`, `render.appsDomain`). With them, what an
 * environment leaves out comes from those settings: the default environment takes them as they are;
 * another, `dev` say, gets `<git.gitops.path>-dev`, `<namespace>-dev` and `dev.<appsDomain>`, so two
 * environments never share a folder, a namespace or a host name.
 * @example environmentsFrom({ defaultEnv: 'prod', environments: { dev: {}, prod: {} }, git: { gitops: { path: 'apps' } }, render: {} }).get('dev').gitopsPath // 'apps-dev'
 * @throws ConfigError when two environments share a folder (or one is inside another's) or a namespace.
 */
export function environmentsFrom(config: EnvironmentSource): Environments {
  const declared = config.environments ?? { prod: {} };
  const baseNamespace = typeof config.render['namespace'] === 'string' ? config.render['namespace'] : DEFAULT_NAMESPACE;
  const baseDomain = typeof config.render['appsDomain'] === 'string' ? config.render['appsDomain'] : DEFAULT_DOMAIN;
  const all = new Map<string, Environment>();
  for (const [name, env] of Object.entries(declared).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const isDefault = name === config.defaultEnv;
    all.set(name, {
      name,
      gitopsPath: env.gitopsPath ?? (isDefault ? config.git.gitops.path : `${config.git.gitops.path}-${name}`),
      namespace: env.namespace ?? (isDefault ? baseNamespace : `${baseNamespace}-${name}`.slice(0, 63).replace(/-+$/, '')),
      domain: env.domain ?? (isDefault ? baseDomain : `${name}.${baseDomain}`),
      tagSuffix: env.tagSuffix ?? name,
      objectSuffix: isDefault ? '' : `-${name}`,
    });
  }
  checkApart([...all.values()]);
  const names = [...all.keys()];
  return {
    names,
    defaultEnv: config.defaultEnv,
    get(name) {
      const env = all.get(name ?? config.defaultEnv);
      if (env) return env;
      throw new InputError(`there is no environment "${name}"; the environments are: ${names.join(', ')}`, {
        hint: `Pass one of them with --env (${names.join(', ')}), or add "${name}" under environments: in slipway.yaml.`,
      });
    },
  };
}

/** Two environments in one folder or namespace would overwrite each other's apps. */
function checkApart(envs: Environment[]): void {
  for (const [i, a] of envs.entries()) {
    for (const b of envs.slice(i + 1)) {
      if (a.gitopsPath === b.gitopsPath || a.gitopsPath.startsWith(`${b.gitopsPath}/`) || b.gitopsPath.startsWith(`${a.gitopsPath}/`)) {
        throw new ConfigError(`environments ${a.name} and ${b.name} share the GitOps folder ${a.gitopsPath.length <= b.gitopsPath.length ? a.gitopsPath : b.gitopsPath}`, {
          hint: `Give each environment a folder of its own that is not inside another's, e.g. environments.${b.name}.gitopsPath: kubernetes/apps/${b.name}`,
        });
      }
      if (a.namespace === b.namespace) {
        throw new ConfigError(`environments ${a.name} and ${b.name} share the namespace ${a.namespace}`, {
          hint: `Give each environment a namespace of its own, e.g. environments.${b.name}.namespace: apps-${b.name}`,
        });
      }
    }
  }
}

/**
 * The public URL template (`{app}` in it) of an environment. The default environment's is
 * `publicUrl`, else one made from a real (variable-free) domain, as before environments existed.
 * Another's is made from its own real domain, else `publicUrl` with `{app}` read as `{app}.<env>` (the
 * host its default domain, `<env>.<appsDomain>`, gives).
 * @example envPublicUrl(environments.get('dev'), 'https://{app}.apps.lan/') // 'https://{app}.dev.apps.lan/'
 */
export function envPublicUrl(env: Environment, publicUrl: string | undefined): string | undefined {
  const fromDomain = env.domain.includes('${') ? undefined : `${publicUrl?.startsWith('http://') ? 'http' : 'https'}://{app}.${env.domain}/`;
  if (env.objectSuffix === '') return publicUrl ?? fromDomain;
  return fromDomain ?? publicUrl?.replaceAll('{app}', `{app}.${env.name}`);
}
