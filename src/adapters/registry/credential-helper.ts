import { spawn } from 'node:child_process';
import { ConfigError } from '../../domain/errors.ts';
import { findInPath } from '../os/index.ts';
import type { RegistryCredentials } from './docker-config.ts';
import { DOCKER_HUB_REGISTRY } from './image-ref.ts';

/** What helpers answer when they have nothing for a server (docker-credential-helpers' `ErrCredentialsNotFound`). */
const NOT_FOUND = /credentials not found/i;

/** Longest a helper may take; some unlock a keychain or ask a cloud API. */
const HELPER_TIMEOUT_MS = 30_000;

/**
 * The server address a helper is asked about: Docker Hub under the name `docker login` stores it
 * with, other registries by `host[:port]`.
 *
 * @example serverAddress('registry-1.docker.io') // 'https://index.docker.io/v1/'
 */
export function serverAddress(host: string): string {
  return host === DOCKER_HUB_REGISTRY ? 'https://index.docker.io/v1/' : host;
}

/**
 * Asks `docker-credential-<helper> get` for the credentials of `server` (written to its stdin), as
 * Docker does: `{ "Username": …, "Secret": … }` comes back, and a `<token>` username means the
 * secret is an identity token. Undefined when the helper has none for the server. The helper is
 * looked up on `env.PATH` and run with an argument array; its output is never quoted in errors.
 *
 * @example
 * await credentialsFromHelper('pass', 'registry.k8s-lab.dev', env) // { username: 'ci', password: '…' }
 */
export async function credentialsFromHelper(helper: string, server: string, env: Record<string, string | undefined>): Promise<RegistryCredentials | undefined> {
  const program = `docker-credential-${helper}`;
  const path = findInPath(program, env.PATH ?? '');
  if (!path) {
    throw new ConfigError(`The Docker config names the credential helper ${helper}, but ${program} is not on PATH`, {
      hint: `Install ${program}, or remove "${helper}" from credsStore/credHelpers in your Docker config.json.`,
    });
  }
  const { code, stdout, stderr } = await run(path, server, env);
  if (code !== 0) {
    if (NOT_FOUND.test(stdout) || NOT_FOUND.test(stderr)) return undefined;
    const last = stderr.trim().split('\n').at(-1)?.slice(0, 300);
    throw new ConfigError(`${program} get for ${server} failed (${typeof code === 'number' ? `exit code ${code}` : code})${last ? `: ${last}` : ''}`, {
      hint: `Run \`echo ${server} | ${program} get\` to see why, or log in again with docker login ${server}.`,
    });
  }
  let answer: { Username?: unknown; Secret?: unknown };
  try {
    answer = JSON.parse(stdout) as typeof answer;
  } catch {
    throw new ConfigError(`${program} get for ${server} printed something that is not JSON`, { hint: `Check that ${program} is a Docker credential helper.` });
  }
  if (typeof answer?.Secret !== 'string' || !answer.Secret) return undefined;
  if (answer.Username === '<token>') return { identityToken: answer.Secret };
  if (typeof answer.Username !== 'string' || !answer.Username) return undefined;
  return { username: answer.Username, password: answer.Secret };
}

function run(path: string, server: string, env: Record<string, string | undefined>): Promise<{ code: number | string; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(path, ['get'], { env: definedOnly(env), stdio: ['pipe', 'pipe', 'pipe'], timeout: HELPER_TIMEOUT_MS });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    // A helper that exits without reading its stdin must not fail the write.
    child.stdin.on('error', () => {});
    child.on('error', (error: NodeJS.ErrnoException) => reject(new ConfigError(`cannot start ${path}: ${error.code ?? error.message}`)));
    child.on('close', (code, signal) => {
      resolve({
        code: code ?? (signal === 'SIGTERM' ? `no answer within ${HELPER_TIMEOUT_MS} ms` : String(signal)),
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
      });
    });
    child.stdin.end(server);
  });
}

function definedOnly(env: Record<string, string | undefined>): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) if (value !== undefined) result[name] = value;
  return result;
}
