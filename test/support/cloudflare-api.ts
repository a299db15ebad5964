import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { startReceiver, type Received, type Receiver } from '../../src/adapters/notify/receiver.test-support.ts';

/** An Access application as the stand-in keeps it. */
export interface StoredAccessApp {
  id: string;
  aud: string;
  name: string;
  domain: string;
  type: string;
  session_duration: string;
  policies: Array<{ id: string; precedence: number }>;
  created_at: string;
  updated_at: string;
}

/** A reusable Access policy as the stand-in keeps it. */
export interface StoredAccessPolicy {
  id: string;
  name: string;
  decision: string;
  include: unknown[];
  exclude: unknown[];
  require: unknown[];
  reusable: true;
  created_at: string;
  updated_at: string;
}

export interface CloudflareStandIn extends Receiver {
  /** The API root to set as access.cloudflare.apiUrl (…/client/v4). */
  apiUrl: string;
  /** The account's Access applications and reusable policies, as they are now. */
  apps(): StoredAccessApp[];
  policies(): StoredAccessPolicy[];
}

export interface CloudflareStandInOptions {
  /** The one account that exists. */
  accountId: string;
  /** Tokens by value: `edit` may change Access apps and policies of the account, `read` only read them, `none` nothing. */
  tokens: Record<string, 'edit' | 'read' | 'none'>;
}

const RULE_KEYS = new Set(['email', 'email_domain', 'group', 'everyone']);

/**
 * A local server answering as the Cloudflare API v4 does for Zero Trust Access
 * (https://developers.cloudflare.com/api/resources/zero_trust/subresources/access/): the envelope
 * `{ success, errors, messages, result }` (lists with `result_info`), `Authorization: Bearer` only —
 * a missing or malformed header is 400 code 6003 "Invalid request headers", an unknown token or one
 * without the Access permission 403 code 10000 "Authentication error" —, an unknown account 404 code
 * 7003 "Could not route to …", and under `/accounts/{id}/access`: `apps` (list, create a
 * `self_hosted` app for a domain, get, update with PUT, delete) referencing reusable `policies` by id,
 * and `policies` (list, create, get, update, delete; one still used by an app cannot be deleted,
 * 400 code 12130). It keeps what it was given, so tests check what Slipway made.
 */
