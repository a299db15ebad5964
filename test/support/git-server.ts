/**
 * Real git servers on loopback for tests: smart HTTP (`git http-backend` as CGI behind node:http,
 * optionally guarded by a Basic or Bearer token) and SSH (Debian's sshd with its own host key and a
 * generated deploy key, limited to git by `git-shell`). Each stops its processes and removes its
 * files on stop(), and when the test process exits without calling it.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import { promisify } from 'node:util';
import { createGunzip } from 'node:zlib';
import { freePort } from '../../src/adapters/os/free-port.ts';
import { createBareRepo } from './git-fixtures.ts';

const run = promisify(execFile);

/** Configuration git servers run with: none of the machine's or the user's. */
const CLEAN_GIT = { GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null', LC_ALL: 'C' };

export interface GitHttpServerOptions {
  /** Require `Authorization: Basic base64(username:password)`, or `Authorization: Bearer <token>`. */
  auth?: { username: string; password: string } | { bearer: string };
  /** Called for each request before it is served, while the client's git processes are running. */
  onRequest?: (request: IncomingMessage) => void | Promise<void>;
}

export interface ServedRequest {
  method: string;
  path: string;
  status: number;
  /** The body came gzip-compressed (Content-Encoding: gzip). */
  gzip: boolean;
}

export interface GitHttpServer {
  /** `http://127.0.0.1:PORT` */
  baseUrl: string;
  /** Where the served repositories live. */
  root: string;
  /** Creates an empty bare repository `name` (e.g. `gitops.git`); returns its directory and URL. */
  createRepo(name: string, branch?: string): Promise<{ dir: string; url: string }>;
  requests: ServedRequest[];
  /** What http-backend printed on stderr (for failing tests). */
  output(): string;
  stop(): Promise<void>;
}

/**
 * Starts git's smart HTTP server on a free loopback port. Pushes are allowed (http.receivepack).
 * @example
 * const server = await startGitHttpServer({ auth: { username: 'slipway', password: 'tok' } });
 * const { url } = await server.createRepo('gitops.git');
 * try { … git push url … } finally { await server.stop(); }
 */
export async function startGitHttpServer(options: GitHttpServerOptions = {}): Promise<GitHttpServer> {
  const root = await mkdtemp(join(tmpdir(), 'slipway-git-http-'));
  const children = new Set<ChildProcess>();
  const requests: ServedRequest[] = [];
  let output = '';
  const expected = options.auth === undefined ? undefined
    : 'bearer' in options.auth ? `Bearer ${options.auth.bearer}` : `Basic ${Buffer.from(`${options.auth.username}:${options.auth.password}`).toString('base64')}`;

  const server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://git').pathname;
    const gzip = /gzip/i.test(String(request.headers['content-encoding'] ?? ''));
    response.once('finish', () => requests.push({ method: request.method ?? '', path, status: response.statusCode, gzip }));
    void (async () => {
      await options.onRequest?.(request);
      if (expected !== undefined && request.headers.authorization !== expected) {
        const scheme = options.auth && 'bearer' in options.auth ? 'Bearer' : 'Basic';
        request.resume();
        response.writeHead(401, { 'www-authenticate': `${scheme} realm="slipway-test-git"`, 'content-type': 'text/plain' });
        response.end('authentication required\n');
        return;
      }
      await serveCgi(request, response, root, children, (text) => (output = (output + text).slice(-20_000)));
    })().catch((error: unknown) => {
      if (!response.headersSent) response.writeHead(500, { 'content-type': 'text/plain' });
      response.end(`${String(error)}\n`);
    });
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const baseUrl = `http://127.0.0.1:${port}`;
  const onExit = () => {
    for (const child of children) child.kill('SIGKILL');
    rmSync(root, { recursive: true, force: true });
  };
  process.once('exit', onExit);
  return {
    baseUrl, root, requests,
    createRepo: async (name, branch = 'main') => ({ dir: await createBareRepo(join(root, name), branch), url: `${baseUrl}/${name}` }),
    output: () => output,
    stop: async () => {
      process.off('exit', onExit);
      for (const child of children) child.kill('SIGKILL');
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await rm(root, { recursive: true, force: true });
    },
  };
}

/** Runs one request through `git http-backend` (RFC 3875 CGI), streaming both bodies. */
async function serveCgi(request: IncomingMessage, response: ServerResponse, root: string, children: Set<ChildProcess>, log: (text: string) => void): Promise<void> {
  const url = new URL(request.url ?? '/', 'http://git');
  const gzipped = /^(x-)?gzip$/i.test(String(request.headers['content-encoding'] ?? ''));
  const length = request.headers['content-length'];
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    ...CLEAN_GIT,
    GIT_PROJECT_ROOT: root,
    GIT_HTTP_EXPORT_ALL: '1',
    GIT_CONFIG_COUNT: '1',
    GIT_CONFIG_KEY_0: 'http.receivepack',
    GIT_CONFIG_VALUE_0: 'true',
    REMOTE_USER: 'slipway',
    REMOTE_ADDR: request.socket.remoteAddress ?? '127.0.0.1',
    GATEWAY_INTERFACE: 'CGI/1.1',
    SERVER_PROTOCOL: `HTTP/${request.httpVersion}`,
    REQUEST_METHOD: request.method ?? 'GET',
    PATH_INFO: decodeURIComponent(url.pathname),
    QUERY_STRING: url.search.slice(1),
    CONTENT_TYPE: String(request.headers['content-type'] ?? ''),
    // The body is inflated here, so its length is unknown: http-backend then reads to the end.
    ...(length !== undefined && !gzipped ? { CONTENT_LENGTH: length } : {}),
    // Protocol v2 is asked for in this header; the CGI passes it on as GIT_PROTOCOL.
    ...(request.headers['git-protocol'] ? { GIT_PROTOCOL: String(request.headers['git-protocol']) } : {}),
  };
  const child = spawn('git', ['http-backend'], { env, stdio: ['pipe', 'pipe', 'pipe'] });
  children.add(child);
  child.once('close', () => children.delete(child));
  child.stderr.on('data', (d: Buffer) => log(d.toString()));
  child.stdin.on('error', () => undefined); // http-backend may answer without reading the body
  const body: Readable = gzipped ? request.pipe(createGunzip()) : request;
  void pipeline(body, child.stdin).catch(() => child.stdin.destroy());
  await relayCgiOutput(child, response);
}

