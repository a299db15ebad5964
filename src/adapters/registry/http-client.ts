import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { rootCertificates } from 'node:tls';
import { readBody as readLimited, sendRequest, type HttpBody, type HttpMethod, type HttpResponse } from '../http/index.ts';
import { displayUrl, RegistryError } from './registry-error.ts';

export { drain, header, type HttpBody, type HttpMethod, type HttpResponse } from '../http/index.ts';

export interface HttpRequest {
  method: HttpMethod;
  url: URL;
  headers?: Record<string, string>;
  body?: HttpBody;
  signal?: AbortSignal;
}

const MAX_REDIRECTS = 5;

/**
 * The shared HTTP client with what a registry needs on top: keep-alive agents (a push sends many
 * small requests to one host), an extra CA added to the public roots, and redirects followed (an
 * `Authorization` header is never carried to another origin).
 *
 * @example
 * const http = new HttpClient({ userAgent: 'slipway' });
 * const res = await http.send({ method: 'GET', url: new URL('http://127.0.0.1:5000/v2/') });
 */
export class HttpClient {
  readonly #http: HttpAgent;
  #https: HttpsAgent | undefined;
  readonly #ca: string | Buffer | undefined;
  readonly #userAgent: string;
  readonly #timeoutMs: number;

  constructor(options: { ca?: string | Buffer; userAgent: string; timeoutMs?: number }) {
    this.#http = new HttpAgent({ keepAlive: true, maxSockets: 8 });
    this.#ca = options.ca;
    this.#userAgent = options.userAgent;
    this.#timeoutMs = options.timeoutMs ?? 60_000;
  }

  #httpsAgent(): HttpsAgent {
    if (!this.#https) {
      // An explicit `ca` replaces Node's bundled roots, so add the extra CA to them, not instead.
      const ca = this.#ca ? [...rootCertificates, this.#ca.toString()] : undefined;
      this.#https = new HttpsAgent({ keepAlive: true, maxSockets: 8, ...(ca ? { ca } : {}) });
    }
    return this.#https;
  }

  /** Sends `request`, following redirects; the caller consumes or drains the response body. */
  send(request: HttpRequest): Promise<HttpResponse> {
    return sendRequest({
      ...request,
      headers: { 'user-agent': this.#userAgent, ...request.headers },
      agentFor: (url) => (url.protocol === 'https:' ? this.#httpsAgent() : this.#http),
      timeoutMs: this.#timeoutMs,
      maxRedirects: MAX_REDIRECTS,
    });
  }

  /** Closes idle keep-alive sockets. */
  close(): void {
    this.#http.destroy();
    this.#https?.destroy();
  }
}

/** Reads a response body into memory, refusing more than `limit` bytes. */
export function readBody(response: HttpResponse, limit = 4 * 1024 * 1024): Promise<Buffer> {
  return readLimited(response, limit, () => new RegistryError(`${displayUrl(response.url)} answered with more than ${limit} bytes`, { url: displayUrl(response.url) }));
}
