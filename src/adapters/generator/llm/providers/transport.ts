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
 * Runs one model call, retrying 429/5xx answers, dropped connections and broken-off streams with
 * bounded backoff (the server's `retry-after-ms` / `retry-after` first). Each attempt gets its own
 * timeout. The SDK's own retries are off (`maxRetries: 0`): this loop is the only one, so the
 * number of requests stays bounded and every retry is reported.
 * @example
 * const { value, attempts } = await withRetries(transport, signal, (attemptSignal) => generateText({ …, abortSignal: attemptSignal }));
 */
export async function withRetries<T>(transport: TransportOptions, callerSignal: AbortSignal | undefined, run: (signal: AbortSignal) => Promise<T>): Promise<{ value: T; attempts: number }> {
  for (let attempt = 1; ; attempt++) {
    if (callerSignal?.aborted) throw new CancelledError();
    const timeout = AbortSignal.timeout(transport.timeoutMs);
    const signal = callerSignal ? AbortSignal.any([callerSignal, timeout]) : timeout;
    try {
      return { value: await run(signal), attempts: attempt };
    } catch (raw) {
      const error = classify(transport, raw, callerSignal, timeout);
      if (!(error instanceof ModelServiceError) || !error.retryable || attempt >= transport.retry.attempts) {
        throw attempt > 1 && error instanceof ModelServiceError ? withAttempts(error, attempt) : error;
      }
      const delayMs = backoffDelay(transport.retry, attempt, error.retryAfterMs);
      transport.onRetry?.({ provider: transport.provider, status: error.status, attempt, delayMs, reason: error.message });
      await sleep(delayMs, callerSignal);
    }
  }
}

/** What the AI SDK's APICallError carries about a refused request (duck-typed: no SDK import here). */
interface ApiCallFailure {
  statusCode?: number | undefined;
  responseHeaders?: Record<string, string> | undefined;
  responseBody?: string | undefined;
}

function apiCallFailure(error: unknown): ApiCallFailure | undefined {
  if (!error || typeof error !== 'object') return undefined;
  const e = error as { name?: unknown; statusCode?: unknown; lastError?: unknown; cause?: unknown };
  // A 2xx status here means the body broke off while being read: a connection failure, not a refusal.
  if (e.name === 'AI_APICallError' && typeof e.statusCode === 'number' && e.statusCode >= 300) return e as ApiCallFailure;
  // streamText and RetryError wrap the failure of the request they made.
  if (e.lastError) return apiCallFailure(e.lastError);
  if (e.cause && e.cause !== error) return apiCallFailure(e.cause);
  return undefined;
}

function classify(transport: TransportOptions, error: unknown, callerSignal: AbortSignal | undefined, timeout: AbortSignal): unknown {
  if (callerSignal?.aborted) return new CancelledError();
  if (error instanceof ExternalServiceError || error instanceof ConfigError || error instanceof CancelledError) return error;
  const failure = apiCallFailure(error);
  if (failure) return errorFromStatus(transport, failure.statusCode!, new Headers(failure.responseHeaders ?? {}), failure.responseBody ?? '');
  if (timeout.aborted) {
    const limit = transport.timeoutMs >= 1000 ? `${Math.round(transport.timeoutMs / 1000)} s` : `${transport.timeoutMs} ms`;
    return new ModelServiceError(transport.service, `did not finish answering within ${limit}`, {
      hint: 'Raise the generator timeout (timeoutMs), or ask for a smaller app.',
    });
  }
  // fetch() rejects with a TypeError whose cause is the socket error (the endpoint is down or
  // restarting, or the stream broke off); the SDK wraps it once more.
  const detail = socketDetail(error);
  return new ModelServiceError(transport.service, `the connection failed (${scrub(String(detail), transport.apiKey)})`, {
    retryable: true,
    hint: 'Check that the model endpoint (base URL) is reachable from here.',
    cause: error,
  });
}

function socketDetail(error: unknown): string {
  let current = error as { code?: unknown; message?: unknown; cause?: unknown } | undefined;
  let message = String((error as Error)?.message ?? error);
  for (let depth = 0; current && depth < 5; depth++, current = current.cause as typeof current) {
    if (typeof current.code === 'string' && /^E[A-Z]+$/.test(current.code)) return current.code;
    if (typeof current.message === 'string' && current.message) message = current.message;
  }
  return message;
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
function errorFromStatus(transport: TransportOptions, status: number, headers: Headers, text: string): Error {
  const { message, type } = providerError(text);
  const said = message ? `: ${scrub(message, transport.apiKey)}` : '';
  // Gemini answers a bad key with 400 INVALID_ARGUMENT, reason API_KEY_INVALID.
  if (status === 401 || status === 403 || (status === 400 && text.includes('API_KEY_INVALID'))) {
    const what = status === 403 ? 'refused access with this API key' : 'rejected the API key';
    return new ConfigError(`${transport.service} ${what} (HTTP ${status}${type ? `, ${type}` : ''}); set ${transport.apiKeyEnv} to a valid key`, {
      hint: `Set ${transport.apiKeyEnv} to a key that may use this model, then run the command again.`,
    });
  }
  const shouldRetry = headers.get('x-should-retry');
  const retryable = shouldRetry === 'true' ? true : shouldRetry === 'false' ? false : RETRYABLE_STATUS.has(status);
  const retryAfterMs = retryAfterFrom(headers) ?? retryDelayIn(text);
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

/** Gemini says when to come back in the body: a RetryInfo detail with `retryDelay: "17s"`. */
function retryDelayIn(text: string): number | undefined {
  const match = /"retryDelay"\s*:\s*"(\d+(?:\.\d+)?)s"/.exec(text);
  return match ? Math.round(Number(match[1]) * 1000) : undefined;
}

/**
 * OpenAI: `{ error: { message, type, code } }`; Anthropic: `{ type: 'error', error: { type, message } }`;
 * Gemini: `{ error: { code: 429, message, status: 'RESOURCE_EXHAUSTED' } }`; Ollama: `{ error: '…' }`.
 */
export function providerError(text: string): { message?: string; type?: string } {
  try {
    const body = JSON.parse(text) as { error?: unknown };
    if (typeof body.error === 'string') return { message: body.error };
    if (body.error && typeof body.error === 'object') {
      const { message, type, code, status } = body.error as { message?: unknown; type?: unknown; code?: unknown; status?: unknown };
      return {
        ...(typeof message === 'string' ? { message } : {}),
        // OpenAI's `code` (rate_limit_exceeded, invalid_api_key) says more than its `type`.
        ...(typeof code === 'string' ? { type: code } : typeof type === 'string' ? { type } : typeof status === 'string' ? { type: status } : {}),
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
