import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { verify } from '@octokit/webhooks-methods';

/**
 * A stand-in for Flux notification-controller's webhook receiver (port 9292), written from its
 * documentation and handler behaviour, for tests on 127.0.0.1. It knows one Receiver: it serves
 * only `/hook/` + sha256(token + name + namespace), answers like the controller (404 for an
 * unknown path, 503 when suspended or not Ready, 400 when the payload does not validate, 500 when
 * a listed resource cannot be annotated, 200 otherwise, all with empty bodies), and records what
 * it accepted. It shares no code with Slipway's syncer: SHA-256 signatures are checked with
 * `@octokit/webhooks-methods`, the SHA-1/SHA-512 ones GitHub-style receivers also take with
 * node:crypto directly.
 */
export interface FakeReceiverOptions {
  token: string;
  name: string;
  namespace: string;
  type: 'github' | 'generic-hmac' | 'generic';
  /** `.spec.events` (github only); empty accepts every event. Default: ping and push, as in the Flux docs. */
  events?: string[];
}

export interface ReceivedHook {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  /** The exact body text. */
  body: string;
  /** `X-GitHub-Event` for github Receivers. */
  event?: string;
}

export interface FakeFluxReceiver {
  /** `http://127.0.0.1:<port>`, the address of the webhook-receiver Service. */
  readonly url: string;
  /** What the controller would publish in `.status.webhookPath`. */
  readonly webhookPath: string;
  /** `url` + `webhookPath`. */
  readonly hookUrl: string;
  readonly accepted: ReceivedHook[];
  /** Requests refused, with the status and the reason the controller would log. */
  readonly refused: { status: number; reason: string }[];
  /** Answer the next requests to the hook path with these statuses before handling any normally. */
  failNext(...statuses: number[]): void;
  /** Suspend the Receiver, make it not Ready, or make annotating its resources fail. */
  setState(state: { suspended?: boolean; ready?: boolean; resourcesMissing?: boolean }): void;
  close(): Promise<void>;
}

const MAX_BODY = 3 * 1024 * 1024;
const HASHES = new Set(['sha1', 'sha256', 'sha512']);

/**
 * Starts the fake receiver on an ephemeral loopback port.
 *
 * @example
 * const receiver = await startFakeFluxReceiver({ token, name: 'homelab-git-receiver', namespace: 'flux-system', type: 'github' });
 * // … call receiver.hookUrl …
 * await receiver.close();
 */
export async function startFakeFluxReceiver(options: FakeReceiverOptions): Promise<FakeFluxReceiver> {
  const webhookPath = `/hook/${createHash('sha256').update(`${options.token}${options.name}${options.namespace}`).digest('hex')}`;
  const events = options.events ?? ['ping', 'push'];
  const accepted: ReceivedHook[] = [];
  const refused: { status: number; reason: string }[] = [];
  const failures: number[] = [];
  const state = { suspended: false, ready: true, resourcesMissing: false };

  const answer = (res: ServerResponse, status: number, reason?: string, body = '') => {
    if (reason) refused.push({ status, reason });
    res.writeHead(status, body ? { 'content-type': 'text/plain; charset=utf-8' } : {});
    res.end(body);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const requestUri = req.url ?? '';
    // Go's ServeMux routes only /hook/… to the receiver handler; anything else gets its stock 404 page.
    if (!requestUri.startsWith('/hook/')) return answer(res, 404, 'not a receiver path', '404 page not found\n');
    const raw = await readLimited(req);
    if (raw === undefined) return answer(res, 413, 'request body exceeds the maximum size');
    // The controller finds the Receiver by the exact request URI (query string included).
    if (requestUri !== webhookPath) return answer(res, 404, 'no Receiver has this webhook path');
    const injected = failures.shift();
    if (injected !== undefined) return answer(res, injected, 'injected failure');
    if (state.suspended || !state.ready) return answer(res, 503, state.suspended ? 'receiver is suspended' : 'receiver is not ready');
    const problem = await validate(options, events, req.headers, raw);
    if (problem) return answer(res, 400, `unable to validate payload: ${problem}`);
    if (state.resourcesMissing) return answer(res, 500, 'unable to request reconciliation');
    const event = options.type === 'github' ? header(req.headers, 'x-github-event') : undefined;
    accepted.push({ method: req.method ?? '', path: requestUri, headers: req.headers, body: raw.toString('utf8'), ...(event !== undefined ? { event } : {}) });
    return answer(res, 200);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => answer(res, 500, `handler failed: ${String(error)}`));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    webhookPath,
    hookUrl: `${url}${webhookPath}`,
    accepted,
    refused,
    failNext: (...statuses) => failures.push(...statuses),
    setState: (next) => Object.assign(state, next),
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

/** The per-type checks the controller makes; returns why the payload is refused, or undefined. */
async function validate(options: FakeReceiverOptions, events: string[], headers: IncomingHttpHeaders, body: Buffer): Promise<string | undefined> {
  if (options.type === 'generic') return undefined;
  if (options.type === 'generic-hmac') {
    return checkSignature(header(headers, 'x-signature') ?? '', body, options.token);
  }
  // github: the SHA-256 header, else the legacy SHA-1 one; JSON or form bodies only.
  const signature = header(headers, 'x-hub-signature-256') || header(headers, 'x-hub-signature') || '';
  const mediaType = (header(headers, 'content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  if (mediaType !== 'application/json' && mediaType !== 'application/x-www-form-urlencoded') {
    return `webhook request has unsupported Content-Type ${JSON.stringify(mediaType)}`;
  }
  const problem = await checkSignature(signature, body, options.token);
  if (problem) return `the GitHub signature header is invalid: ${problem}`;
  const event = header(headers, 'x-github-event') ?? '';
  if (events.length > 0 && !events.some((e) => e.toLowerCase() === event.toLowerCase())) {
    return `the GitHub event ${JSON.stringify(event)} is not authorised`;
  }
  return undefined;
}

/** `<hash>=<hex>` with hash sha1, sha256 or sha512, an HMAC of the body keyed with the token. */
async function checkSignature(signature: string, body: Buffer, token: string): Promise<string | undefined> {
  if (signature === '') return 'missing signature';
  const eq = signature.indexOf('=');
  if (eq === -1) return 'error parsing signature';
  const hash = signature.slice(0, eq);
  const hex = signature.slice(eq + 1);
  if (!HASHES.has(hash)) return `unknown hash type prefix: ${JSON.stringify(hash)}`;
  if (!/^([0-9a-f]{2})*$/i.test(hex)) return 'error decoding signature';
  if (hash === 'sha256' && body.length > 0) {
    // Compare in lowercase hex, the form octokit produces (it refuses an empty payload); the controller compares bytes.
    return (await verify(token, body.toString('utf8'), `sha256=${hex.toLowerCase()}`)) ? undefined : 'payload signature check failed';
  }
  const expected = createHmac(hash, token).update(body).digest();
  const given = Buffer.from(hex, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected) ? undefined : 'payload signature check failed';
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

async function readLimited(req: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY) return undefined;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}
