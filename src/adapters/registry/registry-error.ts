import { ExternalServiceError } from '../../domain/errors.ts';

/** Statuses worth another try: rate limiting and a registry (or its proxy) having a bad moment. */
const RETRYABLE_STATUS = new Set([429, 500, 502, 503, 504]);
/** Socket-level failures worth another try (the registry restarting, a proxy dropping a connection). */
const RETRYABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ECONNABORTED', 'EAI_AGAIN', 'UND_ERR_SOCKET']);
const TLS_TRUST_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'CERT_HAS_EXPIRED', 'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/** What a registry said, beyond the message: enough for callers to branch and people to act. */
export interface RegistryErrorDetails {
  /** HTTP status, when the registry answered at all. */
  status?: number;
  /** The registry's error codes, e.g. `MANIFEST_UNKNOWN`, `BLOB_UNKNOWN`, `DENIED`. */
  codes?: string[];
  /** The request URL without credentials or query. */
  url?: string;
  /** Socket error code (ECONNREFUSED …) when the connection failed. */
  errorCode?: string;
  retryable?: boolean;
  /** How long the registry asked us to wait (Retry-After), in milliseconds. */
  retryAfterMs?: number;
  hint?: string;
  cause?: unknown;
}

/**
 * A registry request that failed: `ExternalServiceError('registry', …)` carrying the status, the
 * registry's error codes and the URL (never credentials), with a hint saying what to do.
 */
export class RegistryError extends ExternalServiceError {
  readonly status: number | undefined;
  readonly codes: string[];
  readonly url: string | undefined;
  readonly errorCode: string | undefined;
  readonly retryable: boolean;
  readonly retryAfterMs: number | undefined;
  readonly #description: string;
  readonly #details: RegistryErrorDetails;
  constructor(message: string, details: RegistryErrorDetails = {}) {
    super('registry', message, { hint: details.hint, cause: details.cause });
    this.#description = message;
    this.#details = details;
    this.status = details.status;
    this.codes = details.codes ?? [];
    this.url = details.url;
    this.errorCode = details.errorCode;
    this.retryable = details.retryable ?? false;
    this.retryAfterMs = details.retryAfterMs;
  }

  /** The same error, saying how many attempts were made before giving up. */
  afterAttempts(attempts: number): RegistryError {
    return new RegistryError(`${this.#description} (gave up after ${attempts} attempts)`, this.#details);
  }
}

/**
 * A URL safe to show: no userinfo and no query (upload locations carry signed `_state` and storage
 * redirects carry pre-signed credentials in the query).
 *
 * @example
 * displayUrl(new URL('https://u:p@r.example/v2/a/blobs/uploads/x?_state=abc')) // 'https://r.example/v2/a/blobs/uploads/x'
 */
export function displayUrl(url: URL): string {
  return `${url.protocol}//${url.host}${url.pathname}`;
}

/** The `code`s and `message`s of a registry's `{"errors":[…]}` body; empty when it is not one. */
export function parseErrorBody(body: Buffer): { codes: string[]; messages: string[] } {
  try {
    const parsed = JSON.parse(body.toString('utf8')) as { errors?: Array<{ code?: unknown; message?: unknown }> };
    const errors = Array.isArray(parsed.errors) ? parsed.errors : [];
    return {
      codes: errors.map((e) => (typeof e.code === 'string' ? e.code : '')).filter(Boolean),
      messages: errors.map((e) => (typeof e.message === 'string' ? e.message : '')).filter(Boolean),
    };
  } catch {
    return { codes: [], messages: [] };
  }
}

/**
 * Builds the error for a response with an unexpected status.
 *
 * @example
 * throw statusError({ method: 'GET', url, status: 404, body, host: '127.0.0.1:5000' });
 */
export function statusError(options: {
  method: string;
  url: URL;
  status: number;
  body: Buffer;
  host: string;
  retryAfterMs?: number;
  hasCredentials?: boolean;
}): RegistryError {
  const { codes, messages } = parseErrorBody(options.body);
  const said = codes.length > 0 ? `${codes.join(', ')}${messages.length > 0 ? `: ${messages.join('; ')}` : ''}` : '';
  const shown = displayUrl(options.url);
  return new RegistryError(`${options.method} ${shown} answered ${options.status}${said ? ` ${said}` : ''}`, {
    status: options.status,
    codes,
    url: shown,
    retryable: RETRYABLE_STATUS.has(options.status),
    retryAfterMs: options.retryAfterMs,
    hint: statusHint(options.status, codes, options.host, options.hasCredentials ?? true),
  });
}

function statusHint(status: number, codes: string[], host: string, hasCredentials: boolean): string | undefined {
  if (status === 401) {
    return hasCredentials
      ? `Check the credentials in your Docker config.json for ${host} (docker login ${host}).`
      : `No credentials for ${host} were found: run \`docker login ${host}\` or add them to your Docker config.json.`;
  }
  if (status === 403 || codes.includes('DENIED')) return `The account used for ${host} may not push or pull this repository; check its permissions.`;
  if (codes.includes('MANIFEST_UNKNOWN') || codes.includes('NAME_UNKNOWN')) return 'Check the repository name and tag; push the image first if it is new.';
  if (codes.includes('BLOB_UNKNOWN')) return 'A blob the manifest names is missing: push every layer and the config before the manifest.';
  if (status === 413) return `A proxy in front of ${host} limits the request size: lower the registry client's chunk size or raise the proxy's limit (nginx: client_max_body_size 0).`;
  if (status === 429) return `${host} is rate-limiting requests; try again later.`;
  if (status >= 500) return `The registry at ${host} failed; check its logs and storage (disk full?).`;
  return undefined;
}

/**
 * Builds the error for a request that got no HTTP answer (refused, reset, TLS trouble).
 *
 * @example
 * throw connectionError({ method: 'HEAD', url, host, error });
 */
export function connectionError(options: { method: string; url: URL; host: string; error: unknown }): RegistryError {
  const error = options.error as NodeJS.ErrnoException;
  const code = error?.code ?? '';
  const message = String(error?.message ?? error);
  const shown = displayUrl(options.url);
  return new RegistryError(`${options.method} ${shown} failed: ${code && !message.includes(code) ? `${code} ` : ''}${message}`, {
    url: shown,
    errorCode: code || undefined,
    retryable: RETRYABLE_CODES.has(code) || message.includes('socket hang up'),
    hint: connectionHint(code, message, options.host, options.url.protocol),
    cause: error,
  });
}

function connectionHint(code: string, message: string, host: string, protocol: string): string | undefined {
  if (code === 'ECONNREFUSED') return `Is the registry running at ${host}?`;
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return `The host name ${host} does not resolve; check the registry address.`;
  if (code === 'ETIMEDOUT') return `The registry at ${host} did not answer in time; check the network and the registry.`;
  if (TLS_TRUST_CODES.has(code)) return `The TLS certificate of ${host} is not trusted: give Slipway the registry's CA certificate, or list ${host} as an insecure (plain HTTP) registry.`;
  if (protocol === 'https:' && (code === 'EPROTO' || /wrong version number|packet length too long/i.test(message))) {
    return `${host} seems to speak plain HTTP: list it as an insecure registry.`;
  }
  if (code === 'ECONNRESET' || message.includes('socket hang up')) return `The connection to ${host} was dropped; if it keeps happening check the registry and any proxy in front of it.`;
  return undefined;
}
