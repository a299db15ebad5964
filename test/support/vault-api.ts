import { startReceiver, type Receiver } from '../../src/adapters/notify/receiver.test-support.ts';

/** One version of a secret as the stand-in keeps it. */
export interface StoredVersion {
  data: Record<string, string> | null;
  created_time: string;
  deletion_time: string;
  destroyed: boolean;
}

/** A token's capabilities (Vault's policy words) on paths, by glob as policies write them (`secret/data/slipway/*`). */
export type VaultGrants = Record<string, Array<'create' | 'read' | 'update' | 'delete' | 'list'>>;

export interface VaultStandIn extends Receiver {
  /** Vault's address, as secrets.externalSecrets.vault.url takes it. */
  address: string;
  /** Every version of the secret at `path` of `mount` (index 0 is version 1). */
  versions(mount: string, path: string): StoredVersion[];
  /** Writes a version as another client would, e.g. a key put there by hand. */
  put(mount: string, path: string, data: Record<string, string>): void;
  /** Writes a version as another client would just before the next write request is handled: a race. */
  putBeforeNextWrite(mount: string, path: string, data: Record<string, string>): void;
}

export interface VaultStandInOptions {
  /** KV version 2 engines by mount path, e.g. ['secret']. */
  mounts: string[];
  /** Tokens by value, with what each may do. */
  tokens: Record<string, VaultGrants>;
}

/**
 * A local server answering as Vault's KV secrets engine version 2 does
 * (https://developer.hashicorp.com/vault/api-docs/secret/kv/kv-v2): `X-Vault-Token` checked against
 * the token's policy (capability `read` for GET, `create` for a new secret, `update` for a new version
 * of one) — missing, unknown or not allowed: 403 `{"errors":["permission denied"]}`; under
 * `/v1/<mount>/data/<path>` GET (the latest version, or `?version=n`; 404 `{"errors":[]}` when none)
 * and POST/PUT `{ options?: { cas }, data }` (a new version; a `cas` that is not the current version
 * → 400 "check-and-set parameter did not match the current version"); under
 * `/v1/<mount>/metadata/<path>` GET (current_version, versions); `POST /v1/sys/capabilities-self`
 * `{ paths }` (each path's capabilities, `deny` when no policy grants any). It keeps what it was given.
 */
