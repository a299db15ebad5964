import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '../../src/adapters/os/free-port.ts';
import { createSelfSignedCertificate, signEs256Jwt, type SelfSignedCertificate } from './tls.ts';

const run = promisify(execFile);

/**
 * How the test registry guards itself: `plain` (HTTP, anyone may push), `tls-basic` (HTTPS with a
 * self-signed certificate and htpasswd users), `token` (HTTP with Bearer token auth against a
 * token service running in this process).
 */
export type RegistryMode = 'plain' | 'tls-basic' | 'token';

export interface RegistryServerOptions {
  mode?: RegistryMode;
  /** Users for `tls-basic` and `token`; default `{ slipway: 'registry-pass' }`. */
  users?: Record<string, string>;
  /** `token` mode: which actions a user may have on a repository (default: all it asks for). */
  grant?: (user: string, repository: string, requested: string[]) => string[];
  /** `token` mode: answer with `access_token` only (the OAuth2 spelling) instead of `token`. */
  accessTokenOnly?: boolean;
  /** `token` mode: OAuth2 refresh tokens (Docker's `identitytoken`) the service accepts, to the user each stands for. */
  refreshTokens?: Record<string, string>;
  /** Environment variables for the registry process (`REGISTRY_…` ones override the configuration, as in a container). */
  env?: Record<string, string>;
  /** Whether the registry accepts manifest DELETE (default true); false answers 405 UNSUPPORTED as a default registry does. */
  deleteEnabled?: boolean;
}

/** One token the token service issued: who asked and for which scopes. */
export interface TokenRequest {
  user: string;
  service: string;
  scopes: string[];
}

export interface RegistryServer {
  /** `127.0.0.1:PORT`, as an image reference names the registry. */
  host: string;
  /** `http(s)://127.0.0.1:PORT`. */
  url: string;
  storageDir: string;
  /** The registry's configuration file (for `docker-registry garbage-collect`). */
  configPath: string;
  /** The PEM certificate to trust (`tls-basic`). */
  ca?: string;
  /** A user the registry accepts (`tls-basic`, `token`). */
  username?: string;
  password?: string;
  /** Requests the token service answered (`token`). */
  tokenRequests: TokenRequest[];
  /** Kills the registry process; its port and storage stay reserved for `startProcess`. */
  stopProcess(): Promise<void>;
  /** Starts the registry again on the same port and storage. */
  startProcess(): Promise<void>;
  restart(): Promise<void>;
  /** Stops everything and removes the temporary directory. */
  stop(): Promise<void>;
  /** What the registry printed (for failing tests). */
  output(): string;
}

const SERVICE = 'slipway-test-registry';
const ISSUER = 'slipway-test-issuer';

/**
 * Starts the real Debian `docker-registry` on 127.0.0.1 with a free port and temporary storage,
 * and waits until `/v2/` answers.
 *
 * @example
 * const registry = await startRegistry({ mode: 'tls-basic' });
 * try { … push to registry.host … } finally { await registry.stop(); }
 */
export async function startRegistry(options: RegistryServerOptions = {}): Promise<RegistryServer> {
  const mode = options.mode ?? 'plain';
  const users = options.users ?? { slipway: 'registry-pass' };
  const root = await mkdtemp(join(tmpdir(), 'slipway-registry-'));
  const storageDir = join(root, 'storage');
  const port = await freePort();
  const host = `127.0.0.1:${port}`;
  const config: Record<string, unknown> = {
    version: 0.1,
    log: { level: 'error', accesslog: { disabled: true } },
    // As Debian's /etc/docker/registry/config.yml and the registry image ship it: blob descriptors cached in memory.
    storage: { cache: { blobdescriptor: 'inmemory' }, filesystem: { rootdirectory: storageDir }, delete: { enabled: options.deleteEnabled ?? true }, maintenance: { uploadpurging: { enabled: false } } },
    http: { addr: host, secret: randomBytes(16).toString('hex') },
  };
  let ca: string | undefined;
  let tokenServer: Server | undefined;
  const tokenRequests: TokenRequest[] = [];

  if (mode === 'tls-basic') {
    const cert = await createSelfSignedCertificate(root, 'registry');
    ca = cert.cert;
    (config.http as Record<string, unknown>).tls = { certificate: cert.certPath, key: cert.keyPath };
    const lines: string[] = [];
    for (const [user, password] of Object.entries(users)) {
      // bcrypt cost 5: the registry checks the hash on every request; cost 12 costs ~300 ms each.
      const { stdout } = await run('htpasswd', ['-Bbn', '-C', '5', user, password]);
      lines.push(stdout.trim());
    }
    await writeFile(join(root, 'htpasswd'), `${lines.join('\n')}\n`);
    config.auth = { htpasswd: { realm: 'slipway-test', path: join(root, 'htpasswd') } };
  } else if (mode === 'token') {
    const signer = await createSelfSignedCertificate(root, 'token-signer', ['DNS:token-signer']);
    const tokenPort = await freePort();
    tokenServer = await startTokenService(tokenPort, {
      users, signer, grant: options.grant, accessTokenOnly: options.accessTokenOnly, refreshTokens: options.refreshTokens ?? {}, log: tokenRequests,
    });
    config.auth = {
      token: { realm: `http://127.0.0.1:${tokenPort}/token`, service: SERVICE, issuer: ISSUER, rootcertbundle: signer.certPath },
    };
  }
  const configPath = join(root, 'config.yml');
  // YAML is a superset of JSON, so the registry reads this as it is.
  await writeFile(configPath, JSON.stringify(config, null, 2));

  const url = `${mode === 'tls-basic' ? 'https' : 'http'}://${host}`;
  let child: ChildProcess | undefined;
  let output = '';

  const startProcess = async (): Promise<void> => {
    if (child) return;
    const started = spawn('docker-registry', ['serve', configPath], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...options.env } });
    child = started;
    const collect = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-20_000));
    started.stdout!.on('data', collect);
    started.stderr!.on('data', collect);
    started.once('exit', () => {
      if (child === started) child = undefined;
    });
    await waitForV2(url, ca, () => child === started, () => output);
  };
  const stopProcess = async (): Promise<void> => {
    const current = child;
    if (!current) return;
    child = undefined;
    await new Promise<void>((resolve) => {
      current.once('exit', () => resolve());
      current.kill('SIGKILL');
    });
  };

  // A test process that dies without stop() must not leave a registry running or its files behind.
  const onExit = () => {
    child?.kill('SIGKILL');
    rmSync(root, { recursive: true, force: true });
  };
  process.once('exit', onExit);
  await startProcess();
  const [username, password] = Object.entries(users)[0] ?? [];
  return {
    host, url, storageDir, configPath, ca, tokenRequests,
    ...(mode === 'plain' ? {} : { username, password }),
    stopProcess,
    startProcess,
    restart: async () => {
      await stopProcess();
      await startProcess();
    },
    stop: async () => {
      process.off('exit', onExit);
      await stopProcess();
      if (tokenServer) await new Promise((resolve) => tokenServer!.close(resolve));
      await rm(root, { recursive: true, force: true });
    },
    output: () => output,
  };
}

