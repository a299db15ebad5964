import { z } from 'zod';
import { AppAccess, AppSpec } from '../../domain/index.ts';
import { defineStep } from '../../pipeline/index.ts';
import {
  accessProxySecret, appLabels, appPaths, CrdSchemas, PROXY_SECRET_FILE, renderAppChecked, type AccessProxySettings, type AppEgress, type RenderSettings,
} from '../../render/index.ts';
import type { PlainSecret } from '../../render/bootstrap/types.ts';
import type { RenderedConfig, RenderedFile } from '../../render/types.ts';
import { compareCodeUnits } from '../../domain/compare.ts';
import { RenderedFiles } from '../schemas.ts';

/** What a private app behind oauth2-proxy needs at render time (the `access.oauth2Proxy` provider). */
export interface AccessProxyParts {
  settings: AccessProxySettings;
  /** The values of an app's proxy Secret: the client secret, and the app's own cookie secret (kept across runs). */
  values: (app: string) => { clientSecret: string; cookieSecret: string };
  /** The Secret as the text of the file at `path` in the GitOps repo: encrypted, and the file already there when it still says the same. */
  encrypt: (secret: PlainSecret, path: string) => Promise<string>;
}

/**
 * Renders the app's Kubernetes manifests and validates every object against the Kubernetes, Flux,
 * Gateway API and Argo CD schemas, so nothing invalid is ever committed (nothing is written but the
 * compiled schemas, to `validatorCache` when given). A private app behind oauth2-proxy gets the proxy
 * in its pod and its Secret encrypted beside the other files. An app with settings or secrets gets
 * them in its Deployment, and its Secret's files beside the others.
 */
export const createRenderStep = ({ settings, validatorCache, settingsFor, accessProxy, egressFor, configFor }: {
  settings: RenderSettings;
  validatorCache?: string;
  /** An environment's settings (its folder, namespace, domain), when a run names one. */
  settingsFor?: (env: string) => RenderSettings;
  accessProxy?: AccessProxyParts;
  /** What the app may call out to (its externals, database, host names), for its NetworkPolicy's egress. */
  egressFor?: (spec: AppSpec, env: string | undefined) => Promise<AppEgress>;
  /**
   * The app's settings and secrets in an environment, read when the step runs: every run that renders
   * (create, change, promote, configure) keeps them. `files` are the Secret's files for the GitOps repo, if any.
   */
  configFor?: (app: string, env: string, namespace: string) => Promise<{ config?: RenderedConfig; files: RenderedFile[] }>;
}) => {
  const crds = new CrdSchemas(validatorCache === undefined ? {} : { cacheDir: validatorCache });
  return defineStep({
    id: 'manifests:render',
    title: 'Render the manifests',
    input: z.object({ spec: AppSpec, image: z.string().min(1), env: z.string().optional(), access: AppAccess.optional() }),
    output: RenderedFiles,
    summarize: (o) => `${o.files.length} manifests`,
    run: async (ctx) => {
      const { spec, image, env, access } = ctx.input;
      const chosen = env !== undefined && settingsFor ? settingsFor(env) : settings;
      const proxy = access === 'private' ? accessProxy : undefined;
      const configured = configFor && env !== undefined ? await configFor(spec.name, env, chosen.namespace) : undefined;
      const config = configured?.config;
      const egress = egressFor ? await egressFor(spec, env) : undefined;
      // The Secret's file sits beside the manifests: the kustomization lists it.
      const dir = `${appPaths(spec.name, chosen).manifests}/`;
      const resources = (configured?.files ?? []).filter((f) => f.path.startsWith(dir)).map((f) => f.path.slice(dir.length));
      const { files } = renderAppChecked(spec, {
        image, ...(proxy ? { accessProxy: proxy.settings } : {}), ...(egress ? { egress } : {}), ...(config ? { config } : {}), ...(resources.length > 0 ? { resources } : {}),
      }, chosen, { crds });
      const extra = [...(configured?.files ?? [])];
      if (proxy) {
        const path = `${appPaths(spec.name, chosen).manifests}/${PROXY_SECRET_FILE}`;
        const secret = accessProxySecret(spec.name, chosen.namespace, appLabels(spec.name), proxy.values(spec.name));
        extra.push({ path, content: await proxy.encrypt(secret, path) });
      }
      if (extra.length === 0) return { image, files };
      return { image, files: [...files, ...extra].sort((a, b) => compareCodeUnits(a.path, b.path)) };
    },
  });
};
