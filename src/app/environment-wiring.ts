import { envPublicUrl, environmentsFrom, type Environments } from '../config/environments.ts';
import type { ResolvedConfig } from '../config/index.ts';
import type { EngineRender } from '../ports/gitops-engine.ts';
import { renderSettingsForEnv, type RenderSettings } from '../render/index.ts';

/** What the steps need to know of the environments: each one's render settings, tag suffix and where its apps answer. */
export interface EnvironmentWiring {
  environments: Environments;
  /** The render settings of an environment (its folder, namespace, domain, object names). */
  settingsFor(env: string): RenderSettings;
  /** Every environment's render settings but the default one's (a delete clears the app from each). */
  others(): RenderSettings[];
  tagSuffix(env: string): string;
  /** The suffix of an environment's engine objects: '' for the default one, `-<env>` for the others. */
  objectSuffix(env: string): string;
  /** Where an environment's apps run and answer on the cluster, from the configured public URL. */
  clusterFor(publicUrl: string | undefined): (env: string) => { namespace: string; publicUrl: string | undefined; objectSuffix: string };
}

/**
 * The environments of slipway.yaml, as the composition root hands them to steps.
 * @example environmentWiring(config, gitOpsEngineRenders()).settingsFor('dev').gitops.path // 'kubernetes/apps/dynamic-dev'
 */
export function environmentWiring(config: ResolvedConfig, engines: readonly EngineRender[]): EnvironmentWiring {
  const environments = environmentsFrom(config);
  const rendered = new Map<string, RenderSettings>();
  const settingsFor = (name: string) => {
    const known = rendered.get(name);
    if (known) return known;
    const settings = renderSettingsForEnv(config, environments.get(name), { engines, engine: config.engine });
    rendered.set(name, settings);
    return settings;
  };
  return {
    environments,
    settingsFor,
    others: () => environments.names.filter((name) => name !== environments.defaultEnv).map(settingsFor),
    tagSuffix: (name) => environments.get(name).tagSuffix,
    objectSuffix: (name) => environments.get(name).objectSuffix,
    clusterFor: (publicUrl) => (name) => {
      const env = environments.get(name);
      return { namespace: env.namespace, publicUrl: envPublicUrl(env, publicUrl), objectSuffix: env.objectSuffix };
    },
  };
}
