import { SlipwayError } from '../../domain/errors.ts';
import type { CredentialStore, RegistryCredentials } from './docker-config.ts';
import { readBody, type HttpClient, type HttpResponse } from './http-client.ts';
import { connectionError, displayUrl, RegistryError, statusError } from './registry-error.ts';
import { formatScopes, parseScopes, parseWwwAuthenticate, type ScopeSet } from './www-authenticate.ts';

/** What a registry asked for the last time it answered 401. */
type Scheme = { kind: 'basic' } | { kind: 'bearer'; realm: string; service: string | undefined };

interface CachedToken {
  token: string;
  expiresAt: number;
}

/** Tokens are refreshed this long before they expire, so one does not lapse mid-request. */
const EXPIRY_MARGIN_MS = 10_000;
/** The distribution spec's default lifetime when a token service names none. */
const DEFAULT_TOKEN_SECONDS = 60;

/**
 * Registry authentication: Basic from stored credentials, or the Docker token flow (a Bearer
 * challenge names a realm; a token for the wanted scopes is fetched there and cached per registry
 * and scope set until it expires). Remembers each registry's scheme so later requests carry
 * credentials up front instead of paying a 401 round trip each.
 *
 * @example
 * const auth = new RegistryAuth({ http, credentials });
 * const authorization = await auth.authorization('127.0.0.1:5000', scopes, signal);
 */
export class RegistryAuth {
  readonly #http: HttpClient;
  readonly #credentials: CredentialStore | undefined;
  readonly #schemes = new Map<string, Scheme>();
  readonly #tokens = new Map<string, CachedToken>();
  /** Token requests in flight, so layers pushed in parallel share one request per scope set. */
  readonly #pending = new Map<string, Promise<string>>();
  readonly #now: () => number;

  constructor(options: { http: HttpClient; credentials?: CredentialStore; now?: () => number }) {
    this.#http = options.http;
    this.#credentials = options.credentials;
    this.#now = options.now ?? Date.now;
  }

