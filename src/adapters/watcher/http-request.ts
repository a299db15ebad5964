import type { IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { CancelledError } from '../../domain/errors.ts';

// An ESM import of node:http reads every export, and its WebSocket getter loads undici (~25 ms);
// the CommonJS module object does not, which keeps one-shot commands fast.
const { request: httpRequest } = process.getBuiltinModule('node:http');

/** TLS settings for one origin: PEM texts, as a kubeconfig carries them. */
export interface TlsOptions {
  /** Trusted CA bundle; replaces the public roots, as kubectl does with a cluster CA. */
  ca?: string;
  cert?: string;
  key?: string;
  rejectUnauthorized?: boolean;
}

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
 * One HTTP(S) request whose answer is read whole as text. No agent keep-alive, so nothing lingers
 * after a watch ends and a test's server can close at once. Aborting rejects with CancelledError.
 *
 * @example
 * const { status, body } = await requestText(new URL('https://127.0.0.1:6443/version'), { tls: { ca } });
 */
export function requestText(url: URL, options: TextRequest = {}): Promise<TextResponse> {
  const { signal } = options;
  if (signal?.aborted) return Promise.reject(new CancelledError());
  const https = url.protocol === 'https:';
  const timeoutMs = options.timeoutMs ?? 15_000;
  const maxBytes = options.maxBytes ?? 8 * 1024 * 1024;
  const headers: Record<string, string> = { 'user-agent': 'slipway', accept: 'application/json', ...options.headers };
  if (options.body !== undefined) headers['content-length'] = String(Buffer.byteLength(options.body));
  const tls = https && options.tls ? { ca: options.tls.ca, cert: options.tls.cert, key: options.tls.key, rejectUnauthorized: options.tls.rejectUnauthorized ?? true } : {};
  return new Promise((resolve, reject) => {
    let settled = false;
    const fail = (error: Error) => {
      if (settled) return;
      settled = true;
      reject(signal?.aborted || error.name === 'AbortError' ? new CancelledError() : error);
    };
    const req = (https ? httpsRequest : httpRequest)(url, { method: options.method ?? 'GET', headers, agent: false, signal, ...tls }, (res) => {
      const chunks: Buffer[] = [];
      let kept = 0;
      res.on('data', (chunk: Buffer) => {
        if (kept < maxBytes) {
          chunks.push(chunk);
          kept += chunk.length;
        }
      });
      res.on('error', fail);
      res.on('end', () => {
        if (settled) return;
        settled = true;
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).subarray(0, maxBytes).toString('utf8') });
      });
    });
    req.setTimeout(timeoutMs, () => req.destroy(Object.assign(new Error(`no answer within ${timeoutMs} ms`), { code: 'ETIMEDOUT' })));
    req.on('error', fail);
    req.end(options.body);
  });
}
