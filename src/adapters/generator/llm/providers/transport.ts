import { CancelledError, ConfigError, ExternalServiceError } from '../../../../domain/errors.ts';
import { backoffDelay, parseRetryAfter, sleep, type RetryPolicy } from '../../../http/backoff.ts';
import type { RetryNotice } from './types.ts';

export type { RetryPolicy } from '../../../http/backoff.ts';

/** Model APIs rate-limit in bursts; four tries over up to ~40 s ride out most of them. */
export const DEFAULT_MODEL_RETRY: RetryPolicy = { attempts: 4, baseDelayMs: 1_000, maxDelayMs: 20_000 };
/** A whole app can take minutes to write; this bounds one request, streaming included. */
export const DEFAULT_TIMEOUT_MS = 300_000;

/** 408 and 409 are what OpenAI's and Anthropic's own clients retry, besides 429 and 5xx (529 = overloaded). */
const RETRYABLE_STATUS = new Set([408, 409, 429, 500, 502, 503, 504, 529]);

export interface TransportOptions {
  /** Who answers, for messages: `OpenAI`, `Anthropic`, `the model endpoint at http://…`. */
  service: string;
  /** The environment variable a person sets to give the key (named in 401 errors). */
  apiKeyEnv: string;
  /** Only used to blank the key out of any text a provider echoes back. */
  apiKey?: string | undefined;
  retry: RetryPolicy;
  timeoutMs: number;
  onRetry?: ((notice: RetryNotice) => void) | undefined;
  /** For RetryNotice.provider. */
  provider: string;
}

/** A model API call that failed, with whether trying again could help. */
export class ModelServiceError extends ExternalServiceError {
  readonly status: number | undefined;
  readonly retryable: boolean;
  readonly retryAfterMs: number | undefined;
  constructor(service: string, message: string, options: { status?: number; retryable?: boolean; retryAfterMs?: number; hint?: string; cause?: unknown } = {}) {
    super(service, message, options);
    this.status = options.status;
    this.retryable = options.retryable ?? false;
    this.retryAfterMs = options.retryAfterMs;
  }
}

/**
 * POSTs JSON and hands the response to `read`, retrying 429/5xx answers and dropped connections
 * with bounded backoff (the server's `retry-after-ms` / `retry-after` first). `read` may throw a
 * retryable ModelServiceError too (a stream that broke off), and the request is then sent again.
 * @example
 * const { value } = await postJson(transport, { url, headers, body }, (res) => res.json());
 */
export async function postJson<T>(
  transport: TransportOptions,
  request: { url: string; headers: Record<string, string>; body: unknown; signal?: AbortSignal | undefined },
  read: (response: Response, signal: AbortSignal) => Promise<T>,
): Promise<{ value: T; attempts: number }> {
  const payload = JSON.stringify(request.body);
  for (let attempt = 1; ; attempt++) {
    if (request.signal?.aborted) throw new CancelledError();
    const timeout = AbortSignal.timeout(transport.timeoutMs);
    const signal = request.signal ? AbortSignal.any([request.signal, timeout]) : timeout;
    try {
      const response = await fetch(request.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...request.headers },
        body: payload,
        signal,
      });
      if (!response.ok) throw await errorFromResponse(transport, response);
      return { value: await read(response, signal), attempts: attempt };
    } catch (raw) {
      const error = classify(transport, raw, request.signal, timeout);
      if (!(error instanceof ModelServiceError) || !error.retryable || attempt >= transport.retry.attempts) {
        throw attempt > 1 && error instanceof ModelServiceError ? withAttempts(error, attempt) : error;
      }
      const delayMs = backoffDelay(transport.retry, attempt, error.retryAfterMs);
      transport.onRetry?.({ provider: transport.provider, status: error.status, attempt, delayMs, reason: error.message });
      await sleep(delayMs, request.signal);
    }
  }
}

function classify(transport: TransportOptions, error: unknown, callerSignal: AbortSignal | undefined, timeout: AbortSignal): unknown {
  if (callerSignal?.aborted) return new CancelledError();
  if (error instanceof ExternalServiceError || error instanceof ConfigError || error instanceof CancelledError) return error;
  if (timeout.aborted) {
    const limit = transport.timeoutMs >= 1000 ? `${Math.round(transport.timeoutMs / 1000)} s` : `${transport.timeoutMs} ms`;
    return new ModelServiceError(transport.service, `did not finish answering within ${limit}`, {
      hint: 'Raise the generator timeout (timeoutMs), or ask for a smaller app.',
    });
  }
  // fetch() rejects with a TypeError whose cause is the socket error: the endpoint is down or restarting.
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  const detail = cause?.code ?? cause?.message ?? (error as Error).message;
  return new ModelServiceError(transport.service, `the connection failed (${scrub(String(detail), transport.apiKey)})`, {
    retryable: true,
    hint: 'Check that the model endpoint (base URL) is reachable from here.',
    cause: error,
  });
}