  /** True when credentials for `registry` are stored (for error hints). */
  async hasCredentials(registry: string): Promise<boolean> {
    return (await this.#credentials?.get(registry)) !== undefined;
  }

  /** The Authorization header to send to `registry` for `scopes`, if its scheme is known yet. */
  async authorization(registry: string, scopes: ScopeSet, signal?: AbortSignal): Promise<string | undefined> {
    const scheme = this.#schemes.get(registry);
    if (!scheme) return undefined;
    if (scheme.kind === 'basic') return basicHeader(await this.#credentials?.get(registry));
    return `Bearer ${await this.#token(registry, scheme, scopes, false, signal)}`;
  }

  /**
   * Answers a 401: learns the scheme and returns a new Authorization header to retry with, or
   * undefined when there is nothing better to offer. A Bearer challenge with
   * `error="insufficient_scope"`, or one after a token was already sent, gets a fresh token for
   * the union of our scopes and the challenge's.
   */
  async challenge(registry: string, scopes: ScopeSet, response: HttpResponse, sentAuthorization: string | undefined, signal?: AbortSignal): Promise<string | undefined> {
    const challenges = parseWwwAuthenticate(response.headers['www-authenticate']);
    const bearer = challenges.find((c) => c.scheme === 'bearer' && c.params.realm);
    if (bearer) {
      const scheme: Scheme = { kind: 'bearer', realm: bearer.params.realm!, service: bearer.params.service };
      this.#schemes.set(registry, scheme);
      const wanted = parseScopes(bearer.params.scope ?? '', cloneScopes(scopes));
      // A token we sent was refused (expired, revoked, or short of a scope): never reuse the cached one.
      const fresh = bearer.params.error === 'insufficient_scope' || sentAuthorization?.startsWith('Bearer ') === true;
      return `Bearer ${await this.#token(registry, scheme, wanted, fresh, signal)}`;
    }
    if (challenges.some((c) => c.scheme === 'basic')) {
      this.#schemes.set(registry, { kind: 'basic' });
      const next = basicHeader(await this.#credentials?.get(registry));
      return next === sentAuthorization ? undefined : next;
    }
    return undefined;
  }

  async #token(registry: string, scheme: Extract<Scheme, { kind: 'bearer' }>, scopes: ScopeSet, fresh: boolean, signal?: AbortSignal): Promise<string> {
    const scopeList = formatScopes(scopes);
    const key = `${registry} ${scheme.realm} ${scheme.service ?? ''} ${scopeList.join(' ')}`;
    const cached = this.#tokens.get(key);
    if (!fresh && cached && cached.expiresAt > this.#now()) return cached.token;
    const pending = this.#pending.get(key);
    if (!fresh && pending) return pending;
    const fetching = (async () => {
      const credentials = await this.#credentials?.get(registry);
      const { token, expiresIn } = await this.#fetchToken(registry, scheme, scopeList, credentials, signal);
      this.#tokens.set(key, { token, expiresAt: this.#now() + Math.max(expiresIn, DEFAULT_TOKEN_SECONDS) * 1000 - EXPIRY_MARGIN_MS });
      return token;
    })();
    this.#pending.set(key, fetching);
    try {
      return await fetching;
    } finally {
      if (this.#pending.get(key) === fetching) this.#pending.delete(key);
    }
  }

  async #fetchToken(
    registry: string,
    scheme: Extract<Scheme, { kind: 'bearer' }>,
    scopes: string[],
    credentials: RegistryCredentials | undefined,
    signal?: AbortSignal,
  ): Promise<{ token: string; expiresIn: number }> {
    const url = new URL(scheme.realm);
    const method = credentials && 'identityToken' in credentials ? 'POST' : 'GET';
    let response: HttpResponse;
    try {
      response = await this.#requestToken(url, scheme, scopes, credentials, signal);
    } catch (error) {
      if (error instanceof SlipwayError) throw error;
      throw connectionError({ method, url, host: url.host, error });
    }
    if (response.status !== 200) {
      const body = await readBody(response, 64 * 1024).catch(() => Buffer.alloc(0));
      throw statusError({ method, url: response.url, status: response.status, body, host: registry, hasCredentials: credentials !== undefined });
    }
    const text = await readBody(response, 1024 * 1024);
    let parsed: { token?: unknown; access_token?: unknown; expires_in?: unknown };
    try {
      parsed = JSON.parse(text.toString('utf8'));
    } catch {
      throw new RegistryError(`the token service at ${displayUrl(response.url)} answered with something other than JSON`, { url: displayUrl(response.url) });
    }
    const token = typeof parsed.token === 'string' && parsed.token ? parsed.token : parsed.access_token;
    if (typeof token !== 'string' || token === '') {
      throw new RegistryError(`the token service at ${displayUrl(response.url)} answered without a token`, { url: displayUrl(response.url) });
    }
    return { token, expiresIn: typeof parsed.expires_in === 'number' ? parsed.expires_in : DEFAULT_TOKEN_SECONDS };
  }

  #requestToken(url: URL, scheme: Extract<Scheme, { kind: 'bearer' }>, scopes: string[], credentials: RegistryCredentials | undefined, signal?: AbortSignal): Promise<HttpResponse> {
    if (credentials && 'identityToken' in credentials) {
      // An identity token is an OAuth2 refresh token: exchange it with a POST (docker does the same).
      const form = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: credentials.identityToken, client_id: 'slipway' });
      if (scheme.service) form.set('service', scheme.service);
      if (scopes.length > 0) form.set('scope', scopes.join(' '));
      return this.#http.send({
        method: 'POST', url, signal, body: Buffer.from(form.toString()),
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      });
    }
    const query = new URL(url);
    if (scheme.service) query.searchParams.set('service', scheme.service);
    for (const scope of scopes) query.searchParams.append('scope', scope);
    const authorization = basicHeader(credentials);
    return this.#http.send({ method: 'GET', url: query, signal, headers: authorization ? { authorization } : {} });
  }
}

function basicHeader(credentials: RegistryCredentials | undefined): string | undefined {
  if (!credentials || !('username' in credentials)) return undefined;
  return `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`;
}

function cloneScopes(scopes: ScopeSet): ScopeSet {
  return new Map([...scopes].map(([resource, actions]) => [resource, new Set(actions)]));
}

/**
 * The scopes for pulling from `repository`, or pushing to it or deleting from it (each needs pull
 * too, for HEAD checks), plus pull on a repository a blob is mounted from.
 *
 * @example
 * repositoryScopes('apps/web', 'push', 'apps/base') // repository:apps/web:pull,push + repository:apps/base:pull
 */
export function repositoryScopes(repository: string, access: 'pull' | 'push' | 'delete', mountFrom?: string): ScopeSet {
  const scopes: ScopeSet = new Map([[`repository:${repository}`, new Set(access === 'pull' ? ['pull'] : ['pull', access])]]);
  if (mountFrom && mountFrom !== repository) scopes.set(`repository:${mountFrom}`, new Set(['pull']));
  return scopes;
}
