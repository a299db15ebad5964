import { CancelledError } from '../../domain/errors.ts';
import { header, parseRetryAfter, readTextPrefix, sendRequest, type HttpResponse } from '../http/index.ts';
import type { AttemptResult } from './attempts.ts';

export interface PostRequest {
  url: URL;
  headers: Record<string, string>;
  body: string;
  /** Whole-exchange limit: connect, send, answer. */
  timeoutMs: number;
  signal?: AbortSignal;
  /**
   * The wait a 429 asks for, when the service says it in its body rather than (or more precisely
   * than) in Retry-After. Discord does.
   */
  retryAfterFromBody?: (text: string) => number | undefined;
}

/** Throttled, timed out, or the service (or a proxy before it) failing: worth another try. */
const RETRYABLE_STATUS = new Set([408, 429, 500, 502, 503, 504]);
/** Answers are short ("ok", a JSON message); more is not read. */
const MAX_REPLY_BYTES = 16 * 1024;

/**
 * One POST through Slipway's HTTP client, its answer classified: 2xx delivered; 408, 429 and 5xx
 * retryable; any other status final. A connection that fails is retryable. Redirects are not
 * followed: a webhook URL carries its token, and a redirect could carry the body elsewhere. The
 * error text names the status or the failure's code, never the URL (it may hold a token).
 *
 * @example
 * const result = await postOnce({ url, headers: { 'content-type': 'application/json' }, body, timeoutMs: 10_000 });
 */
export async function postOnce(request: PostRequest): Promise<AttemptResult & { reply?: string }> {
  if (request.signal?.aborted) throw new CancelledError();
  const deadline = AbortSignal.timeout(request.timeoutMs);
  const signal = request.signal ? AbortSignal.any([request.signal, deadline]) : deadline;
  let response: HttpResponse;
  let text: string;
  try {
    response = await sendRequest({ method: 'POST', url: request.url, headers: request.headers, body: request.body, signal, timeoutMs: request.timeoutMs });
    text = await readTextPrefix(response, MAX_REPLY_BYTES);
  } catch (error) {
    if (request.signal?.aborted) throw new CancelledError();
    if (deadline.aborted) return { ok: false, error: `no answer within ${request.timeoutMs} ms`, retryable: true };
    const code = (error as NodeJS.ErrnoException).code;
    return { ok: false, error: `could not reach the service (${code ?? (error as Error).name})`, retryable: true };
  }
  if (response.status >= 200 && response.status < 300) return { ok: true, reply: text };
  const retryAfterMs = response.status === 429 ? (request.retryAfterFromBody?.(text) ?? parseRetryAfter(header(response, 'retry-after'))) : undefined;
  return {
    ok: false,
    error: `HTTP ${response.status}${excerpt(text)}`,
    retryable: RETRYABLE_STATUS.has(response.status),
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
  };
}

/** `: <first 200 characters of the answer on one line>`, or nothing for an empty answer. */
function excerpt(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  if (!line) return '';
  return `: ${line.length > 200 ? `${line.slice(0, 200)}…` : line}`;
}