export async function startCloudflareStandIn(options: CloudflareStandInOptions): Promise<CloudflareStandIn> {
  const apps = new Map<string, StoredAccessApp>();
  const policies = new Map<string, StoredAccessPolicy>();
  const now = () => new Date().toISOString();

  const answer = (request: Received, res: ServerResponse) => {
    const send = (status: number, result: unknown, errors: Array<{ code: number; message: string }> = [], extra: Record<string, unknown> = {}) =>
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ success: errors.length === 0, errors, messages: [], result, ...extra }));
    const fail = (status: number, code: number, message: string) => send(status, null, [{ code, message }]);
    const url = new URL(request.path, 'http://stand-in');
    const match = /^\/client\/v4\/accounts\/([^/]+)\/access\/(apps|policies)(?:\/([^/]+))?$/.exec(url.pathname);
    if (!match) return fail(404, 7000, 'No route for that URI');
    const auth = String(request.headers.authorization ?? '');
    if (!/^Bearer [A-Za-z0-9_-]{20,}$/.test(auth)) return fail(400, 6003, 'Invalid request headers');
    const [, account, kind, id] = match as unknown as [string, string, 'apps' | 'policies', string | undefined];
    if (account !== options.accountId) return fail(404, 7003, `Could not route to ${url.pathname}, perhaps your object identifier is invalid?`);
    const grant = options.tokens[auth.slice('Bearer '.length)];
    const writing = request.method !== 'GET';
    if (grant === undefined || grant === 'none' || (writing && grant !== 'edit')) return fail(403, 10000, 'Authentication error');
    let body: Record<string, unknown> = {};
    if (request.method === 'POST' || request.method === 'PUT') {
      try {
        body = JSON.parse(request.body) as Record<string, unknown>;
      } catch {
        return fail(400, 10001, 'Request body is not valid JSON');
      }
    }
    const store: Map<string, StoredAccessApp | StoredAccessPolicy> = kind === 'apps' ? apps : policies;
    if (id === undefined) {
      if (request.method === 'GET') return list(send, [...store.values()], url);
      if (request.method !== 'POST') return fail(405, 10000, 'Method not allowed');
      const made = kind === 'apps' ? appFrom(body, randomUUID(), now()) : policyFrom(body, randomUUID(), now());
      if (typeof made === 'string') return fail(400, 12130, made);
      store.set(made.id, made);
      return send(201, expand(made));
    }
    const current = store.get(id);
    if (!current) return fail(404, 12130, `${kind === 'apps' ? 'application' : 'policy'} not found`);
    if (request.method === 'GET') return send(200, expand(current));
    if (request.method === 'DELETE') {
      if (kind === 'policies' && [...apps.values()].some((app) => app.policies.some((p) => p.id === id))) {
        return fail(400, 12130, 'policy is in use by one or more applications; remove it from them first');
      }
      store.delete(id);
      return send(200, { id });
    }
    if (request.method !== 'PUT') return fail(405, 10000, 'Method not allowed');
    const updated = kind === 'apps' ? appFrom(body, id, (current as StoredAccessApp).created_at) : policyFrom(body, id, current.created_at);
    if (typeof updated === 'string') return fail(400, 12130, updated);
    store.set(id, { ...updated, updated_at: now() });
    return send(200, expand(store.get(id)!));
  };

  /** Lists page as the API does: `page` and `per_page` (default 25, at most 1000), with `result_info`. */
  function list(send: (status: number, result: unknown, errors?: never[], extra?: Record<string, unknown>) => void, items: Array<StoredAccessApp | StoredAccessPolicy>, url: URL) {
    const perPage = Math.min(Number(url.searchParams.get('per_page') ?? 25), 1000);
    const page = Math.max(Number(url.searchParams.get('page') ?? 1), 1);
    const slice = items.slice((page - 1) * perPage, page * perPage);
    send(200, slice.map(expand), [], { result_info: { page, per_page: perPage, count: slice.length, total_count: items.length, total_pages: Math.max(1, Math.ceil(items.length / perPage)) } });
  }

  /** An app's policies are answered in full, as the API expands them. */
  function expand(item: StoredAccessApp | StoredAccessPolicy) {
    if (!('domain' in item)) return item;
    return { ...item, policies: item.policies.map((ref) => ({ ...policies.get(ref.id), precedence: ref.precedence })) };
  }

  function appFrom(body: Record<string, unknown>, id: string, createdAt: string): StoredAccessApp | string {
    if (body['type'] !== 'self_hosted') return 'type: only self_hosted applications are served here';
    if (typeof body['domain'] !== 'string' || !/^[a-z0-9.-]+(\/[^\s]*)?$/.test(body['domain'])) return 'domain: a hostname is required for a self-hosted application';
    if ([...apps.values()].some((app) => app.domain === body['domain'] && app.id !== id)) return `domain: an application for ${String(body['domain'])} exists already`;
    const refs = Array.isArray(body['policies']) ? (body['policies'] as unknown[]) : [];
    const policyRefs: StoredAccessApp['policies'] = [];
    for (const [index, ref] of refs.entries()) {
      const policyId = typeof ref === 'string' ? ref : (ref as { id?: unknown }).id;
      if (typeof policyId !== 'string' || !policies.has(policyId)) return `policies[${index}]: no reusable policy ${String(policyId)}`;
      policyRefs.push({ id: policyId, precedence: typeof ref === 'object' && ref !== null ? Number((ref as { precedence?: unknown }).precedence ?? index + 1) : index + 1 });
    }
    return {
      id, aud: id.replaceAll('-', '').padEnd(64, '0'), name: String(body['name'] ?? body['domain']), domain: body['domain'], type: 'self_hosted',
      session_duration: typeof body['session_duration'] === 'string' ? body['session_duration'] : '24h', policies: policyRefs, created_at: createdAt, updated_at: createdAt,
    };
  }

  function policyFrom(body: Record<string, unknown>, id: string, createdAt: string): StoredAccessPolicy | string {
    if (typeof body['name'] !== 'string' || body['name'] === '') return 'name: required';
    if (!['allow', 'deny', 'bypass', 'non_identity'].includes(String(body['decision']))) return 'decision: one of allow, deny, bypass, non_identity';
    const include = body['include'];
    if (!Array.isArray(include) || include.length === 0) return 'include: at least one rule';
    for (const [index, rule] of [...include, ...((body['exclude'] as unknown[]) ?? []), ...((body['require'] as unknown[]) ?? [])].entries()) {
      const keys = typeof rule === 'object' && rule !== null ? Object.keys(rule) : [];
      if (keys.length !== 1 || !RULE_KEYS.has(keys[0]!)) return `rule ${index}: one of ${[...RULE_KEYS].join(', ')}`;
    }
    return {
      id, name: body['name'], decision: String(body['decision']), include, exclude: (body['exclude'] as unknown[]) ?? [], require: (body['require'] as unknown[]) ?? [],
      reusable: true, created_at: createdAt, updated_at: createdAt,
    };
  }

  const receiver = await startReceiver(answer);
  return {
    ...receiver,
    apiUrl: `${receiver.url.href}client/v4`,
    apps: () => [...apps.values()],
    policies: () => [...policies.values()],
  };
}
