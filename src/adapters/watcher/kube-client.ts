import { readFile } from 'node:fs/promises';
import { CancelledError, ExternalServiceError } from '../../domain/errors.ts';
import type { Readable } from 'node:stream';
import { readTextPrefix, sendRequest, type HttpResponse } from '../http/index.ts';
import { requestText, type TextRequest, type TextResponse, type TlsOptions } from './http-request.ts';
import type { KubeAccess } from '../../ports/kube-access.ts';
import type { KubeRead, KubeReader } from '../../ports/watch-stages.ts';

/** The `Status` object the API server answers errors with. */
export interface KubeStatus {
  kind?: string;
  status?: string;
  message?: string;
  reason?: string;
  code?: number;
  details?: { name?: string; group?: string; kind?: string };
}

/** A failed API call: the HTTP status (0 when the server was not reached) and the Status reason. */
export class KubeApiError extends ExternalServiceError {
  readonly status: number;
  readonly reason: string;
  /** Worth asking again (no answer, 429, 5xx); 401/403/TLS trust failures are not. */
  readonly transient: boolean;
  constructor(status: number, reason: string, message: string, options: { hint?: string; transient: boolean; cause?: unknown }) {
    super('kubernetes', message, options);
    this.status = status;
    this.reason = reason;
    this.transient = options.transient;
  }
}

export type { KubeRead } from '../../ports/watch-stages.ts';

/** How long a token read from `tokenFile` is used before the file is read again. */
const TOKEN_FILE_TTL_MS = 60_000;

const TLS_TRUST_ERRORS = /^(CERT_|UNABLE_TO_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|ERR_TLS_CERT_ALTNAME_INVALID|ERR_SSL_)/;

/**
 * A small client for the Kubernetes REST API: JSON over HTTPS with a bearer token or a client
 * certificate. It knows paths, not kinds; callers build paths with `kubePath`.
 *
 * @example
 * const kube = new KubeClient(access);
 * const read = await kube.read('/apis/apps/v1/namespaces/dynamic-apps/deployments/pomodoro');
 */
export class KubeClient implements KubeReader {
  readonly #access: KubeAccess;
  readonly #timeoutMs: number;
  #fileToken: { value: string; readAt: number } | undefined;

  constructor(access: KubeAccess, options: { timeoutMs?: number } = {}) {
    this.#access = access;
    this.#timeoutMs = options.timeoutMs ?? 15_000;
  }