export async function startVaultStandIn(options: VaultStandInOptions): Promise<VaultStandIn> {
  const secrets = new Map<string, StoredVersion[]>();
  const key = (mount: string, path: string) => `${mount}\0${path}`;
  const write = (mount: string, path: string, data: Record<string, string>) => {
    const versions = secrets.get(key(mount, path)) ?? [];
    versions.push({ data: { ...data }, created_time: new Date().toISOString(), deletion_time: '', destroyed: false });
    secrets.set(key(mount, path), versions);
    return versions.length;
  };

  let racing: (() => void) | undefined;
  const receiver = await startReceiver((request, res) => {
    if (request.method === 'POST' || request.method === 'PUT') {
      racing?.();
      racing = undefined;
    }
    const send = (status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    const url = new URL(request.path, 'http://vault');
    if (url.pathname === '/v1/sys/capabilities-self' && (request.method === 'POST' || request.method === 'PUT')) {
      const grants = options.tokens[String(request.headers['x-vault-token'] ?? '')];
      if (!grants) return send(403, { errors: ['permission denied'] });
      const paths = (JSON.parse(request.body) as { paths?: string[] }).paths ?? [];
      const answer = Object.fromEntries(paths.map((path) => [path, capabilitiesOn(grants, path)]));
      return send(200, { ...answer, capabilities: paths.length === 1 ? answer[paths[0]!] : undefined, data: answer });
    }
    const mount = options.mounts.find((m) => url.pathname.startsWith(`/v1/${m}/data/`) || url.pathname.startsWith(`/v1/${m}/metadata/`));
    const token = String(request.headers['x-vault-token'] ?? '');
    const grants = options.tokens[token];
    if (!mount) return grants ? send(404, { errors: [`no handler for route "${url.pathname.slice(4)}". route entry not found.`] }) : send(403, { errors: ['permission denied'] });
    const [, area, ...rest] = url.pathname.slice(`/v1/${mount}`.length).split('/');
    const path = rest.map(decodeURIComponent).join('/');
    const versions = secrets.get(key(mount, path)) ?? [];
    const capability = request.method === 'GET' ? 'read' : versions.length === 0 ? 'create' : 'update';
    if (!grants || !allowed(grants, `${mount}/${area}/${path}`, capability)) return send(403, { errors: ['permission denied'] });
    const metadata = (n: number) => {
      const v = secrets.get(key(mount, path))![n - 1]!;
      return { created_time: v.created_time, custom_metadata: null, deletion_time: v.deletion_time, destroyed: v.destroyed, version: n };
    };
    if (area === 'metadata' && request.method === 'GET') {
      if (versions.length === 0) return send(404, { errors: [] });
      const all = Object.fromEntries(versions.map((v, i) => [String(i + 1), { created_time: v.created_time, deletion_time: v.deletion_time, destroyed: v.destroyed }]));
      return send(200, { data: { cas_required: false, created_time: versions[0]!.created_time, current_version: versions.length, max_versions: 0, oldest_version: 1, updated_time: versions.at(-1)!.created_time, versions: all } });
    }
    if (area !== 'data') return send(405, { errors: [] });
    if (request.method === 'GET') {
      const n = url.searchParams.has('version') ? Number(url.searchParams.get('version')) : versions.length;
      if (n === 0 || n > versions.length) return send(404, { errors: [] });
      return send(200, { request_id: 'stand-in', lease_id: '', renewable: false, lease_duration: 0, data: { data: versions[n - 1]!.data, metadata: metadata(n) }, wrap_info: null, warnings: null, auth: null });
    }
    if (request.method !== 'POST' && request.method !== 'PUT') return send(405, { errors: [] });
    let body: { options?: { cas?: unknown }; data?: unknown };
    try {
      body = JSON.parse(request.body) as typeof body;
    } catch {
      return send(400, { errors: ['failed to parse JSON input'] });
    }
    if (body.data === null || typeof body.data !== 'object' || Array.isArray(body.data)) return send(400, { errors: ['no data provided'] });
    const cas = body.options?.cas;
    if (cas !== undefined && cas !== versions.length) return send(400, { errors: ['check-and-set parameter did not match the current version'] });
    const n = write(mount, path, body.data as Record<string, string>);
    return send(200, { request_id: 'stand-in', lease_id: '', renewable: false, lease_duration: 0, data: metadata(n), wrap_info: null, warnings: null, auth: null });
  });

  return {
    ...receiver,
    address: receiver.url.origin,
    versions: (mount, path) => structuredClone(secrets.get(key(mount, path)) ?? []),
    put: (mount, path, data) => void write(mount, path, data),
    putBeforeNextWrite: (mount, path, data) => {
      racing = () => void write(mount, path, data);
    },
  };
}

/** The union of what the policies matching `path` allow, or `deny` as Vault says when none does. */
function capabilitiesOn(grants: VaultGrants, path: string): string[] {
  const all = Object.entries(grants).filter(([glob]) => (glob.endsWith('*') ? path.startsWith(glob.slice(0, -1)) : path === glob)).flatMap(([, capabilities]) => capabilities);
  return all.length > 0 ? [...new Set(all)].sort() : ['deny'];
}

/** Vault's policy paths: exact, or a trailing `*` matching any rest. */
function allowed(grants: VaultGrants, path: string, capability: string): boolean {
  return Object.entries(grants).some(([glob, capabilities]) => (glob.endsWith('*') ? path.startsWith(glob.slice(0, -1)) : path === glob) && (capabilities as string[]).includes(capability));
}

