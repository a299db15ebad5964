import { X509Certificate } from 'node:crypto';
import { createServer as createHttpServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { verify } from '@octokit/webhooks-methods';

/**
 * A small stand-in, on 127.0.0.1, for the two places Slipway tells Argo CD to refresh:
 * - the Kubernetes API's PATCH of an `argoproj.io/v1alpha1` Application (bearer token or client
 *   certificate, JSON merge patch only, Kubernetes `Status` bodies on errors), and
 * - Argo CD's `/api/webhook` for GitHub push events (`X-GitHub-Event`, `X-Hub-Signature-256`
 *   checked with `@octokit/webhooks-methods` when a secret is set, the answers argocd-server gives).
 * It is deliberately minimal; it is not a general Kubernetes API.
 */
export interface FakeArgoCdOptions {
  /** Serve HTTPS with this certificate (Kubernetes APIs always do). */
  tls?: { cert: string; key: string };
  /** The bearer token the API accepts. */
  token?: string;
  /** A client certificate (PEM) the API accepts instead of a token; needs `tls`. */
  clientCert?: string;
  /** Applications that exist, as `namespace/name`. */
  applications?: string[];
  /** Namespaces where the caller may not patch (answers 403). */
  forbiddenNamespaces?: string[];
  /** `webhook.github.secret`; unset means Argo CD checks no signature. */
  webhookSecret?: string;
}

export interface RecordedPatch {
  path: string;
  contentType: string;
  patch: unknown;
  /** How the caller authenticated. */
  auth: 'token' | 'client-certificate';
}

export interface RecordedWebhook {
  event: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface FakeArgoCd {
  readonly url: string;
  readonly patches: RecordedPatch[];
  readonly webhooks: RecordedWebhook[];
  /** The stored Application object, after the patches so far. */
  application(namespace: string, name: string): Record<string, any> | undefined;
  /** Answer the next requests with these statuses (as a Kubernetes Status / plain text). */
  failNext(...statuses: number[]): void;
  close(): Promise<void>;
}

const APP_PATH = /^\/apis\/argoproj\.io\/v1alpha1\/namespaces\/([^/]+)\/applications\/([^/]+)$/;

/**
 * Starts the fake on an ephemeral loopback port.
 *
 * @example
 * const api = await startFakeArgoCd({ tls: { cert, key }, token: 'sa-token', applications: ['argocd/pomodoro'] });
 */
export async function startFakeArgoCd(options: FakeArgoCdOptions): Promise<FakeArgoCd> {
  const apps = new Map<string, Record<string, any>>();
  for (const id of options.applications ?? []) {
    const [namespace, name] = id.split('/') as [string, string];
    apps.set(id, { apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', metadata: { name, namespace, resourceVersion: '1', annotations: {} }, spec: {} });
  }
  const patches: RecordedPatch[] = [];
  const webhooks: RecordedWebhook[] = [];
  const failures: number[] = [];
  const clientFingerprint = options.clientCert ? new X509Certificate(options.clientCert).fingerprint256 : undefined;

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const body = await readAll(req);
    const path = (req.url ?? '').split('?')[0]!;
    const injected = failures.shift();
    if (injected !== undefined) return status(res, injected, 'InternalError', 'injected failure');
    if (path === '/api/webhook') return webhook(req, res, body);
    const match = APP_PATH.exec(path);
    if (!match) return status(res, 404, 'NotFound', 'the server could not find the requested resource');
    const auth = authenticate(req);
    if (!auth) return status(res, 401, 'Unauthorized', 'Unauthorized');
    const [namespace, name] = [decodeURIComponent(match[1]!), decodeURIComponent(match[2]!)];
    if (req.method !== 'PATCH') return status(res, 405, 'MethodNotAllowed', `${req.method} is not supported here`);
    if (options.forbiddenNamespaces?.includes(namespace)) {
      return status(res, 403, 'Forbidden', `applications.argoproj.io "${name}" is forbidden: User "system:serviceaccount:slipway:slipway" cannot patch resource "applications" in API group "argoproj.io" in the namespace "${namespace}"`);
    }
    const contentType = (req.headers['content-type'] ?? '').split(';')[0]!.trim();
    if (contentType !== 'application/merge-patch+json') {
      // Custom resources take no strategic merge patch; this fake takes only the merge patch Slipway sends.
      return status(res, 415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/merge-patch+json`);
    }
    let patch: unknown;
    try {
      patch = JSON.parse(body.toString('utf8'));
    } catch {
      return status(res, 400, 'BadRequest', 'error decoding patch: invalid JSON');
    }
    const app = apps.get(`${namespace}/${name}`);
    if (!app) return status(res, 404, 'NotFound', `applications.argoproj.io "${name}" not found`);
    const merged = mergePatch(app, patch) as Record<string, any>;
    merged.metadata.resourceVersion = String(Number(app.metadata.resourceVersion) + 1);
    apps.set(`${namespace}/${name}`, merged);
    patches.push({ path, contentType, patch, auth });
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(merged));
  };

  const authenticate = (req: IncomingMessage): RecordedPatch['auth'] | undefined => {
    const authorization = req.headers.authorization ?? '';
    if (options.token && authorization === `Bearer ${options.token}`) return 'token';
    const socket = req.socket as TLSSocket;
    if (clientFingerprint && typeof socket.getPeerCertificate === 'function') {
      const peer = socket.getPeerCertificate();
      if (peer && peer.fingerprint256 === clientFingerprint) return 'client-certificate';
    }
    return undefined;
  };

  const webhook = async (req: IncomingMessage, res: ServerResponse, body: Buffer) => {
    const event = header(req.headers, 'x-github-event');
    if (!event) return text(res, 400, 'Unknown webhook event');
    if (req.method !== 'POST') return text(res, 405, 'Webhook processing failed: invalid HTTP Method');
    if (event !== 'push' && event !== 'ping') return text(res, 400, 'Webhook processing failed: event not defined to be parsed');
    if (body.length === 0) return text(res, 400, 'Webhook processing failed: The payload is either too large or corrupted.');
    if (options.webhookSecret) {
      const signature = header(req.headers, 'x-hub-signature-256');
      if (!signature) return text(res, 400, 'Webhook processing failed: missing X-Hub-Signature-256 Header');
      if (!(await verify(options.webhookSecret, body.toString('utf8'), signature))) return text(res, 400, 'Webhook processing failed: HMAC verification failed');
    }
    try {
      JSON.parse(body.toString('utf8'));
    } catch {
      return text(res, 400, 'Webhook processing failed: error parsing payload');
    }
    webhooks.push({ event, headers: req.headers, body: body.toString('utf8') });
    res.writeHead(200);
    res.end();
  };

  const listener = (req: IncomingMessage, res: ServerResponse) => {
    handle(req, res).catch((error: unknown) => status(res, 500, 'InternalError', String(error)));
  };
  const server: Server = options.tls
    ? createHttpsServer({ cert: options.tls.cert, key: options.tls.key, requestCert: Boolean(options.clientCert), rejectUnauthorized: false }, listener)
    : createHttpServer(listener);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const scheme = options.tls ? 'https' : 'http';
  return {
    url: `${scheme}://127.0.0.1:${(server.address() as AddressInfo).port}`,
    patches,
    webhooks,
    application: (namespace, name) => apps.get(`${namespace}/${name}`),
    failNext: (...statuses) => failures.push(...statuses),
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

/** RFC 7386 JSON merge patch. */
function mergePatch(target: unknown, patch: unknown): unknown {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return patch;
  const out: Record<string, unknown> = target && typeof target === 'object' && !Array.isArray(target) ? { ...(target as Record<string, unknown>) } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else out[key] = mergePatch(out[key], value);
  }
  return out;
}

function status(res: ServerResponse, code: number, reason: string, message: string): void {
  res.writeHead(code, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code }));
}

function text(res: ServerResponse, code: number, message: string): void {
  res.writeHead(code, { 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff' });
  res.end(`${message}\n`);
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

async function readAll(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks);
}
