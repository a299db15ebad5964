import { z } from 'zod';
import { ConfigError } from '../domain/errors.ts';
import type { EngineRender } from '../ports/gitops-engine.ts';
import { APPS_DOMAIN, ArgoCd, DatabaseSettings, DNS_LABEL, Flux, Gateway, Gitops, Resources } from './settings-parts.ts';
import { Egress } from './egress-settings.ts';

/**
 * The schema of the cluster settings the renderers need, for the GitOps engines handed in (their
 * render parts, from the registry in src/adapters/gitops; the first is the default). Every other field
 * has a default that matches the seed layout (a Gateway named `gateway`, apps under
 * `kubernetes/apps/dynamic`), so `{}` parses to a full value. Nested objects use `prefault` so a
 * partial object (say only `gitops.path`) still gets the other defaults. The parsed `engine` is the
 * chosen engine's render part, and `engines` all of them (the parent kustomization drops the others' entries).
 * @example renderSettingsSchema([fluxRender]).parse({}).engine.name // 'flux'
 */
export function renderSettingsSchema(engines: readonly EngineRender[]) {
  const names = engines.map((engine) => engine.name) as [string, ...string[]];
  return z
    .object({
      /** The GitOps engine by name, e.g. `flux` (a Flux Kustomization per app) or `argocd` (an Argo CD Application per app). */
      engine: z
        .enum(names)
        .default(names[0])
        .transform((name) => engines.find((engine) => engine.name === name)!),
      /** Namespace the apps run in (Flux `targetNamespace`, Argo CD destination). */
      namespace: z.string().max(63).regex(DNS_LABEL, 'a namespace: a DNS-1123 label such as dynamic-apps').default('dynamic-apps'),
      /** Apps are served at `<app>.<appsDomain>`; the default is the Flux variable, substituted in the cluster. */
      appsDomain: z.string().max(200).regex(APPS_DOMAIN, 'a domain such as apps.example.com or ${APPS_SUBDOMAIN}').default('${APPS_SUBDOMAIN}'),
      gateway: Gateway.prefault({}),
      gitops: Gitops.prefault({}),
      /** Small defaults: the apps are tiny and the cluster may be a few Raspberry Pis. */
      resources: Resources.prefault({}),
      /**
       * A NetworkPolicy letting only the gateway's namespace reach each app (turn off where the gateway's traffic has another source,
       * e.g. Cilium's), and Prometheus' namespace the port of an app that serves metrics.
       */
      networkPolicy: z.object({
        enabled: z.boolean().default(true),
        prometheusNamespace: z.string().max(63).regex(DNS_LABEL, 'a namespace: a DNS-1123 label such as monitoring').default('monitoring'),
        /** Egress rules too: DNS and what each app declared, nothing else (off for a CNI that ignores egress rules). */
        egress: z.boolean().default(true),
      }).strict().prefault({}),
      /** The PostgreSQL cluster (CloudNativePG) of an app that needs a database. */
      database: DatabaseSettings.prefault({}),
      egress: Egress.prefault({}),
      flux: Flux.prefault({}),
      argocd: ArgoCd.prefault({}),
    })
    .strict()
    // objectSuffix: '' unless an environment other than the default one asks for its own (see renderSettingsForEnv).
    .transform((settings) => ({ ...settings, engines, objectSuffix: '' }))
    .superRefine((settings, ctx) => {
      // What the chosen engine cannot work with (Argo CD: no repo URL, ${VAR}s it would not substitute).
      for (const { path, message } of settings.engine.settingsProblems?.(settings) ?? []) {
        ctx.addIssue({ code: 'custom', path, message });
      }
    });
}

type RenderSettingsSchema = ReturnType<typeof renderSettingsSchema>;

/** Validated settings, every field present. */
export type RenderSettings = z.output<RenderSettingsSchema>;
/** What a person may write (everything optional). */
export type RenderSettingsInput = z.input<RenderSettingsSchema>;

/**
 * The default settings for these engines (the first is used), as a fresh object each call (callers may change their copy).
 * @example defaultRenderSettings(engines).namespace // 'dynamic-apps'
 */
export function defaultRenderSettings(engines: readonly EngineRender[]): RenderSettings {
  return renderSettingsSchema(engines).parse({});
}

/** The parts of Slipway's configuration the render settings come from (plain data, as slipway.yaml has them). */
export interface RenderConfigSource {
  /** The `render:` section. */
  render?: Record<string, unknown>;
  git?: { gitops?: { url?: string | undefined; branch?: string | undefined; path?: string | undefined } };
}

/**
 * The render settings from configuration: the `render:` section, with `gitops.path` from
 * `git.gitops.path` (one place says where apps live) and each engine's section filled from
 * `git.gitops` (for Argo CD the repo URL and branch, unless `render.argocd` names them), for the
 * engines handed in (their render parts). `options.engine` (a command-line flag) wins.
 * @example renderSettingsFrom({ render: { namespace: 'apps' } }, { engines }).namespace // 'apps'
 * @throws ConfigError naming each wrong field as `render.<path>`.
 */
export function renderSettingsFrom(config: RenderConfigSource, options: { engines: readonly EngineRender[]; engine?: string }): RenderSettings {
  const { engines } = options;
  const render: Record<string, unknown> = { ...config.render };
  const git = config.git?.gitops ?? {};
  if (options.engine !== undefined) render['engine'] = options.engine;
  const gitops = render['gitops'] ?? {};
  if (git.path !== undefined && isPlainObject(gitops)) render['gitops'] = { ...gitops, path: git.path };
  // Each engine fills its own section from git.gitops (Argo CD: the repo it clones and the branch).
  for (const engine of engines) engine.fillFromGit?.(render, git);
  const parsed = renderSettingsSchema(engines).safeParse(render);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => {
    const field = ['render', ...issue.path.map(String)].join('.');
    if (issue.code === 'unrecognized_keys') return `${field}: unknown field(s) ${issue.keys.map((k) => `'${k}'`).join(', ')}`;
    return `${field}: ${issue.message}`;
  });
  throw new ConfigError(`invalid render settings: ${problems.join('; ')}`, {
    hint: 'Fix the named fields under render: in slipway.yaml (see the README for each field).',
  });
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** What an environment changes in the render settings (src/config/environments.ts gives it). */
export interface RenderEnvironment {
  gitopsPath: string;
  namespace: string;
  domain: string;
  objectSuffix: string;
}

/**
 * The render settings for one environment: its GitOps folder, namespace and apps domain in place of
 * the configured ones, and its suffix on the names of the engine's per-app objects (a Flux
 * Kustomization or Argo CD Application per app and environment, in one shared namespace).
 * @example renderSettingsForEnv(config, { gitopsPath: 'apps-dev', namespace: 'apps-dev', domain: 'dev.lan', objectSuffix: '-dev' }, { engines }).gitops.path // 'apps-dev'
 */
export function renderSettingsForEnv(config: RenderConfigSource, env: RenderEnvironment, options: { engines: readonly EngineRender[]; engine?: string }): RenderSettings {
  const render = { ...config.render, namespace: env.namespace, appsDomain: env.domain };
  const settings = renderSettingsFrom({ render, git: { gitops: { ...config.git?.gitops, path: env.gitopsPath } } }, options);
  if (env.objectSuffix === '') return settings;
  const argocd = { ...settings.argocd, appOfAppsName: `${settings.argocd.appOfAppsName}${env.objectSuffix}` };
  return { ...settings, argocd, objectSuffix: env.objectSuffix };
}
