import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { ConfigError } from '../../domain/errors.ts';
import { credentialsFromHelper, serverAddress } from './credential-helper.ts';
import { normalizeRegistryHost } from './image-ref.ts';

/** Credentials for one registry: a user and password, or an OAuth2 refresh token (`identitytoken`). */
export type RegistryCredentials = { username: string; password: string } | { identityToken: string };

/** Where the registry client gets credentials from. */
export interface CredentialStore {
  /** Credentials for `registry` (`host[:port]`), or undefined when there are none. */
  get(registry: string): Promise<RegistryCredentials | undefined>;
}

/** What one config file says about registries: its logins, and the credential helpers it names. */
interface DockerConfig {
  auths: Map<string, AuthEntry>;
  /** `credHelpers`: a helper per registry host. */
  helpers: Map<string, string>;
  /** `credsStore`: the helper for every registry without its own. */
  store?: string;
}

interface AuthEntry {
  auth?: string;
  username?: string;
  password?: string;
  identitytoken?: string;
}

/**
 * The places Docker-compatible tools keep registry logins, in the order they are consulted:
 * `$DOCKER_CONFIG/config.json`, `~/.docker/config.json`, then podman's `$REGISTRY_AUTH_FILE` and
 * `$XDG_RUNTIME_DIR/containers/auth.json`. The composition root passes its environment in.
 *
 * @example
 * new DockerConfigCredentials({ paths: [explicit, ...defaultDockerConfigPaths(process.env, os.homedir())] })
 */
export function defaultDockerConfigPaths(env: Record<string, string | undefined>, homedir: string): string[] {
  const paths: string[] = [];
  if (env.DOCKER_CONFIG) paths.push(join(env.DOCKER_CONFIG, 'config.json'));
  paths.push(join(homedir, '.docker', 'config.json'));
  if (env.REGISTRY_AUTH_FILE) paths.push(env.REGISTRY_AUTH_FILE);
  if (env.XDG_RUNTIME_DIR) paths.push(join(env.XDG_RUNTIME_DIR, 'containers', 'auth.json'));
  return paths;
}

/**
 * Registry logins read from Docker `config.json` files (`auths.<host>.auth` = base64 `user:pass`,
 * or `username`/`password`, or `identitytoken`) and from Kubernetes `kubernetes.io/dockerconfigjson`
 * Secret manifests (YAML or JSON). Missing files are skipped; the first file with an entry for the
 * host wins. Keys match by host, so `https://index.docker.io/v1/` serves `registry-1.docker.io`.
 *
 * A file's credential helpers come before its `auths`, as in Docker: `credHelpers.<host>`, else
 * `credsStore`, names a `docker-credential-<name>` program on `env.PATH`, asked with `get` and the
 * host on stdin. A helper that has nothing for the host lets the search go on.
 *
 * @example
 * const credentials = new DockerConfigCredentials({ paths: ['/etc/slipway/regcred.yaml'], env: process.env });
 * await credentials.get('registry.k8s-lab.dev') // { username: 'ci', password: '…' }
 */
export class DockerConfigCredentials implements CredentialStore {
  readonly #paths: string[];
  readonly #env: Record<string, string | undefined>;
  #loaded: Promise<DockerConfig[]> | undefined;
  readonly #found = new Map<string, Promise<RegistryCredentials | undefined>>();

  constructor(options: { paths: string[]; env?: Record<string, string | undefined> }) {
    this.#paths = options.paths;
    this.#env = options.env ?? {};
  }

  get(registry: string): Promise<RegistryCredentials | undefined> {
    const wanted = hostKey(registry);
    // One lookup per registry and process: a helper may unlock a keychain or call a cloud API.
    let found = this.#found.get(wanted);
    if (!found) {
      found = this.#lookup(wanted);
      this.#found.set(wanted, found);
    }
    return found;
  }

  async #lookup(wanted: string): Promise<RegistryCredentials | undefined> {
    this.#loaded ??= Promise.all(this.#paths.map((path) => loadConfig(path)));
    for (const config of await this.#loaded) {
      const helper = config.helpers.get(wanted) ?? config.store;
      if (helper) {
        const fromHelper = await credentialsFromHelper(helper, serverAddress(wanted), this.#env);
        if (fromHelper) return fromHelper;
      }
      const entry = config.auths.get(wanted);
      const credentials = entry ? toCredentials(entry) : undefined;
      if (credentials) return credentials;
    }
    return undefined;
  }
}

