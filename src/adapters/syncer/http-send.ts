import type { IncomingHttpHeaders } from 'node:http';
import { CancelledError } from '../../domain/errors.ts';
import { readTextPrefix, sendRequest, type TlsOptions } from '../http/index.ts';

/** How to trust (and be trusted by) an HTTPS endpoint; the same settings every adapter uses. */
export type TlsSettings = TlsOptions;

export interface SendRequest {
  method: 'POST' | 'PATCH';
  url: URL;
  headers: Record<string, string>;
  body: Buffer;
  /** Whole-request time limit (connect, send, answer). */
  timeoutMs: number;
  tls?: TlsSettings;
  signal?: AbortSignal;
}

export interface SendReply {
  status: number;
  headers: IncomingHttpHeaders;
  /** The answer's body as text, cut at 64 KiB: receivers answer with nothing or a short message. */
  text: string;
}

/** The request never got an HTTP answer: refused, reset, timed out, name not resolved, TLS failed. */
export class TransportError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TransportError';
    this.code = code;
  }
}

const MAX_REPLY_BYTES = 64 * 1024;

/**
 * One HTTP(S) request with a complete body, one answer read as text. No redirects are followed:
 * a webhook that redirects is misconfigured, and following it could carry a signature or a
 * bearer token to another origin. `timeoutMs` bounds the whole exchange.
 *
 * @example
 * const reply = await sendOnce({ method: 'POST', url, headers, body, timeoutMs: 10_000 });
 */
export async function sendOnce(request: SendRequest): Promise<SendReply> {
  if (request.signal?.aborted) throw new CancelledError();
  const deadline = AbortSignal.timeout(request.timeoutMs);
  const signal = request.signal ? AbortSignal.any([request.signal, deadline]) : deadline;
  try {
    const res = await sendRequest({ method: request.method, url: request.url, headers: request.headers, body: request.body, tls: request.tls ?? {}, signal, timeoutMs: request.timeoutMs });
    const text = await readTextPrefix(res, MAX_REPLY_BYTES);
    return { status: res.status, headers: res.headers, text };
  } catch (error) {
    if (request.signal?.aborted) throw new CancelledError();
    if (deadline.aborted) throw new TransportError('ETIMEDOUT', `no answer within ${request.timeoutMs} ms`);
    if (error instanceof CancelledError) throw error;
    const failure = error as NodeJS.ErrnoException;
    throw new TransportError(failure.code ?? 'ECONNRESET', failure.message, { cause: failure });
  }
}
