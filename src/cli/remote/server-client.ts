import type { z } from 'zod';
import { describeServer } from './server-address.ts';
import { errorFromResponse, UnexpectedAnswerError, unreachable } from './server-errors.ts';
import type { ServerChoice } from './server-choice.ts';

type Query = Record<string, string | number | undefined>;

/**
 * The transport to a Slipway server: Node's fetch with the token as `Authorization: Bearer`, a
 * timeout on every call, redirects not followed, answers checked against the API's shapes, and
 * refusals turned into Slipway's errors (see errorFromResponse).
 */
export class ServerClient {
  /** The server as named in messages (never with the token). */
  readonly server: string;
  private readonly base: URL;
  private readonly token: string | undefined;
  private readonly timeoutMs: number;

  constructor(choice: ServerChoice, options: { timeoutMs?: number } = {}) {
    this.base = choice.url;
    this.token = choice.token;
    this.server = describeServer(choice.url);
    this.timeoutMs = options.timeoutMs ?? 30_000;
  }

  /** Sends one request and returns its JSON body read with `schema`; any status but `ok` throws. */
  async call<T>(method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', path: string, schema: z.ZodType<T>, options: { body?: unknown; query?: Query; headers?: Record<string, string> } = {}): Promise<T> {
    const init: RequestInit = {
      method,
      headers: { accept: 'application/json', ...this.auth(), ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}), ...options.headers },
      ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
      signal: AbortSignal.timeout(this.timeoutMs),
      redirect: 'manual',
    };
    const response = await this.fetch(this.url(path, options.query), init);
    if (!response.ok) throw await errorFromResponse(response, this.server, this.token);
    const text = await response.text().catch((error: unknown) => {
      throw unreachable(this.server, error, this.timeoutMs);
    });
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw new UnexpectedAnswerError(this.server, `${method} /${path}`, 'not JSON');
    }
    const parsed = schema.safeParse(body);
    if (!parsed.success) throw new UnexpectedAnswerError(this.server, `${method} /${path}`, parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).slice(0, 3).join('; '));
    return parsed.data;
  }

  /**
   * Opens a stream (Server-Sent Events). The timeout covers the wait for the response's head only:
   * the body then flows for as long as the run lasts, until `signal` aborts it.
   */
  async open(path: string, headers: Record<string, string>, signal?: AbortSignal): Promise<Response> {
    const connecting = new AbortController();
    const timer = setTimeout(() => connecting.abort(new DOMException('no answer in time', 'TimeoutError')), this.timeoutMs);
    try {
      const init: RequestInit = {
        headers: { accept: 'text/event-stream', ...this.auth(), ...headers }, redirect: 'manual',
        signal: signal ? AbortSignal.any([signal, connecting.signal]) : connecting.signal,
      };
      const response = await this.fetch(this.url(path), init);
      if (!response.ok) throw await errorFromResponse(response, this.server, this.token);
      return response;
    } finally {
      clearTimeout(timer);
    }
  }

  private async fetch(url: URL, init: RequestInit): Promise<Response> {
    try {
      return await fetch(url, init);
    } catch (error) {
      const signal = init.signal;
      // Ctrl-C (the caller's abort) is not the server's fault: passed on as it is.
      if (signal?.aborted && !(signal.reason instanceof DOMException && signal.reason.name === 'TimeoutError')) throw signal.reason;
      throw unreachable(this.server, signal?.aborted ? signal.reason : error, this.timeoutMs);
    }
  }

  private auth(): Record<string, string> {
    return this.token ? { authorization: `Bearer ${this.token}` } : {};
  }

  /** `path` is relative (`v1/apps`), so a server mounted under a path prefix keeps its prefix. */
  private url(path: string, query: Query = {}): URL {
    const url = new URL(path, this.base);
    for (const [key, value] of Object.entries(query)) if (value !== undefined) url.searchParams.set(key, String(value));
    return url;
  }
}