/** Reads the CGI header block (`Status:` and headers up to a blank line), then streams the rest. */
function relayCgiOutput(child: ChildProcess, response: ServerResponse): Promise<void> {
  const stdout = child.stdout!;
  return new Promise((resolve, reject) => {
    let head = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      head = Buffer.concat([head, chunk]);
      const end = headerEnd(head);
      if (end === -1) return;
      stdout.off('data', onData);
      stdout.off('end', onEnd);
      stdout.pause();
      let status = 200;
      const headers: Record<string, string> = {};
      for (const line of head.subarray(0, end).toString('latin1').split(/\r?\n/).filter(Boolean)) {
        const colon = line.indexOf(':');
        const name = line.slice(0, colon).trim();
        const value = line.slice(colon + 1).trim();
        if (name.toLowerCase() === 'status') status = Number.parseInt(value, 10);
        else headers[name] = value;
      }
      response.writeHead(status, headers);
      response.write(head.subarray(end));
      pipeline(stdout, response).then(resolve, reject);
    };
    const onEnd = () => {
      response.writeHead(500, { 'content-type': 'text/plain' });
      response.end('git http-backend printed no headers\n');
      resolve();
    };
    stdout.on('data', onData);
    stdout.once('end', onEnd);
  });
}

function headerEnd(head: Buffer): number {
  const crlf = head.indexOf('\r\n\r\n');
  const lf = head.indexOf('\n\n');
  if (crlf !== -1 && (lf === -1 || crlf < lf)) return crlf + 4;
  return lf === -1 ? -1 : lf + 2;
}

export interface GitSshServer {
  port: number;
  /** The user the deploy key logs in as (the user running the tests). */
  user: string;
  /** Where the served repositories live. */
  root: string;
  /** The deploy key the server accepts (private, mode 0600) and a known_hosts file trusting this server. */
  keyFile: string;
  knownHostsFile: string;
  /** `[127.0.0.1]:PORT ssh-ed25519 AAAA…` */
  knownHostsLine: string;
  createRepo(name: string, branch?: string): Promise<{ dir: string; url: string }>;
  /** What sshd logged (for failing tests). */
  output(): string;
  stop(): Promise<void>;
}

