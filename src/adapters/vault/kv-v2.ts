import { ConfigError, ConflictError, ExternalServiceError } from '../../domain/errors.ts';
import { readBody, sendRequest, type HttpMethod } from '../http/index.ts';

/** Where and as whom Slipway writes to Vault's KV version 2 secrets engine. */
export interface VaultKvTarget {
  /** Vault's address, e.g. https://vault.example:8200 (the API is under /v1). */
  url: string;
  /** A Vault token; sent only in `X-Vault-Token`, never logged or put in a message. */
  token: string;
  /** The KV v2 engine's mount path, e.g. `secret`. */
  mount: string;
}

/** What a write did: the version Vault now holds, or that the values were already there. */
export interface VaultWriteResult {
  version: number;
  changed: boolean;
}

const MAX_BODY = 1024 * 1024;

/**
 * Sets `values` at `path` in a KV v2 engine, keeping the other keys stored there: the current version
 * is read first (`GET /v1/<mount>/data/<path>`), merged, and written back as a new version
 * (`POST /v1/<mount>/data/<path>` with `options.cas` set to the version read, so a concurrent writer
 * is not overwritten). Nothing is written when every value is already there.
 * @example await writeVaultKv({ url: 'https://vault:8200', token, mount: 'secret' }, 'slipway/prod/notes', { API_KEY: '…' })
 */
export async function writeVaultKv(target: VaultKvTarget, path: string, values: Readonly<Record<string, string>>, signal?: AbortSignal): Promise<VaultWriteResult> {
  const current = await readVaultKv(target, path, signal);
  const merged = { ...current.data, ...values };
  if (current.version > 0 && Object.entries(values).every(([key, value]) => current.data[key] === value)) return { version: current.version, changed: false };
  const answer = await call(target, 'POST', path, 'create/update', { options: { cas: current.version }, data: merged }, signal);
  if (answer.status === 400 && /check-and-set/i.test(errorsOf(answer.body).join(' '))) {
    throw new ConflictError(`Vault: ${target.mount}/data/${path} changed while Slipway was writing to it`, { hint: 'Run the command again; Slipway reads the new version and keeps its keys.' });
  }
  if (answer.status !== 200 && answer.status !== 204) throw failure(target, path, 'create/update', answer);
  const version = (answer.body as { data?: { version?: unknown } } | undefined)?.data?.version;
  return { version: typeof version === 'number' ? version : current.version + 1, changed: true };
}

/** The latest version's keys at `path`; version 0 and no keys when nothing is stored (or the latest version was deleted). */
export async function readVaultKv(target: VaultKvTarget, path: string, signal?: AbortSignal): Promise<{ version: number; data: Record<string, string> }> {
  const answer = await call(target, 'GET', path, 'read', undefined, signal);
  const body = answer.body as { data?: { data?: Record<string, unknown> | null; metadata?: { version?: unknown } } } | undefined;
  const version = body?.data?.metadata?.version;
  // A deleted latest version answers 404 with its metadata: the next write must name that version.
  // Nothing stored answers 404 with no errors; a 404 with errors is Vault finding no engine there.
  if (answer.status === 404 && errorsOf(answer.body).length === 0) return { version: typeof version === 'number' ? version : 0, data: {} };
  if (answer.status !== 200) throw failure(target, path, 'read', answer);
  const data = Object.fromEntries(Object.entries(body?.data?.data ?? {}).map(([key, value]) => [key, String(value)]));
  return { version: typeof version === 'number' ? version : 0, data };
}

interface Answer {
  status: number;
  body: unknown;
}

