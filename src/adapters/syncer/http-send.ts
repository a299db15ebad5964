import type { IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { CancelledError } from '../../domain/errors.ts';

// An ESM import of node:http reads every export, and its WebSocket getter loads undici (~25 ms);
// the CommonJS module object does not, which keeps one-shot commands fast.
const { request: httpRequest } = process.getBuiltinModule('node:http');

/** How to trust (and be trusted by) an HTTPS endpoint. PEM text throughout. */
export interface TlsSettings {
  /** Trust only this CA (a cluster's own CA, a homelab CA); default: Node's bundled roots. */
  ca?: string;
  /** Client certificate and key, for a Kubernetes API that authenticates by certificate. */
  cert?: string;
  key?: string;
  /** Accept any server certificate. Only for a lab; the bearer token still travels encrypted. */
  insecureSkipTlsVerify?: boolean;
}

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
 * bearer token to another origin.
 *
 * @example
 * const reply = await sendOnce({ method: 'POST', url, headers, body, timeoutMs: 10_000 });
 */
export function sendOnce(request: SendRequest): Promise<SendReply> {
  if (request.signal?.aborted) return Promise.reject(new CancelledError());
  const isHttps = request.url.protocol === 'https:';
  const send = isHttps ? httpsRequest : httpRequest;
  const tls = request.tls ?? {};
  return new Promise<SendReply>((resolve, reject) => {
    let settled = false;
    const finish = (error: Error | undefined, reply?: SendReply) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      request.signal?.removeEventListener('abort', onAbort);
      if (error) reject(error);
      else resolve(reply!);
    };
    const req = send(request.url, {
      method: request.method,
      headers: { ...request.headers, 'content-length': String(request.body.length) },
      // A fresh connection per request: these calls are rare, and no socket outlives a run.
      agent: false,
      ...(isHttps
        ? {
            ...(tls.ca ? { ca: tls.ca } : {}),
            ...(tls.cert ? { cert: tls.cert } : {}),
            ...(tls.key ? { key: tls.key } : {}),
            rejectUnauthorized: tls.insecureSkipTlsVerify !== true,
          }
        : {}),
    });
    const onAbort = () => {
      req.destroy();
      finish(new CancelledError());
    };
    const timer = setTimeout(() => {
      req.destroy();
      finish(new TransportError('ETIMEDOUT', `no answer within ${request.timeoutMs} ms`));
    }, request.timeoutMs);
    request.signal?.addEventListener('abort', onAbort, { once: true });
    req.on('error', (error: NodeJS.ErrnoException) => {
      finish(new TransportError(error.code ?? 'ECONNRESET', error.message, { cause: error }));
    });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        if (size < MAX_REPLY_BYTES) chunks.push(chunk);
        size += chunk.length;
      });
      res.on('error', (error: NodeJS.ErrnoException) => finish(new TransportError(error.code ?? 'ECONNRESET', error.message, { cause: error })));
      res.on('end', () => {
        const text = Buffer.concat(chunks).subarray(0, MAX_REPLY_BYTES).toString('utf8');
        finish(undefined, { status: res.statusCode ?? 0, headers: res.headers, text });
      });
    });
    req.end(request.body);
  });
}