/**
 * Starts the machine's sshd in the foreground on a free loopback port with its own host key. Only
 * the generated deploy key may log in, and only to run git (`git-shell -c`). Needs to run as root
 * (sshd's privilege separation), as the tests here do.
 * @example
 * const ssh = await startGitSshServer();
 * const { url } = await ssh.createRepo('gitops.git');
 * new CliGit({ url, ssh: { keyFile: ssh.keyFile, knownHostsFile: ssh.knownHostsFile }, … });
 */
export async function startGitSshServer(): Promise<GitSshServer> {
  const root = await mkdtemp(join(tmpdir(), 'slipway-git-ssh-'));
  const repos = join(root, 'repos');
  await mkdir(repos);
  const hostKey = join(root, 'host_ed25519');
  const keyFile = join(root, 'deploy_ed25519');
  await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'slipway-test-host', '-f', hostKey]);
  await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'slipway-test-deploy', '-f', keyFile]);
  await chmod(keyFile, 0o600);
  const clientKey = (await readFile(`${keyFile}.pub`, 'utf8')).trim();
  // git-shell allows git-upload-pack / git-receive-pack <path> and nothing else.
  await writeFile(join(root, 'authorized_keys'), `restrict,command="git-shell -c \\"$SSH_ORIGINAL_COMMAND\\"" ${clientKey}\n`, { mode: 0o600 });
  const port = await freePort();
  const user = userInfo().username;
  const config = [
    `Port ${port}`, 'ListenAddress 127.0.0.1', `HostKey ${hostKey}`, `PidFile ${join(root, 'sshd.pid')}`,
    `AuthorizedKeysFile ${join(root, 'authorized_keys')}`, `AllowUsers ${user}`,
    // The temp dir is world-writable (sticky): StrictModes would refuse the keys file below it.
    'StrictModes no', 'PasswordAuthentication no', 'KbdInteractiveAuthentication no', 'UsePAM no',
    'PermitRootLogin prohibit-password', 'PubkeyAuthentication yes', 'AcceptEnv GIT_PROTOCOL',
    'MaxStartups 100', 'LogLevel INFO', 'PrintMotd no', 'X11Forwarding no',
    // The post-quantum default key exchange costs ~0.5 s of CPU per connection on a small machine.
    'KexAlgorithms curve25519-sha256',
  ];
  const configPath = join(root, 'sshd_config');
  await writeFile(configPath, `${config.join('\n')}\n`);
  // sshd's privilege separation needs this directory; a fresh container may not have it.
  await mkdir('/run/sshd', { recursive: true, mode: 0o755 });
  const knownHostsLine = `[127.0.0.1]:${port} ${(await readFile(`${hostKey}.pub`, 'utf8')).split(' ').slice(0, 2).join(' ')}`;
  const knownHostsFile = join(root, 'known_hosts');
  await writeFile(knownHostsFile, `${knownHostsLine}\n`);

  let output = '';
  const child = spawn('/usr/sbin/sshd', ['-D', '-e', '-f', configPath], { stdio: ['ignore', 'ignore', 'pipe'] });
  const onExit = () => {
    child.kill('SIGKILL');
    rmSync(root, { recursive: true, force: true });
  };
  process.once('exit', onExit);
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`sshd did not start within 10 s:\n${output}`)), 10_000);
    child.stderr.on('data', (d: Buffer) => {
      output = (output + d.toString()).slice(-20_000);
      if (output.includes('Server listening on')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`sshd exited with ${code} while starting:\n${output}`));
    });
  }).catch((error: unknown) => {
    onExit();
    process.off('exit', onExit);
    throw error;
  });
  return {
    port, user, root, keyFile, knownHostsFile, knownHostsLine,
    createRepo: async (name, branch = 'main') => {
      const dir = await createBareRepo(join(repos, name), branch);
      return { dir, url: `ssh://${user}@127.0.0.1:${port}${dir}` };
    },
    output: () => output,
    stop: async () => {
      process.off('exit', onExit);
      if (child.exitCode === null && child.signalCode === null) {
        await new Promise<void>((resolve) => {
          child.once('exit', () => resolve());
          child.kill('SIGTERM');
        });
      }
      await rm(root, { recursive: true, force: true });
    },
  };
}