/** Polls `GET /v2/` until the registry answers at all (200, or 401 when it wants credentials). */
async function waitForV2(url: string, ca: string | undefined, alive: () => boolean, output: () => string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (!alive()) throw new Error(`docker-registry exited while starting:\n${output()}`);
    const status = await new Promise<number | undefined>((resolve) => {
      const request = (url.startsWith('https') ? httpsRequest : httpRequest)(`${url}/v2/`, { ca, agent: false }, (response) => {
        response.resume();
        resolve(response.statusCode);
      });
      request.on('error', () => resolve(undefined));
      request.end();
    });
    if (status === 200 || status === 401) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`docker-registry did not answer on ${url}/v2/ within 15 s:\n${output()}`);
}

interface TokenServiceOptions {
  users: Record<string, string>;
  signer: SelfSignedCertificate;
  grant: RegistryServerOptions['grant'];
  accessTokenOnly: boolean | undefined;
  refreshTokens: Record<string, string>;
  log: TokenRequest[];
}

/**
 * A minimal Docker token service: checks Basic credentials, grants the requested repository
 * scopes (filtered by `grant`) and answers with an ES256 JWT the registry trusts.
 */
async function startTokenService(port: number, options: TokenServiceOptions): Promise<Server> {
  const server = createServer(async (request, response) => {
    let query = new URL(request.url ?? '/', 'http://token').searchParams;
    let user = basicUser(request, options.users);
    if (request.method === 'POST') {
      // The OAuth2 form (docker's identitytoken flow): grant_type=refresh_token, scope space-separated.
      const chunks: Buffer[] = [];
      for await (const chunk of request) chunks.push(chunk as Buffer);
      query = new URLSearchParams(Buffer.concat(chunks).toString());
      user = query.get('grant_type') === 'refresh_token' ? options.refreshTokens[query.get('refresh_token') ?? ''] : undefined;
    }
    if (!user) {
      response.writeHead(401, { 'content-type': 'application/json', 'www-authenticate': 'Basic realm="token"' });
      response.end(JSON.stringify({ details: 'incorrect username or password' }));
      return;
    }
    const scopes = query.getAll('scope').flatMap((scope) => scope.split(' ')).filter(Boolean);
    const service = query.get('service') ?? '';
    options.log.push({ user, service, scopes });
    const access = scopes.flatMap((scope) => {
      const [type, name, actions] = scope.split(':');
      if (type !== 'repository' || !name || !actions) return [];
      const requested = actions.split(',');
      const granted = options.grant ? options.grant(user, name, requested) : requested;
      return [{ type, name, actions: granted }];
    });
    const now = Math.floor(Date.now() / 1000);
    const claims = { iss: ISSUER, sub: user, aud: service, exp: now + 300, nbf: now - 5, iat: now, jti: randomBytes(8).toString('hex'), access };
    const jwt = signEs256Jwt(claims, { keyPem: options.signer.key, certPem: options.signer.cert });
    const body = options.accessTokenOnly ? { access_token: jwt, expires_in: 300 } : { token: jwt, expires_in: 300, issued_at: new Date().toISOString() };
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return server;
}

function basicUser(request: IncomingMessage, users: Record<string, string>): string | undefined {
  const header = request.headers.authorization ?? '';
  if (!header.startsWith('Basic ')) return undefined;
  const decoded = Buffer.from(header.slice(6), 'base64').toString();
  const colon = decoded.indexOf(':');
  const user = decoded.slice(0, colon);
  return colon > 0 && users[user] === decoded.slice(colon + 1) ? user : undefined;
}
