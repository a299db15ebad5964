import { ExternalServiceError } from '../../domain/errors.ts';
import type { RetryPolicy } from '../http/index.ts';
import { callJsonApi, type ApiAnswer } from '../chat/api-call.ts';
import type { AccessGuard, GuardedApp, GuardResult } from '../../ports/index.ts';

/*
 * Cloudflare Access through the Cloudflare API v4 (https://developers.cloudflare.com/api/): every
 * answer is the envelope `{ success, errors, messages, result }`, the token travels only in
 * `Authorization: Bearer`. As Cloudflare recommends, the allow rule is a reusable policy
 * (`/accounts/{id}/access/policies`) that the app's self-hosted Access application references by id
 * in its `policies` list, rather than a policy scoped to one application.
 */

export const CLOUDFLARE_API_URL = 'https://api.cloudflare.com/client/v4';

/** Who a policy lets in: any one of these emails, email domains or Access groups. */
export interface CloudflareAllow {
  emails: string[];
  emailDomains: string[];
  groups: Array<{ id: string }>;
}

export interface CloudflareAccessOptions {
  accountId: string;
  /** An API token with "Access: Apps and Policies Edit" on the account. */
  apiToken: string;
  allow: CloudflareAllow;
  /** How long a sign-in lasts, e.g. `24h`. */
  sessionDuration: string;
  /** Default https://api.cloudflare.com/client/v4. */
  apiUrl?: string;
  timeoutMs?: number;
  retry?: RetryPolicy;
}

/** An Access application as the API returns it (the fields Slipway reads). */
interface AccessApp {
  id: string;
  name: string;
  domain: string;
  type: string;
  session_duration?: string;
  policies?: Array<{ id: string; name?: string; precedence?: number }>;
}

/** A reusable Access policy as the API returns it (the fields Slipway reads). */
interface AccessPolicy {
  id: string;
  name: string;
  decision: string;
  include: unknown[];
}

interface Envelope<T> {
  success?: boolean;
  errors?: Array<{ code?: number; message?: string }>;
  result?: T;
  result_info?: { page?: number; total_pages?: number };
}

/** A page of a list holds at most this many items; more are read page by page. */
const PER_PAGE = 100;
const SERVICE = 'Cloudflare';

/**
 * Puts a self-hosted Access application in front of each private app's hostname, with a reusable
 * allow policy named after it; finds both again by hostname and name, so repeating is harmless.
 * @example await new CloudflareAccess({ accountId, apiToken, allow: { emails: ['ada@example.com'], emailDomains: [], groups: [] }, sessionDuration: '24h' }).protect({ app: 'notes', host: 'notes.apps.example.com' });
 */
export class CloudflareAccess implements AccessGuard {
  readonly name = 'cloudflare';
  private readonly options: CloudflareAccessOptions;
  private readonly base: string;

  constructor(options: CloudflareAccessOptions) {
    this.options = options;
    this.base = `${(options.apiUrl ?? CLOUDFLARE_API_URL).replace(/\/+$/, '')}/accounts/${options.accountId}/access`;
  }

  async protect(target: GuardedApp, signal?: AbortSignal): Promise<GuardResult> {
    const wanted = this.policyBody(target);
    const found = await this.findPolicy(wanted.name, signal);
    let policy: AccessPolicy;
    let changed = false;
    if (!found) {
      policy = await this.call<AccessPolicy>('POST', '/policies', wanted, signal);
      changed = true;
    } else if (found.decision !== wanted.decision || JSON.stringify(found.include) !== JSON.stringify(wanted.include)) {
      policy = await this.call<AccessPolicy>('PUT', `/policies/${found.id}`, wanted, signal);
      changed = true;
    } else {
      policy = found;
    }

    const app = this.appBody(target, policy.id);
    const existing = await this.findApp(target.host, signal);
    let saved: AccessApp;
    let action: GuardResult['action'];
    if (!existing) {
      saved = await this.call<AccessApp>('POST', '/apps', app, signal);
      action = 'created';
    } else if (existing.name !== app.name || existing.type !== app.type || existing.session_duration !== app.session_duration || !usesOnly(existing, policy.id)) {
      saved = await this.call<AccessApp>('PUT', `/apps/${existing.id}`, app, signal);
      action = 'updated';
    } else {
      saved = existing;
      action = changed ? 'updated' : 'unchanged';
    }
    return {
      provider: this.name, action,
      detail: `Access application ${saved.id} guards ${target.host}, letting in ${describeAllow(this.options.allow)}`,
      ids: { application: saved.id, policy: policy.id },
    };
  }

  async unprotect(target: GuardedApp, signal?: AbortSignal): Promise<GuardResult> {
    // The application first: a reusable policy cannot be deleted while an application uses it.
    const app = await this.findApp(target.host, signal);
    if (app) await this.call('DELETE', `/apps/${app.id}`, undefined, signal);
    const policy = await this.findPolicy(policyName(target), signal);
    if (policy) await this.call('DELETE', `/policies/${policy.id}`, undefined, signal);
    const ids = { ...(app ? { application: app.id } : {}), ...(policy ? { policy: policy.id } : {}) };
    return app || policy
      ? { provider: this.name, action: 'removed', detail: `removed the Access application and policy of ${target.host}`, ids }
      : { provider: this.name, action: 'absent', detail: `${target.host} had no Access application` };
  }

  /**
   * Whether the token may read the account's Access applications: what `slipway doctor` can check
   * without changing anything (the Edit permission shows only when something is written).
   */
  async verify(signal?: AbortSignal): Promise<string> {
    const apps = await this.list<AccessApp>('/apps', signal);
    return `account ${this.options.accountId} answers: ${apps.length} Access application(s)`;
  }