function withAttempts(error: ModelServiceError, attempts: number): ModelServiceError {
  const message = error.message.startsWith(`${error.service}: `) ? error.message.slice(error.service.length + 2) : error.message;
  return new ModelServiceError(error.service, `${message} (gave up after ${attempts} attempts)`, {
    ...(error.status === undefined ? {} : { status: error.status }),
    ...(error.hint === undefined ? {} : { hint: error.hint }),
    cause: error,
  });
}

/** Turns a non-2xx answer into the error a person can act on; the provider's own words are kept, scrubbed. */
async function errorFromResponse(transport: TransportOptions, response: Response): Promise<Error> {
  const text = await response.text().catch(() => '');
  const { message, type } = providerError(text);
  const status = response.status;
  const said = message ? `: ${scrub(message, transport.apiKey)}` : '';
  if (status === 401 || status === 403) {
    const what = status === 401 ? 'rejected the API key' : 'refused access with this API key';
    return new ConfigError(`${transport.service} ${what} (HTTP ${status}${type ? `, ${type}` : ''}); set ${transport.apiKeyEnv} to a valid key`, {
      hint: `Set ${transport.apiKeyEnv} to a key that may use this model, then run the command again.`,
    });
  }
  const shouldRetry = response.headers.get('x-should-retry');
  const retryable = shouldRetry === 'true' ? true : shouldRetry === 'false' ? false : RETRYABLE_STATUS.has(status);
  const retryAfterMs = retryAfterFrom(response.headers);
  const hint = status === 404
    ? 'Check the model name and the base URL (it should be the API root, without /v1).'
    : status === 429
      ? 'The provider is rate-limiting this key; wait a moment or raise the key’s limits.'
      : status === 400 || status === 422
        ? 'The provider refused the request; check the model name, maxTokens for this model, and temperature (reasoning models take none: set it to null).'
        : undefined;
  return new ModelServiceError(transport.service, `HTTP ${status}${type ? ` ${type}` : ''}${said}`, {
    status,
    retryable,
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    ...(hint ? { hint } : {}),
  });
}

/** `retry-after-ms` (OpenAI, Anthropic) is more precise than `retry-after`; either may be absent. */
function retryAfterFrom(headers: Headers): number | undefined {
  const ms = headers.get('retry-after-ms');
  if (ms && /^\d+(\.\d+)?$/.test(ms.trim())) return Math.round(Number(ms));
  return parseRetryAfter(headers.get('retry-after') ?? undefined);
}

/** OpenAI: `{ error: { message, type } }`; Anthropic: `{ type: 'error', error: { type, message } }`; Ollama: `{ error: '…' }`. */
export function providerError(text: string): { message?: string; type?: string } {
  try {
    const body = JSON.parse(text) as { error?: unknown };
    if (typeof body.error === 'string') return { message: body.error };
    if (body.error && typeof body.error === 'object') {
      const { message, type, code } = body.error as { message?: unknown; type?: unknown; code?: unknown };
      return {
        ...(typeof message === 'string' ? { message } : {}),
        // OpenAI's `code` (rate_limit_exceeded, invalid_api_key) says more than its `type`.
        ...(typeof code === 'string' ? { type: code } : typeof type === 'string' ? { type } : {}),
      };
    }
  } catch {
    // Not JSON (a proxy's HTML page): keep a short, plain excerpt.
  }
  const plain = text.replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ').trim();
  return plain ? { message: plain.slice(0, 200) } : {};
}

/** Blanks the key and anything shaped like a provider token out of text that came from outside. */
export function scrub(text: string, apiKey?: string): string {
  let out = apiKey && apiKey.length >= 8 ? text.split(apiKey).join('[redacted]') : text;
  out = out.replace(/\b(?:sk|pk|rk|xai|gsk|gh[pousr])[-_][A-Za-z0-9_*.-]{6,}/g, '[redacted]');
  return out.length > 500 ? `${out.slice(0, 500)}…` : out;
}
