import type { IncomingHttpHeaders } from 'node:http';
import { readTextPrefix, sendRequest, type TlsOptions } from '../http/index.ts';

export type { TlsOptions };

export interface TextRequest {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  headers?: Record<string, string>;
  body?: string;
  tls?: TlsOptions;
  signal?: AbortSignal;
  /** Socket inactivity limit; default 15 s. */
  timeoutMs?: number;
  /** Bytes of body kept; the rest is read and dropped. Default 8 MiB. */
  maxBytes?: number;
}

export interface TextResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/**
 * One HTTP(S) request whose answer is read whole as text. A fresh connection each time, so nothing
 * lingers after a watch ends and a test's server can close at once. Redirects are not followed: the
 * Kubernetes API does not redirect, and an app's redirect is an answer of its own. Aborting rejects
 * with CancelledError.
 *
 * @example
 * const { status, body } = await requestText(new URL('https://127.0.0.1:6443/version'), { tls: { ca } });
 */
export async function requestText(url: URL, options: TextRequest = {}): Promise<TextResponse> {
  const res = await sendRequest({
    url,
    method: options.method ?? 'GET',
    headers: { accept: 'application/json', ...options.headers },
    ...(options.body !== undefined ? { body: options.body } : {}),
    ...(options.tls ? { tls: options.tls } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
    timeoutMs: options.timeoutMs ?? 15_000,
  });
  const body = await readTextPrefix(res, options.maxBytes ?? 8 * 1024 * 1024);
  return { status: res.status, headers: res.headers, body };
}
