import { request as httpRequest, type Agent as HttpAgent, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import { request as httpsRequest, type Agent as HttpsAgent } from 'node:https';
import type { Readable } from 'node:stream';
import { CancelledError } from '../../domain/errors.ts';

/**
 * The one HTTP(S) client of Slipway's adapters: TLS settings, an inactivity timeout, abort signals,
 * and redirects followed by hand so that credentials never travel to another origin. The Kubernetes
 * watcher, the syncers' webhooks and the registry client all send through it; the registry adds its
 * keep-alive agents and streaming bodies on top.
 */

/** How to trust (and be trusted by) an HTTPS endpoint. PEM text throughout. */
export interface TlsOptions {
  /** Trust only this CA bundle (a cluster's own CA, as kubectl does); default: Node's bundled roots. */
  ca?: string;
  /** Client certificate and key, for a Kubernetes API that authenticates by certificate. */
  cert?: string;
  key?: string;
  /** Accept any server certificate. Only where configured, for a lab. */
  insecureSkipTlsVerify?: boolean;
}

export type HttpMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** A request body: bytes or text, or a factory opening a fresh stream (called again when the request is re-sent). */
export type HttpBody = Buffer | string | (() => Readable);

export interface HttpRequest {
  method?: HttpMethod;
  url: URL;
  headers?: Record<string, string>;
  body?: HttpBody;
  /** Ignored when `agentFor` is given: agents carry their own TLS settings. */
  tls?: TlsOptions;
  /** The (keep-alive) agent for each URL sent to, redirects included; default: a fresh connection per request. */
  agentFor?: (url: URL) => HttpAgent | HttpsAgent;
  signal?: AbortSignal;
  /** Socket inactivity limit; default 15 s. */
  timeoutMs?: number;
  /** How many redirects to follow; default 0 (the 3xx answer is returned). */
  maxRedirects?: number;
}

export interface HttpResponse {
  status: number;
  headers: IncomingHttpHeaders;
  /** The URL that answered, after redirects (relative `Location`s resolve against it). */
  url: URL;
  body: IncomingMessage;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/**
 * Sends `request`, following up to `maxRedirects` redirects. An `Authorization` header is dropped
 * when a redirect leads to another origin (registries redirect blob downloads to object storage
 * with pre-signed URLs, which reject — or log — foreign credentials). Aborting rejects with
 * CancelledError; no answer within the timeout rejects with an error whose code is ETIMEDOUT.
 * The caller consumes or drains the response body.
 *
 * @example
 * const res = await sendRequest({ url: new URL('http://127.0.0.1:5000/v2/'), maxRedirects: 5 });
 */
export async function sendRequest(request: HttpRequest): Promise<HttpResponse> {
  let { url, method = 'GET', body } = request;
  const headers = { ...request.headers };
  for (let hop = 0; ; hop++) {
    const response = await exchange({ ...request, method, url, headers, body });
    const location = response.headers.location;
    if (!REDIRECTS.has(response.statusCode ?? 0) || !location || hop >= (request.maxRedirects ?? 0)) {
      return { status: response.statusCode ?? 0, headers: response.headers, url, body: response };
    }
    response.resume();
    const next = new URL(location, url);
    if (next.origin !== url.origin) deleteHeader(headers, 'authorization');
    if (response.statusCode === 303 && method !== 'HEAD') {
      method = 'GET';
      body = undefined;
      deleteHeader(headers, 'content-length');
      deleteHeader(headers, 'content-type');
    }
    url = next;
  }
}

/** Reads a response body into memory, refusing more than `limit` bytes (`onTooLarge` names the error). */
export async function readBody(response: HttpResponse, limit: number, onTooLarge: () => Error): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  try {
    for await (const chunk of response.body) {
      total += (chunk as Buffer).length;
      if (total > limit) {
        response.body.destroy();
        throw onTooLarge();
      }
      chunks.push(chunk as Buffer);
    }
  } catch (error) {
    throw asCancelled(error);
  }
  return Buffer.concat(chunks);
}

/** Reads a response body as text, keeping its first `maxBytes` bytes and dropping the rest. */
export async function readTextPrefix(response: HttpResponse, maxBytes: number): Promise<string> {
  const chunks: Buffer[] = [];
  let kept = 0;
  try {
    for await (const chunk of response.body) {
      if (kept < maxBytes) {
        chunks.push(chunk as Buffer);
        kept += (chunk as Buffer).length;
      }
    }
  } catch (error) {
    throw asCancelled(error);
  }
  return Buffer.concat(chunks).subarray(0, maxBytes).toString('utf8');
}

/**
 * Reads and discards a response body so its socket can be reused. Most bodies drained are empty
 * (HEAD, 201, 202): events, not an async iterator, so that costs next to nothing.
 */
export function drain(response: HttpResponse): Promise<void> {
  const body = response.body;
  if (body.readableEnded || body.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    // A body that breaks off while being discarded does not matter.
    body.once('end', resolve).once('error', () => resolve()).once('close', resolve);
    body.resume();
  });
}

