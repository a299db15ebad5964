import type { Agent as HttpAgentType, IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type { Agent as HttpsAgentType } from 'node:https';
import type { Readable } from 'node:stream';
import { CancelledError } from '../../domain/errors.ts';
import { displayUrl, RegistryError } from './registry-error.ts';

// An ESM import of node:http reads every export, and its WebSocket getter loads undici (~25 ms);
// the CommonJS module object does not, which keeps one-shot commands fast. node:https and node:tls
// (~8 ms more) are loaded on the first https request only.
const { Agent: HttpAgent, request: httpRequest } = process.getBuiltinModule('node:http');
const https = () => process.getBuiltinModule('node:https');

export type HttpMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH';

/** A request body: bytes, or a factory opening a fresh stream (called again when the request is re-sent). */
export type HttpBody = Buffer | (() => Readable);

export interface HttpRequest {
  method: HttpMethod;
  url: URL;
  headers?: Record<string, string>;
  body?: HttpBody;
  signal?: AbortSignal;
}

export interface HttpResponse {
  status: number;
  headers: IncomingHttpHeaders;
  /** The URL that answered, after redirects (relative `Location`s resolve against it). */
  url: URL;
  body: IncomingMessage;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const MAX_REDIRECTS = 5;

/**
 * HTTP/1.1 with keep-alive agents and redirects followed by hand, so that an `Authorization`
 * header is never carried to another origin (registries redirect blob downloads to object
 * storage with pre-signed URLs, which reject — or log — foreign credentials).
 *
 * @example
 * const http = new HttpClient({ userAgent: 'slipway' });
 * const res = await http.send({ method: 'GET', url: new URL('http://127.0.0.1:5000/v2/') });
 */
export class HttpClient {
  readonly #http: HttpAgentType;
  #https: HttpsAgentType | undefined;
  readonly #ca: string | Buffer | undefined;
  readonly #userAgent: string;
  readonly #timeoutMs: number;

  constructor(options: { ca?: string | Buffer; userAgent: string; timeoutMs?: number }) {
    this.#http = new HttpAgent({ keepAlive: true, maxSockets: 8 });
    this.#ca = options.ca;
    this.#userAgent = options.userAgent;
    this.#timeoutMs = options.timeoutMs ?? 60_000;
  }

  #httpsAgent(): HttpsAgentType {
    if (!this.#https) {
      // An explicit `ca` replaces Node's bundled roots, so add the extra CA to them, not instead.
      const ca = this.#ca ? [...process.getBuiltinModule('node:tls').rootCertificates, this.#ca.toString()] : undefined;
      this.#https = new (https().Agent)({ keepAlive: true, maxSockets: 8, ...(ca ? { ca } : {}) });
    }
    return this.#https;
  }

  /** Sends `request`, following redirects; the caller consumes or drains the response body. */
  async send(request: HttpRequest): Promise<HttpResponse> {
    let { url, method, body } = request;
    const headers = { ...request.headers };
    for (let hop = 0; ; hop++) {
      const response = await this.#once({ ...request, method, url, headers, body });
      const location = response.headers.location;
      if (!REDIRECTS.has(response.statusCode ?? 0) || !location || hop >= MAX_REDIRECTS) {
        return { status: response.statusCode ?? 0, headers: response.headers, url, body: response };
      }
      response.resume();
      const next = new URL(location, url);
      if (next.origin !== url.origin) {
        delete headers.authorization;
      }
      if (response.statusCode === 303 && method !== 'HEAD') {
        method = 'GET';
        body = undefined;
        delete headers['content-length'];
        delete headers['content-type'];
      }
      url = next;
    }
  }

  /** Closes idle keep-alive sockets. */
  close(): void {
    this.#http.destroy();
    this.#https?.destroy();
  }

  #once(request: Required<Pick<HttpRequest, 'method' | 'url' | 'headers'>> & HttpRequest): Promise<IncomingMessage> {
    const { url, method, body, signal } = request;
    if (signal?.aborted) return Promise.reject(new CancelledError());
    const secure = url.protocol === 'https:';
    const headers: Record<string, string> = { 'user-agent': this.#userAgent, ...request.headers };
    if (Buffer.isBuffer(body)) headers['content-length'] = String(body.length);
    else if (!body && (method === 'POST' || method === 'PUT' || method === 'PATCH')) headers['content-length'] = '0';
    return new Promise((resolve, reject) => {
      const options = { method, headers, signal };
      const onResponse = (res: IncomingMessage) => {
        settled = true;
        resolve(res);
      };
      const req = secure ? https().request(url, { ...options, agent: this.#httpsAgent() }, onResponse) : httpRequest(url, { ...options, agent: this.#http }, onResponse);
      let settled = false;
      req.setTimeout(this.#timeoutMs, () => req.destroy(Object.assign(new Error(`no answer within ${this.#timeoutMs} ms`), { code: 'ETIMEDOUT' })));
      req.on('error', (error: Error & { code?: string }) => {
        if (settled) return;
        reject(error.name === 'AbortError' || signal?.aborted ? new CancelledError() : error);
      });
      if (body === undefined) req.end();
      else if (Buffer.isBuffer(body)) req.end(body);
      else {
        const source = body();
        source.on('error', (error) => req.destroy(error));
        // Once the registry has answered it wants no more bytes (an early 401 or 413); a socket
        // left with half a request body cannot be reused, so drop it when the answer is read.
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
}

/** Reads a response body into memory, refusing more than `limit` bytes. */
export async function readBody(response: HttpResponse, limit = 4 * 1024 * 1024): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of response.body) {
    total += (chunk as Buffer).length;
    if (total > limit) {
      response.body.destroy();
      throw new RegistryError(`${displayUrl(response.url)} answered with more than ${limit} bytes`, { url: displayUrl(response.url) });
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
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
export function header(response: HttpResponse, name: string): string | undefined {
  const value = response.headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}
