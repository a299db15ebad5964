import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { readSecretEncryption } from '../adapters/secrets/index.ts';
import type { ResolvedConfig } from '../config/index.ts';
import { readSecret } from '../config/index.ts';
import { ConfigError } from '../domain/index.ts';
import type { AccessGuard, GitRepo } from '../ports/index.ts';
import { cookieSecretFromHex } from '../render/index.ts';
import type { AccessProxyParts } from '../steps/manifests-render/index.ts';
import { encryptCommitted } from './app-secrets.ts';
import { FileSecretValues } from './bootstrap/secret-values.ts';
import type { EnvironmentWiring } from './environment-wiring.ts';

/** The guard private apps get outside the cluster, and the hostnames it guards. */
export interface AccessParts {
  guard: AccessGuard;
  /** The hostname an app answers at in an environment (with its path, when apps share a hostname). */
  hostFor: (app: string, env: string) => string;
  /** The hostnames an app answers at, one per environment. */
  hostsFor: (app: string) => string[];
}

/**
 * Cloudflare Access for private apps, when `access.provider` is `cloudflare` on the cluster target;
 * undefined otherwise (oauth2-proxy lives in the manifests, so it needs no step of its own). The API
 * token is read here, once, and handed to the adapter; nothing else sees it.
 */
export async function accessParts(
  config: ResolvedConfig,
  env: Record<string, string | undefined>,
  environments: EnvironmentWiring,
  publicUrl: string | undefined,
): Promise<AccessParts | undefined> {
  const cloudflare = config.access.cloudflare;
  if (config.target !== 'cluster' || config.access.provider !== 'cloudflare' || !cloudflare) return undefined;
  const where = environments.clusterFor(publicUrl);
  const hostFor = (app: string, name: string) => {
    const url = where(name).publicUrl;
    if (!url) {
      throw new ConfigError('Cloudflare Access needs to know the hostname each app answers at: publicUrl is not set and render.appsDomain is a ${VAR}', {
        hint: 'Set publicUrl (e.g. https://{app}.apps.k8s-lab.dev/) or render.appsDomain to the real domain in slipway.yaml.',
      });
    }
    // Apps that share one hostname under their own paths are guarded by host and path, as Access allows.
    const parsed = new URL(url.replaceAll('{app}', app));
    return `${parsed.hostname}${parsed.pathname.replace(/\/+$/, '')}`;
  };
  const { CloudflareAccess } = await import('../adapters/access/cloudflare.ts');
  const guard = new CloudflareAccess({
    accountId: cloudflare.accountId,
    apiToken: readSecret(cloudflare.apiToken, 'access.cloudflare.apiToken', env),
    allow: cloudflare.allow,
    sessionDuration: cloudflare.sessionDuration,
    apiUrl: cloudflare.apiUrl,
  });
  return { guard, hostFor, hostsFor: (app) => environments.environments.names.map((name) => hostFor(app, name)) };
}

/**
 * oauth2-proxy in front of private apps, when `access.provider` is `oauth2-proxy` on the cluster
 * target: its settings for the renderer, each app's Secret values (the client secret from slipway.yaml,
 * a random cookie secret per app kept under `$SLIPWAY_HOME/bootstrap` with the bootstrap's values, so
 * every render of the app gives the same one), and their encryption as `secrets:` says. The client
 * secret and the encryption settings are read on first use: commands that render nothing need neither.
 */
export function accessProxyParts(config: ResolvedConfig, env: Record<string, string | undefined>, gitops: GitRepo): AccessProxyParts | undefined {
  const proxy = config.access.oauth2Proxy;
  if (config.target !== 'cluster' || config.access.provider !== 'oauth2-proxy' || !proxy) return undefined;
  const { clientSecret, ...settings } = proxy;
  return {
    settings,
    values: (app) => {
      const kept = FileSecretValues.open(join(config.home, 'bootstrap'));
      const cookie = kept.get(cookieSecretName(app), 32);
      kept.save();
      return { clientSecret: readSecret(clientSecret, 'access.oauth2Proxy.clientSecret', env), cookieSecret: cookieSecretFromHex(cookie) };
    },
    encrypt: async (secret, path) => {
      // Encrypted like the app's own Secret beside it: the repo's .sops.yaml, when it has one, decides.
      return (await encryptCommitted(secret, path, readSecretEncryption(config.secrets), { gitops })).content;
    },
  };
}

/**
 * The name an app's cookie secret is kept under: `oauth2-proxy-cookie-secret-<app>`, or, for an app
 * name too long for that to stay a DNS label (63 characters), its first part and a short hash of it.
 * @example cookieSecretName('notes') // 'oauth2-proxy-cookie-secret-notes'
 */
export function cookieSecretName(app: string): string {
  const name = `oauth2-proxy-cookie-secret-${app}`;
  if (name.length <= 63) return name;
  return `${name.slice(0, 54).replace(/-+$/, '')}-${createHash('sha256').update(app).digest('hex').slice(0, 8)}`;
}

/**
 * Throws when the configured provider could not guard a private app now: Cloudflare's API token is
 * not readable, or oauth2-proxy's client secret is not, or there is no way to encrypt its Secret
 * (`secrets:` in slipway.yaml). Called before a private app's run is queued.
 */
export function checkAccess(config: ResolvedConfig, env: Record<string, string | undefined>): void {
  const { provider, cloudflare, oauth2Proxy } = config.access;
  if (provider === 'cloudflare' && cloudflare) readSecret(cloudflare.apiToken, 'access.cloudflare.apiToken', env);
  if (provider === 'oauth2-proxy' && oauth2Proxy) {
    readSecret(oauth2Proxy.clientSecret, 'access.oauth2Proxy.clientSecret', env);
    readSecretEncryption(config.secrets);
  }
}