/** A single header value (the first when repeated). */
export function header(response: Pick<HttpResponse, 'headers'>, name: string): string | undefined {
  const value = response.headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

/** An abort while a body is read surfaces as CancelledError, as it does before the answer. */
function asCancelled(error: unknown): unknown {
  return (error as Error).name === 'AbortError' ? new CancelledError() : error;
}

function deleteHeader(headers: Record<string, string>, name: string): void {
  for (const key of Object.keys(headers)) if (key.toLowerCase() === name) delete headers[key];
}

/** One request and its answer's head; the body is left to the caller. */
function exchange(request: HttpRequest & { method: HttpMethod; headers: Record<string, string> }): Promise<IncomingMessage> {
  const { url, method, body, signal } = request;
  if (signal?.aborted) return Promise.reject(new CancelledError());
  const secure = url.protocol === 'https:';
  const timeoutMs = request.timeoutMs ?? 15_000;
  const headers: Record<string, string> = { 'user-agent': 'slipway', ...request.headers };
  if (typeof body === 'string' || Buffer.isBuffer(body)) headers['content-length'] = String(Buffer.byteLength(body));
  else if (!body && (method === 'POST' || method === 'PUT' || method === 'PATCH')) headers['content-length'] = '0';
  const agent = request.agentFor?.(url);
  const tls = secure && !agent ? tlsSettings(request.tls) : {};
  const options = { method, headers, signal, agent: agent ?? false, ...tls };
  return new Promise((resolve, reject) => {
    let answered = false;
    const onResponse = (res: IncomingMessage) => {
      answered = true;
      resolve(res);
    };
    const req = secure ? httpsRequest(url, options, onResponse) : httpRequest(url, options as Parameters<typeof httpRequest>[1], onResponse);
    req.setTimeout(timeoutMs, () => req.destroy(Object.assign(new Error(`no answer within ${timeoutMs} ms`), { code: 'ETIMEDOUT' })));
    req.on('error', (error: Error) => {
      if (answered) return;
      reject(signal?.aborted || error.name === 'AbortError' ? new CancelledError() : error);
    });
    if (body === undefined) req.end();
    else if (typeof body === 'string' || Buffer.isBuffer(body)) req.end(body);
    else {
      const source = body();
      source.on('error', (error) => req.destroy(error));
      // Once the server has answered it wants no more bytes (an early 401 or 413); a socket left
      // with half a request body cannot be reused, so drop it when the answer is read.
      req.on('response', (res) => {
        if (req.writableFinished) return;
        source.unpipe(req);
        source.destroy();
        res.once('end', () => req.destroy());
      });
      req.on('close', () => source.destroy());
      source.pipe(req);
    }
  });
}

function tlsSettings(tls: TlsOptions | undefined): { ca?: string; cert?: string; key?: string; rejectUnauthorized: boolean } {
  return {
    ...(tls?.ca ? { ca: tls.ca } : {}),
    ...(tls?.cert ? { cert: tls.cert } : {}),
    ...(tls?.key ? { key: tls.key } : {}),
    rejectUnauthorized: tls?.insecureSkipTlsVerify !== true,
  };
}
