import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import { parse } from 'yaml';
import { ConfigError } from '../../domain/errors.ts';

/**
 * How to reach one Kubernetes API server: its URL and credentials (a bearer token, or a client
 * certificate such as k3s writes into its kubeconfig), and the CA that signed its certificate.
 * PEM text, never file paths, except `tokenFile`, which is re-read because in-cluster tokens rotate.
 */
export interface KubeAccess {
  /** `https://host:port` (no trailing path). */
  apiServer: string;
  token?: string;
  /** A file holding the bearer token, re-read about once a minute (projected service account tokens rotate). */
  tokenFile?: string;
  /** PEM CA bundle trusted for the API server (instead of the public roots, as kubectl does). */
  ca?: string;
  clientCert?: string;
  clientKey?: string;
  insecureSkipTlsVerify?: boolean;
  /** The context's namespace (kubeconfig) or the pod's own namespace (in cluster), when known. */
  namespace?: string;
}

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
  exec?: unknown;
  'auth-provider'?: unknown;
  username?: string;
}

/**
 * Reads the access for one context of a kubeconfig (YAML text). Inline `*-data` fields are
 * decoded; file references (`certificate-authority`, `client-key`, `tokenFile`) are read relative
 * to `baseDir` (the kubeconfig's directory, as kubectl resolves them). Exec plugins and auth
 * providers are refused with a hint, because Slipway runs no external credential helpers.
 *
 * @example
 * const access = kubeAccessFromKubeconfig(await readFile('/etc/rancher/k3s/k3s.yaml', 'utf8'));
 * access.apiServer // 'https://127.0.0.1:6443'
 */
export function kubeAccessFromKubeconfig(text: string, context?: string, options: { baseDir?: string } = {}): KubeAccess {
  let doc: Record<string, unknown>;
  try {
    doc = (parse(text) ?? {}) as Record<string, unknown>;
  } catch (error) {
    throw new ConfigError(`the kubeconfig is not valid YAML: ${(error as Error).message}`, { hint: 'Point kubernetes.kubeconfig at the file `kubectl config view --raw` prints.' });
  }
  const contextName = context ?? (doc['current-context'] as string | undefined);
  if (!contextName) throw new ConfigError('the kubeconfig names no current-context', { hint: 'Name a context in slipway.yaml (kubernetes.context) or run `kubectl config use-context <name>`.' });
  const ctx = pick<{ cluster?: string; user?: string; namespace?: string }>(doc.contexts, contextName, 'context');
  if (!ctx) throw new ConfigError(`the kubeconfig has no context "${contextName}"`, { hint: `Contexts in it: ${names(doc.contexts).join(', ') || 'none'}.` });
  const cluster = ctx.cluster ? pick<KubeconfigCluster>(doc.clusters, ctx.cluster, 'cluster') : undefined;
  if (!cluster?.server) throw new ConfigError(`the kubeconfig context "${contextName}" names no cluster with a server URL`, { hint: 'Check the clusters section of the kubeconfig.' });
  const user = (ctx.user ? pick<KubeconfigUser>(doc.users, ctx.user, 'user') : undefined) ?? {};
  if (user.exec !== undefined || user['auth-provider'] !== undefined) {
    throw new ConfigError(`the kubeconfig user "${ctx.user}" gets its credentials from an external program, which Slipway does not run`, {
      hint: 'Give Slipway a service account token instead: kubectl -n slipway create token slipway, and set it as the user token.',
    });
  }
  const baseDir = options.baseDir ?? process.cwd();
  const file = (path: string) => readFileSync(isAbsolute(path) ? path : join(baseDir, path), 'utf8');
  const data = (inline: string | undefined, path: string | undefined) =>
    inline ? Buffer.from(inline, 'base64').toString('utf8') : path ? file(path) : undefined;
  const access: KubeAccess = { apiServer: cluster.server.replace(/\/+$/, '') };
  const ca = data(cluster['certificate-authority-data'], cluster['certificate-authority']);
  if (ca) access.ca = ca;
  if (cluster['insecure-skip-tls-verify'] === true) access.insecureSkipTlsVerify = true;
  if (user.token) access.token = user.token;
  else if (user.tokenFile) access.tokenFile = isAbsolute(user.tokenFile) ? user.tokenFile : join(baseDir, user.tokenFile);
  const cert = data(user['client-certificate-data'], user['client-certificate']);
  const key = data(user['client-key-data'], user['client-key']);
  if (cert && key) Object.assign(access, { clientCert: cert, clientKey: key });
  if (ctx.namespace) access.namespace = ctx.namespace;
  if (!access.token && !access.tokenFile && !access.clientCert) {
    throw new ConfigError(`the kubeconfig user "${ctx.user ?? '(none)'}" has no token or client certificate`, { hint: 'Slipway supports token, tokenFile and client-certificate users.' });
  }
  return access;
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

function pick<T>(list: unknown, name: string, field: string): T | undefined {
  if (!Array.isArray(list)) return undefined;
  const entry = (list as Entry[]).find((item) => item?.name === name);
  return entry ? (entry[field] as T | undefined) : undefined;
}

function names(list: unknown): string[] {
  return Array.isArray(list) ? (list as Entry[]).map((item) => String(item?.name)) : [];
}
