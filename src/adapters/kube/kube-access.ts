import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, join } from 'node:path';
import { parse } from 'yaml';
import { ConfigError } from '../../domain/errors.ts';
import type { KubeAccess } from '../../ports/kube-access.ts';
import { ExecCredentialPlugin, type ExecConfig } from './exec-credential.ts';

export type { KubeAccess } from '../../ports/kube-access.ts';

/** The default place Kubernetes mounts a pod's service account credentials. */
export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

type Entry = Record<string, unknown> & { name?: unknown };

interface KubeconfigCluster {
  server?: string;
  'certificate-authority'?: string;
  'certificate-authority-data'?: string;
  'insecure-skip-tls-verify'?: boolean;
}

interface KubeconfigUser {
  token?: string;
  tokenFile?: string;
  'client-certificate'?: string;
  'client-certificate-data'?: string;
  'client-key'?: string;
  'client-key-data'?: string;
  exec?: ExecConfig;
  'auth-provider'?: unknown;
  username?: string;
}

/** One kubeconfig file: its text, and its path (file references in it are relative to its folder). */
export interface KubeconfigFile {
  path: string;
  text: string;
}

export interface KubeconfigOptions {
  /** The folder relative file references resolve against; default: the working directory. */
  baseDir?: string;
  /** The environment a credential plugin starts with; default: none but the plugin's own `env`. */
  env?: Record<string, string | undefined>;
}

/** An entry of a merged kubeconfig, with the folder of the file it came from. */
interface Found<T> {
  value: T;
  dir: string;
}

/** Several kubeconfig files merged as kubectl merges `KUBECONFIG`: per name, the first file that has it wins. */
interface Merged {
  currentContext?: string;
  contexts: Map<string, Found<{ cluster?: string; user?: string; namespace?: string }>>;
  clusters: Map<string, Found<KubeconfigCluster>>;
  users: Map<string, Found<KubeconfigUser>>;
}

/**
 * Reads the access for one context of a kubeconfig (YAML text). Inline `*-data` fields are
 * decoded; file references (`certificate-authority`, `client-key`, `tokenFile`) are read relative
 * to `baseDir` (the kubeconfig's directory, as kubectl resolves them). An `exec` user gets its
 * credentials from its plugin (see {@link ExecCredentialPlugin}); auth providers are refused.
 *
 * @example
 * const access = kubeAccessFromKubeconfig(await readFile('/etc/rancher/k3s/k3s.yaml', 'utf8'));
 * access.apiServer // 'https://127.0.0.1:6443'
 */
export function kubeAccessFromKubeconfig(text: string, context?: string, options: KubeconfigOptions = {}): KubeAccess {
  const baseDir = options.baseDir ?? process.cwd();
  return kubeAccessFromKubeconfigs([{ path: join(baseDir, 'config'), text }], context, options);
}

/**
 * The access for one context of several kubeconfig files merged as kubectl merges a colon-separated
 * `KUBECONFIG`: `current-context` from the first file that sets one, and each context, cluster and
 * user from the first file that names it. File references resolve against their own file's folder.
 *
 * @example
 * kubeAccessFromKubeconfigs([{ path: '/home/me/.kube/config', text }, { path: '/etc/rancher/k3s/k3s.yaml', text: k3s }])
 */
export function kubeAccessFromKubeconfigs(files: KubeconfigFile[], context?: string, options: KubeconfigOptions = {}): KubeAccess {
  const merged: Merged = { contexts: new Map(), clusters: new Map(), users: new Map() };
  for (const file of files) {
    let doc: Record<string, unknown>;
    try {
      doc = (parse(file.text) ?? {}) as Record<string, unknown>;
    } catch (error) {
      throw new ConfigError(`the kubeconfig ${file.path} is not valid YAML: ${(error as Error).message.split('\n')[0]}`, { hint: 'Point kube.kubeconfig at the file `kubectl config view --raw` prints.' });
    }
    const dir = dirname(file.path);
    if (!merged.currentContext && typeof doc['current-context'] === 'string' && doc['current-context']) merged.currentContext = doc['current-context'];
    addEntries(merged.contexts, doc.contexts, 'context', dir);
    addEntries(merged.clusters, doc.clusters, 'cluster', dir);
    addEntries(merged.users, doc.users, 'user', dir);
  }
  return accessFrom(merged, context, options.env ?? {});
}