  private policyBody(target: GuardedApp) {
    const { emails, emailDomains, groups } = this.options.allow;
    // Include rules match when any one does: each email, domain and group is one rule.
    const include = [
      ...emails.map((email) => ({ email: { email } })),
      ...emailDomains.map((domain) => ({ email_domain: { domain } })),
      ...groups.map(({ id }) => ({ group: { id } })),
    ];
    return { name: policyName(target), decision: 'allow', include, exclude: [], require: [] };
  }

  private appBody(target: GuardedApp, policyId: string) {
    return {
      name: `Slipway ${target.app} (${target.host})`,
      domain: target.host,
      type: 'self_hosted',
      session_duration: this.options.sessionDuration,
      policies: [{ id: policyId, precedence: 1 }],
    };
  }

  private async findApp(host: string, signal?: AbortSignal): Promise<AccessApp | undefined> {
    return (await this.list<AccessApp>('/apps', signal)).find((app) => app.domain.replace(/\/+$/, '') === host);
  }

  private async findPolicy(name: string, signal?: AbortSignal): Promise<AccessPolicy | undefined> {
    return (await this.list<AccessPolicy>('/policies', signal)).find((policy) => policy.name === name);
  }

  /** Every item of a list, page after page. */
  private async list<T>(path: string, signal?: AbortSignal): Promise<T[]> {
    const items: T[] = [];
    for (let page = 1; ; page++) {
      const envelope = await this.exchange<T[]>('GET', `${path}?page=${page}&per_page=${PER_PAGE}`, undefined, signal);
      const result = envelope.result ?? [];
      items.push(...result);
      const total = envelope.result_info?.total_pages ?? 1;
      if (page >= total || result.length === 0) return items;
    }
  }

  private async call<T>(method: 'POST' | 'PUT' | 'DELETE', path: string, body: unknown, signal?: AbortSignal): Promise<T> {
    const envelope = await this.exchange<T>(method, path, body, signal);
    if (envelope.result === undefined || envelope.result === null) throw new ExternalServiceError(SERVICE, `${method} ${path.split('?')[0]} answered without a result`);
    return envelope.result;
  }

  private async exchange<T>(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, body: unknown, signal?: AbortSignal): Promise<Envelope<T>> {
    const answer = await callJsonApi({
      service: SERVICE, method, url: new URL(`${this.base}${path}`),
      headers: { authorization: `Bearer ${this.options.apiToken}` },
      ...(body === undefined ? {} : { body }),
      retry: this.options.retry ?? { attempts: 3, baseDelayMs: 500, maxDelayMs: 5_000 },
      timeoutMs: this.options.timeoutMs ?? 15_000,
      ...(signal ? { signal } : {}),
    });
    const envelope = (answer.body ?? {}) as Envelope<T>;
    if (answer.status >= 200 && answer.status < 300 && envelope.success !== false) return envelope;
    throw explain(answer, this.options.accountId, { listing: method === 'GET' || method === 'POST' });
  }
}

function policyName(target: GuardedApp): string {
  return `Slipway ${target.app} (${target.host}) allow`;
}

/** Whether the application uses exactly this one policy. */
function usesOnly(app: AccessApp, policyId: string): boolean {
  return app.policies?.length === 1 && app.policies[0]!.id === policyId;
}

function describeAllow(allow: CloudflareAllow): string {
  const parts = [...allow.emails, ...allow.emailDomains.map((d) => `@${d}`), ...allow.groups.map((g) => `group ${g.id}`)];
  return parts.join(', ');
}

/**
 * Cloudflare's refusal in words a person can act on. The request (and so the token) is never quoted:
 * only the status, Cloudflare's error codes and its messages.
 */
export function explain(answer: ApiAnswer, accountId: string, call: { listing: boolean } = { listing: true }): ExternalServiceError {
  const errors = ((answer.body ?? {}) as Envelope<unknown>).errors ?? [];
  const said = errors.map((e) => `${e.code ?? '?'} ${e.message ?? ''}`.trim()).join('; ') || 'no error given';
  const codes = new Set(errors.map((e) => e.code));
  if (answer.status === 403 || codes.has(10000)) {
    return new ExternalServiceError(SERVICE, `the API token lacks the "Access: Apps and Policies Edit" permission for account ${accountId} (answered ${answer.status}: ${said})`, {
      hint: 'In the Cloudflare dashboard (My Profile → API Tokens), give the token Account → Access: Apps and Policies → Edit for this account, or point access.cloudflare.apiToken at one that has it.',
    });
  }
  // A 404 on a list or a create is the account's; on one application or policy, that object is gone.
  if (codes.has(7003) || (answer.status === 404 && call.listing)) {
    return new ExternalServiceError(SERVICE, `account ${accountId} was not found (answered ${answer.status}: ${said})`, {
      hint: 'Check access.cloudflare.accountId in slipway.yaml: the 32-digit id on the account\'s overview page in the Cloudflare dashboard.',
    });
  }
  if (answer.status === 404) {
    return new ExternalServiceError(SERVICE, `an Access application or policy Slipway found a moment ago is gone (answered 404: ${said})`, {
      hint: 'Someone changed Access at the same time; run the command again (resume the run).',
    });
  }
  if (codes.has(6003) || codes.has(6111) || answer.status === 401) {
    return new ExternalServiceError(SERVICE, `the API token was refused (answered ${answer.status}: ${said})`, {
      hint: 'Check that access.cloudflare.apiToken names a valid, unexpired API token (not the Global API Key).',
    });
  }
  return new ExternalServiceError(SERVICE, `the Access API answered ${answer.status}: ${said}`);
}