  /** GET one object; a 404 is an answer, not an error. */
  async read<T>(path: string, signal?: AbortSignal): Promise<KubeRead<T>> {
    const res = await this.#send(path, { signal });
    if (res.status === 404) {
      const status = parseJson<KubeStatus>(res.body);
      // A missing object's 404 names it; an unknown resource type's 404 has empty details.
      return status?.details?.name ? { status: 'absent' } : { status: 'unserved' };
    }
    return { status: 'found', object: this.#json<T>(path, res) };
  }

  /** GET the first API version (of the same object) the server serves: `v1`, then older ones. */
  async readAny<T>(paths: readonly string[], signal?: AbortSignal): Promise<KubeRead<T>> {
    let last: KubeRead<T> = { status: 'unserved' };
    for (const path of paths) {
      last = await this.read<T>(path, signal);
      if (last.status !== 'unserved') return last;
    }
    return last;
  }

  /** GET a collection with selectors; its items, or `[]` when the resource is not served. */
  async list<T>(path: string, query: { labelSelector?: string; fieldSelector?: string; limit?: number } = {}, signal?: AbortSignal): Promise<T[]> {
    const params = new URLSearchParams();
    if (query.labelSelector) params.set('labelSelector', query.labelSelector);
    if (query.fieldSelector) params.set('fieldSelector', query.fieldSelector);
    if (query.limit) params.set('limit', String(query.limit));
    const full = params.size > 0 ? `${path}?${params}` : path;
    const res = await this.#send(full, { signal });
    if (res.status === 404) return [];
    return this.#json<{ items?: T[] }>(full, res).items ?? [];
  }

  /** Any call with a JSON body (a PATCH of an annotation, say); returns the parsed answer. */
  async request<T>(method: 'POST' | 'PUT' | 'PATCH' | 'DELETE', path: string, body: unknown, options: { contentType?: string; signal?: AbortSignal } = {}): Promise<T> {
    const res = await this.#send(path, {
      method,
      body: JSON.stringify(body),
      headers: { 'content-type': options.contentType ?? 'application/json' },
      signal: options.signal,
    });
    if (res.status === 404) throw errorFor(path, res);
    return this.#json<T>(path, res);
  }

  /**
   * GET a body that keeps coming, such as a followed pod log (`…/pods/<pod>/log?follow=true`):
   * resolves with the body once the answer's head is in, and from then on waits for the next bytes
   * however long the app stays quiet. Any status from 400 (404 included) is an error, as in `request`.
   */
  async stream(path: string, signal?: AbortSignal): Promise<Readable> {
    const { headers, tls } = await this.#credentials(signal);
    const url = new URL(path, `${this.#access.apiServer}/`);
    let res: HttpResponse;
    try {
      res = await sendRequest({ url, headers: { accept: '*/*', ...headers }, tls, ...(signal ? { signal } : {}), timeoutMs: this.#timeoutMs });
    } catch (error) {
      if (error instanceof CancelledError) throw error;
      throw unreachable(this.#access.apiServer, error as NodeJS.ErrnoException);
    }
    if (res.status >= 400) throw errorFor(path, { status: res.status, headers: res.headers, body: await readTextPrefix(res, 64 * 1024) });
    // The timeout was for the answer's head; a followed log may be quiet for hours.
    res.body.socket?.setTimeout(0);
    return res.body;
  }

  async #send(path: string, options: TextRequest): Promise<TextResponse> {
    const { headers, tls } = await this.#credentials(options.signal);
    const url = new URL(path, `${this.#access.apiServer}/`);
    try {
      const res = await requestText(url, { ...options, headers: { ...options.headers, ...headers }, tls, timeoutMs: this.#timeoutMs });
      if (res.status >= 400 && res.status !== 404) throw errorFor(path, res);
      return res;
    } catch (error) {
      if (error instanceof KubeApiError || error instanceof CancelledError) throw error;
      throw unreachable(this.#access.apiServer, error as NodeJS.ErrnoException);
    }
  }

  /** The bearer token header and TLS settings of the next call. */
  async #credentials(signal?: AbortSignal): Promise<{ headers: Record<string, string>; tls: TlsOptions }> {
    const access = this.#access;
    // A credential plugin's failure is its own clear error, not an unreachable API server.
    const plugin = access.exec ? await access.exec.get(signal) : undefined;
    const token = plugin ? plugin.token : await this.#token();
    const cert = plugin ? plugin.clientCert : access.clientCert;
    const key = plugin ? plugin.clientKey : access.clientKey;
    return {
      headers: token ? { authorization: `Bearer ${token}` } : {},
      tls: { ca: access.ca, cert, key, insecureSkipTlsVerify: access.insecureSkipTlsVerify === true },
    };
  }

  async #token(): Promise<string | undefined> {
    const { token, tokenFile } = this.#access;
    if (token || !tokenFile) return token;
    const cached = this.#fileToken;
    if (cached && Date.now() - cached.readAt < TOKEN_FILE_TTL_MS) return cached.value;
    try {
      const value = (await readFile(tokenFile, 'utf8')).trim();
      this.#fileToken = { value, readAt: Date.now() };
      return value;
    } catch (error) {
      throw new KubeApiError(0, 'TokenUnreadable', `cannot read the token file ${tokenFile}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, {
        transient: false,
        hint: 'Check that the service account token is mounted into the pod.',
      });
    }
  }

  #json<T>(path: string, res: TextResponse): T {
    const parsed = parseJson<T>(res.body);
    if (parsed === undefined) throw new KubeApiError(res.status, 'InvalidResponse', `GET ${path} answered ${res.status} with a body that is not JSON`, { transient: true });
    return parsed;
  }
}

/**
 * The REST path of a namespaced object (or its collection when `name` is omitted).
 * @example kubePath('apps/v1', 'deployments', 'dynamic-apps', 'pomodoro') // '/apis/apps/v1/namespaces/dynamic-apps/deployments/pomodoro'
 */
export function kubePath(apiVersion: string, plural: string, namespace: string, name?: string): string {
  const base = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
  const tail = name === undefined ? '' : `/${encodeURIComponent(name)}`;
  return `${base}/namespaces/${encodeURIComponent(namespace)}/${plural}${tail}`;
}

function errorFor(path: string, res: TextResponse): KubeApiError {
  const status = parseJson<KubeStatus>(res.body);
  const reason = status?.reason || (res.status === 401 ? 'Unauthorized' : res.status === 403 ? 'Forbidden' : `HTTP${res.status}`);
  const message = status?.message || `GET ${path} answered ${res.status}`;
  const transient = res.status === 429 || res.status >= 500;
  const hint =
    res.status === 401
      ? 'The API server did not accept the credentials: the token is wrong or expired, or the client certificate is not trusted.'
      : res.status === 403
        ? 'The credentials are valid but lack permission for this request; grant it with a Role/ClusterRole binding.'
        : undefined;
  return new KubeApiError(res.status, reason, message, { transient, ...(hint ? { hint } : {}) });
}

function unreachable(apiServer: string, error: NodeJS.ErrnoException): KubeApiError {
  const code = error.code ?? '';
  if (TLS_TRUST_ERRORS.test(code)) {
    return new KubeApiError(0, 'TLSError', `the API server ${apiServer} presented a certificate Slipway does not trust (${code})`, {
      transient: false,
      cause: error,
      hint: "Give the cluster's CA (certificate-authority-data in the kubeconfig) to Slipway.",
    });
  }
  return new KubeApiError(0, 'Unreachable', `cannot reach the API server ${apiServer}: ${code || error.message}`, {
    transient: true,
    cause: error,
    hint: 'Check that the cluster is up and that this machine can reach the API server address.',
  });
}

function parseJson<T>(text: string): T | undefined {
  try {
    return JSON.parse(text) as T;
  } catch {
    return undefined;
  }
}