function accessFrom(merged: Merged, context: string | undefined, env: Record<string, string | undefined>): KubeAccess {
  const contextName = context ?? merged.currentContext;
  if (!contextName) throw new ConfigError('the kubeconfig names no current-context', { hint: 'Name a context in slipway.yaml (kube.context) or run `kubectl config use-context <name>`.' });
  const ctx = merged.contexts.get(contextName)?.value;
  if (!ctx) throw new ConfigError(`the kubeconfig has no context "${contextName}"`, { hint: `Contexts in it: ${[...merged.contexts.keys()].join(', ') || 'none'}.` });
  const clusterFound = ctx.cluster ? merged.clusters.get(ctx.cluster) : undefined;
  const cluster = clusterFound?.value;
  if (!clusterFound || !cluster?.server) throw new ConfigError(`the kubeconfig context "${contextName}" names no cluster with a server URL`, { hint: 'Check the clusters section of the kubeconfig.' });
  const userFound = ctx.user ? merged.users.get(ctx.user) : undefined;
  const user = userFound?.value ?? {};
  if (user['auth-provider'] !== undefined) {
    throw new ConfigError(`the kubeconfig user "${ctx.user}" uses an auth-provider, which Slipway does not support`, {
      hint: 'Use an exec credential plugin (kubectl has dropped auth providers too), or give Slipway a service account token: kubectl -n slipway create token slipway.',
    });
  }
  const data = (inline: string | undefined, path: string | undefined, dir: string) =>
    inline ? Buffer.from(inline, 'base64').toString('utf8') : path ? readFileSync(isAbsolute(path) ? path : join(dir, path), 'utf8') : undefined;
  const access: KubeAccess = { apiServer: cluster.server.replace(/\/+$/, '') };
  const ca = data(cluster['certificate-authority-data'], cluster['certificate-authority'], clusterFound.dir);
  if (ca) access.ca = ca;
  if (cluster['insecure-skip-tls-verify'] === true) access.insecureSkipTlsVerify = true;
  const userDir = userFound?.dir ?? process.cwd();
  if (user.token) access.token = user.token;
  else if (user.tokenFile) access.tokenFile = isAbsolute(user.tokenFile) ? user.tokenFile : join(userDir, user.tokenFile);
  const cert = data(user['client-certificate-data'], user['client-certificate'], userDir);
  const key = data(user['client-key-data'], user['client-key'], userDir);
  if (cert && key) Object.assign(access, { clientCert: cert, clientKey: key });
  if (user.exec !== undefined && !access.token && !access.tokenFile && !access.clientCert) {
    access.exec = new ExecCredentialPlugin(user.exec, { baseDir: userDir, env, cluster: { server: access.apiServer, ...(ca ? { ca } : {}), ...(access.insecureSkipTlsVerify ? { insecureSkipTlsVerify: true } : {}) } });
  }
  if (ctx.namespace) access.namespace = ctx.namespace;
  if (!access.token && !access.tokenFile && !access.clientCert && !access.exec) {
    throw new ConfigError(`the kubeconfig user "${ctx.user ?? '(none)'}" has no token or client certificate`, { hint: 'Slipway supports token, tokenFile, client-certificate and exec plugin users.' });
  }
  return access;
}

function addEntries<T>(into: Map<string, Found<T>>, list: unknown, field: string, dir: string): void {
  if (!Array.isArray(list)) return;
  for (const item of list as Entry[]) {
    if (typeof item?.name !== 'string' || into.has(item.name)) continue;
    const value = item[field];
    if (value && typeof value === 'object') into.set(item.name, { value: value as T, dir });
  }
}

/**
 * The access a pod has to its own cluster: the API server from the `KUBERNETES_SERVICE_HOST` and
 * `KUBERNETES_SERVICE_PORT` values (passed in by the caller, which reads the environment), the
 * service account's CA and namespace from `dir`, and its token file (re-read, since it rotates).
 *
 * @example
 * const access = await kubeAccessInCluster({ host: env.KUBERNETES_SERVICE_HOST, port: env.KUBERNETES_SERVICE_PORT });
 */
export async function kubeAccessInCluster(options: { host?: string; port?: string | number; dir?: string }): Promise<KubeAccess> {
  const { host, port } = options;
  const dir = options.dir ?? SERVICE_ACCOUNT_DIR;
  if (!host || !port) {
    throw new ConfigError('not running inside a Kubernetes pod (KUBERNETES_SERVICE_HOST/PORT are not set)', {
      hint: 'Outside the cluster, point Slipway at a kubeconfig instead.',
    });
  }
  const hostPart = host.includes(':') ? `[${host}]` : host;
  const read = async (name: string) => {
    try {
      return await readFile(join(dir, name), 'utf8');
    } catch (error) {
      throw new ConfigError(`cannot read the service account's ${name} in ${dir}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, {
        hint: 'Mount a service account token into the pod (automountServiceAccountToken: true).',
      });
    }
  };
  // One after the other: with several files missing, the error names the first, the same every time.
  const ca = await read('ca.crt');
  const namespace = await read('namespace');
  await read('token');
  return { apiServer: `https://${hostPart}:${port}`, tokenFile: join(dir, 'token'), ca, namespace: namespace.trim() };
}