/** One small file, read once per process: a synchronous read costs less than a thread-pool round trip. */
async function loadConfig(path: string): Promise<DockerConfig> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { auths: new Map(), helpers: new Map() };
    throw new ConfigError(`Cannot read the registry credentials file ${path}: ${(error as Error).message}`);
  }
  return parseDockerConfig(text, path);
}

/**
 * The `auths` of a Docker config file, a `.dockerconfigjson` value, or a Kubernetes Secret holding
 * one, keyed by normalised host.
 *
 * @example
 * parseAuths('{"auths":{"https://index.docker.io/v1/":{"auth":"dTpw"}}}', 'config.json').get('registry-1.docker.io')
 */
export function parseAuths(text: string, source: string): Map<string, AuthEntry> {
  return parseDockerConfig(text, source).auths;
}

/** Logins and credential helpers of one config file (helpers only in Docker's own config.json). */
function parseDockerConfig(text: string, source: string): DockerConfig {
  let document: unknown;
  try {
    // Docker writes JSON; only Kubernetes Secret files need the YAML parser, loaded on demand to keep starts fast.
    document = looksLikeJson(text) ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    // Only the first line: the parser quotes the offending text, which may hold a password.
    const where = (error as Error).message.split('\n')[0]!.replace(/:$/, '');
    throw new ConfigError(`The registry credentials file ${source} is neither JSON nor YAML: ${where}`);
  }
  const root = unwrapSecret(document, source);
  const auths = isObject(root) && isObject(root.auths) ? root.auths : undefined;
  const result: DockerConfig = { auths: new Map(), helpers: new Map() };
  for (const [key, value] of Object.entries(auths ?? {})) {
    if (isObject(value)) result.auths.set(hostKey(key), value as AuthEntry);
  }
  if (!isObject(root)) return result;
  if (isObject(root.credHelpers)) {
    for (const [key, value] of Object.entries(root.credHelpers)) {
      if (typeof value === 'string' && value) result.helpers.set(hostKey(key), helperName(value, `credHelpers of ${source}`));
    }
  }
  if (typeof root.credsStore === 'string' && root.credsStore) result.store = helperName(root.credsStore, `credsStore of ${source}`);
  return result;
}

/** A helper is named, not given as a path: `docker-credential-<name>` found on PATH. */
function helperName(name: string, where: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name)) {
    throw new ConfigError(`The credential helper "${name}" in the ${where} is not a helper name`, { hint: 'Name the helper as Docker does, e.g. "credsStore": "pass" for docker-credential-pass.' });
  }
  return name;
}

/** For a Kubernetes Secret, the decoded `.dockerconfigjson` inside it; other documents as they are. */
function unwrapSecret(document: unknown, source: string): unknown {
  if (!isObject(document) || document.kind !== 'Secret') return document;
  const data = isObject(document.data) ? document.data : {};
  const stringData = isObject(document.stringData) ? document.stringData : {};
  let inner: string | undefined;
  if (typeof stringData['.dockerconfigjson'] === 'string') inner = stringData['.dockerconfigjson'];
  else if (typeof data['.dockerconfigjson'] === 'string') inner = Buffer.from(data['.dockerconfigjson'], 'base64').toString('utf8');
  if (inner === undefined) {
    throw new ConfigError(`The Secret in ${source} has no .dockerconfigjson entry.`, {
      hint: 'Create it with: kubectl create secret docker-registry regcred --docker-server=… --docker-username=… --docker-password=…',
    });
  }
  try {
    return JSON.parse(inner);
  } catch {
    throw new ConfigError(`The .dockerconfigjson in the Secret in ${source} is not valid JSON.`);
  }
}

function toCredentials(entry: AuthEntry): RegistryCredentials | undefined {
  if (entry.identitytoken) return { identityToken: entry.identitytoken };
  if (entry.username && entry.password !== undefined) return { username: entry.username, password: entry.password };
  if (entry.auth) {
    const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon > 0) return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
  }
  return undefined;
}

/** `https://Registry.example:5000/v1/` → `registry.example:5000`; Docker Hub's names → one host. */
function hostKey(key: string): string {
  const host = key.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '').replace(/\/.*$/, '').toLowerCase();
  return normalizeRegistryHost(host);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function looksLikeJson(text: string): boolean {
  const trimmed = text.trim();
  if (!trimmed.startsWith('{')) return false;
  try {
    JSON.parse(trimmed);
    return true;
  } catch {
    return false;
  }
}

function parseYaml(text: string): unknown {
  const { parse } = createRequire(import.meta.url)('yaml') as typeof import('yaml');
  return parse(text);
}