async function call(target: VaultKvTarget, method: HttpMethod, path: string, capability: string, payload: unknown, signal?: AbortSignal): Promise<Answer> {
  const url = dataUrl(target, path);
  try {
    const response = await sendRequest({
      method,
      url,
      headers: { 'X-Vault-Token': target.token, accept: 'application/json', ...(payload === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(payload === undefined ? {} : { body: JSON.stringify(payload) }),
      ...(signal ? { signal } : {}),
    });
    const text = (await readBody(response, MAX_BODY, () => new ExternalServiceError('Vault', `the answer to ${method} ${url.pathname} is larger than 1 MiB`))).toString('utf8');
    let body: unknown;
    try {
      body = text === '' ? undefined : JSON.parse(text);
    } catch {
      body = undefined;
    }
    return { status: response.status, body };
  } catch (error) {
    if (error instanceof ExternalServiceError || (error as Error).name === 'CancelledError') throw error;
    const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new ExternalServiceError('Vault', `cannot reach ${url.origin} to ${capability} ${target.mount}/data/${path} (${code})`, { hint: 'Check secrets.externalSecrets.vault.url in slipway.yaml and that Vault answers from here.' });
  }
}

function dataUrl(target: VaultKvTarget, path: string): URL {
  const base = target.url.replace(/\/+$/, '');
  const segments = [...target.mount.split('/'), 'data', ...path.split('/')].filter(Boolean).map(encodeURIComponent);
  return new URL(`${base}/v1/${segments.join('/')}`);
}

function errorsOf(body: unknown): string[] {
  const errors = (body as { errors?: unknown } | undefined)?.errors;
  return Array.isArray(errors) ? errors.map(String) : [];
}

/** Vault's own words, and for a 403 what the token needs: the capability on the exact path a policy names. */
function failure(target: VaultKvTarget, path: string, capability: string, answer: Answer): Error {
  const where = `${target.mount}/data/${path}`;
  if (answer.status === 403) {
    return new ConfigError(`Vault refused: the token lacks ${capability} on ${where}`, {
      hint: `Give the token a policy with path "${where}" { capabilities = ["create", "update", "read"] } (secrets.externalSecrets.vault.token in slipway.yaml names where the token comes from).`,
    });
  }
  const said = errorsOf(answer.body).join('; ');
  return new ExternalServiceError('Vault', `${capability} ${where} answered ${answer.status}${said ? `: ${said}` : ''}`, {
    hint: answer.status === 404 ? `Check that a KV version 2 engine is mounted at ${target.mount} (secrets.externalSecrets.vault.mount).` : 'Check Vault\'s state and its logs.',
  });
}

/**
 * What the token may do on each of `paths` (full API paths such as `secret/data/slipway/prod/notes`),
 * as Vault's policies say: `POST /v1/sys/capabilities-self`. A token Vault does not know answers 403.
 */
export async function vaultCapabilities(target: Pick<VaultKvTarget, 'url' | 'token'>, paths: readonly string[], signal?: AbortSignal): Promise<Record<string, string[]>> {
  const url = new URL(`${target.url.replace(/\/+$/, '')}/v1/sys/capabilities-self`);
  let status: number;
  let body: unknown;
  try {
    const response = await sendRequest({ method: 'POST', url, headers: { 'X-Vault-Token': target.token, 'content-type': 'application/json' }, body: JSON.stringify({ paths }), ...(signal ? { signal } : {}) });
    status = response.status;
    const text = (await readBody(response, MAX_BODY, () => new ExternalServiceError('Vault', 'the capabilities answer is larger than 1 MiB'))).toString('utf8');
    body = text === '' ? undefined : JSON.parse(text);
  } catch (error) {
    if (error instanceof ExternalServiceError) throw error;
    throw new ExternalServiceError('Vault', `cannot reach ${url.origin} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`, { hint: 'Check secrets.externalSecrets.vault.url in slipway.yaml and that Vault answers from here.' });
  }
  if (status === 403) throw new ConfigError('Vault refused the token: it is unknown, expired or revoked', { hint: 'Give Slipway a valid token (secrets.externalSecrets.vault.token names where it comes from).' });
  if (status !== 200) throw new ExternalServiceError('Vault', `capabilities-self answered ${status}${errorsOf(body).length > 0 ? `: ${errorsOf(body).join('; ')}` : ''}`);
  const answer = (body ?? {}) as Record<string, unknown>;
  return Object.fromEntries(paths.map((path) => [path, Array.isArray(answer[path]) ? (answer[path] as unknown[]).map(String) : []]));
}
