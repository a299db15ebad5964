import { CancelledError, ExternalServiceError } from '../../domain/errors.ts';
import { backoffDelay, header, parseRetryAfter, readBody, sendRequest, sleep, type HttpMethod, type RetryPolicy } from '../http/index.ts';

/*
 * One JSON call to a chat platform's API (Telegram's Bot API, Discord's), with the few tries a reply
 * deserves: both throttle with 429 and say how long to wait in the JSON body, and both sit behind
 * proxies that may answer 5xx for a moment. The URL is never put in an error: Telegram's holds the
 * bot token and Discord's webhook paths hold the interaction token.
 */

/** A reply to a chat is worth a few tries over some seconds. */
export const CHAT_API_RETRY: RetryPolicy = { attempts: 3, baseDelayMs: 1_000, maxDelayMs: 10_000 };

/** Chat APIs answer with a message object or a short error; more than this is not read. */
const MAX_ANSWER_BYTES = 256 * 1024;
const RETRYABLE = new Set([429, 500, 502, 503, 504]);

export interface ApiCall {
  /** The platform's name, first in every error ("Telegram: …"). */
  service: string;
  method: HttpMethod;
  url: URL;
  headers?: Record<string, string>;
  /** Sent as JSON. */
  body?: unknown;
  retry: RetryPolicy;
  timeoutMs: number;
  signal?: AbortSignal;
  /** The wait a 429 asks for in its JSON body, in milliseconds. */
  retryAfter?: (answer: unknown) => number | undefined;
}

/** The platform's final answer: its status and its JSON body (undefined when it sent none or no JSON). */
export interface ApiAnswer {
  status: number;
  body: unknown;
}

/**
 * Sends `call`, trying again after 429, 5xx or a connection that failed, and returns the last
 * answer for the caller to read (each platform says "no" in its own shape). Throws
 * ExternalServiceError when no answer came at all, CancelledError when `signal` aborts.
 *
 * @example
 * const answer = await callJsonApi({ service: 'Telegram', method: 'POST', url, body: { chat_id: 1, text: 'hi' }, retry: CHAT_API_RETRY, timeoutMs: 10_000 });
 */
export async function callJsonApi(call: ApiCall): Promise<ApiAnswer> {
  for (let attempt = 1; ; attempt++) {
    let answer: ApiAnswer;
    let retryAfterMs: number | undefined;
    try {
      ({ answer, retryAfterMs } = await exchangeOnce(call));
    } catch (error) {
      if (error instanceof CancelledError || call.signal?.aborted) throw new CancelledError();
      if (error instanceof ExternalServiceError) throw error;
      if (attempt >= call.retry.attempts) {
        const code = (error as NodeJS.ErrnoException).code ?? (error as Error).name;
        throw new ExternalServiceError(call.service, `could not reach the API (${code})`, { hint: 'Check that this machine reaches it (DNS, proxy, firewall), or the apiUrl in slipway.yaml.' });
      }
      await sleep(backoffDelay(call.retry, attempt), call.signal);
      continue;
    }
    if (!RETRYABLE.has(answer.status) || attempt >= call.retry.attempts) return answer;
    await sleep(backoffDelay(call.retry, attempt, retryAfterMs), call.signal);
  }
}

async function exchangeOnce(call: ApiCall): Promise<{ answer: ApiAnswer; retryAfterMs?: number }> {
  const deadline = AbortSignal.timeout(call.timeoutMs);
  const signal = call.signal ? AbortSignal.any([call.signal, deadline]) : deadline;
  const headers: Record<string, string> = { accept: 'application/json', ...call.headers };
  if (call.body !== undefined) headers['content-type'] = 'application/json';
  try {
    const response = await sendRequest({
      method: call.method, url: call.url, headers, signal, timeoutMs: call.timeoutMs,
      ...(call.body === undefined ? {} : { body: JSON.stringify(call.body) }),
    });
    const bytes = await readBody(response, MAX_ANSWER_BYTES, () => new ExternalServiceError(call.service, `the answer is larger than ${MAX_ANSWER_BYTES} bytes`));
    const body = parseJson(bytes);
    const retryAfterMs = response.status === 429 ? (call.retryAfter?.(body) ?? parseRetryAfter(header(response, 'retry-after'))) : undefined;
    return { answer: { status: response.status, body }, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) };
  } catch (error) {
    if (deadline.aborted && !call.signal?.aborted) throw Object.assign(new Error(`no answer within ${call.timeoutMs} ms`), { code: 'ETIMEDOUT' });
    throw error;
  }
}

function parseJson(bytes: Buffer): unknown {
  if (bytes.length === 0) return undefined;
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch {
    return undefined;
  }
}
