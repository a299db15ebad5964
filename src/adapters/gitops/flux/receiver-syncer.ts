import { randomUUID } from 'node:crypto';
import { ConfigError, ExternalServiceError } from '../../../domain/errors.ts';
import type { GitOpsSyncer, SyncRequest, SyncResult } from '../../../ports/gitops-syncer.ts';
import { DEFAULT_SYNC_RETRY, deliver, type DeliveryOutcome, githubPushPayload, githubSignatureHeaders, hmacHex, replyExcerpt, repoIdentity, type RetryPolicy, SYNC_USER_AGENT, type SyncLogger } from '../../syncer/index.ts';
import { displayReceiverUrl, receiverWebhookPath } from './receiver-path.ts';

export type FluxReceiverType = 'github' | 'generic-hmac' | 'generic';
const TYPES: readonly FluxReceiverType[] = ['github', 'generic-hmac', 'generic'];

export interface FluxReceiverSyncerOptions {
  /**
   * The full receiver URL, `https://flux-webhook.example.com/hook/<digest>` with the digest from
   * `.status.webhookPath`; or only the base URL when `receiver` is given.
   */
  url: string;
  /** The Receiver's `.spec.type`. */
  type: FluxReceiverType;
  /** The `token` of the Receiver's `.spec.secretRef` Secret: the HMAC key (github, generic-hmac). */
  token?: string;
  /** Name and namespace of the Receiver, to derive the webhook path from `token` like the controller does. */
  receiver?: { name: string; namespace?: string };
  /** Time limit for one attempt (default 10 s). */
  timeoutMs?: number;
  retry?: Partial<RetryPolicy>;
  /** Trust only this CA (PEM) for an https receiver URL; default: the public roots. */
  ca?: string;
  insecureSkipTlsVerify?: boolean;
  logger?: SyncLogger;
  /** Clock for the push event's commit timestamp (default: now). */
  now?: () => Date;
  /** Makes the `X-GitHub-Delivery` id (default: a random UUID, as GitHub sends). */
  deliveryId?: () => string;
}

const SERVICE = 'flux-receiver';

/**
 * Tells Flux to reconcile now by calling a notification-controller Receiver the way its webhook
 * sender would: a signed GitHub `push` event (`github`), a JSON body signed in `X-Signature`
 * (`generic-hmac`), or a plain POST (`generic`, where the path is the secret). Retries with
 * backoff on 5xx, 408, 429 and unreachable receivers; other answers fail at once with a hint.
 *
 * @example
 * const syncer = new FluxReceiverSyncer({ url: 'https://flux-webhook.example.com/hook/bed6…', type: 'github', token });
 * await syncer.sync({ app: 'pomodoro', revision, branch: 'main', repoUrl: 'git@git.home:ops/cluster.git' });
 */
export class FluxReceiverSyncer implements GitOpsSyncer {
  readonly name: string;
  readonly #url: URL;
  readonly #type: FluxReceiverType;
  readonly #token: string | undefined;
  readonly #options: FluxReceiverSyncerOptions;
  readonly #retry: RetryPolicy;

  constructor(options: FluxReceiverSyncerOptions) {
    if (!TYPES.includes(options.type)) {
      throw new ConfigError(`unsupported Flux Receiver type ${JSON.stringify(options.type)}`, { hint: `Use one of: ${TYPES.join(', ')}.` });
    }
    if (options.type !== 'generic' && !options.token) {
      throw new ConfigError(`a ${options.type} Receiver needs its token to sign requests`, {
        hint: "Set the token to the `token` key of the Secret named in the Receiver's .spec.secretRef.",
      });
    }
    this.#url = receiverUrl(options);
    this.#type = options.type;
    this.#token = options.token;
    this.#options = options;
    this.#retry = { ...DEFAULT_SYNC_RETRY, ...options.retry };
    this.name = `flux-receiver:${options.type}`;
  }

  async sync(request: SyncRequest, signal?: AbortSignal): Promise<SyncResult> {
    const { body, headers, event } = this.#compose(request);
    const display = displayReceiverUrl(this.#url);
    const outcome = await deliver(
      {
        method: 'POST',
        url: this.#url,
        headers: { 'content-type': 'application/json', 'user-agent': SYNC_USER_AGENT, ...headers },
        body,
        timeoutMs: this.#options.timeoutMs ?? 10_000,
        tls: { ca: this.#options.ca, insecureSkipTlsVerify: this.#options.insecureSkipTlsVerify },
      },
      this.#retry,
      { signal, onRetry: (info) => this.#options.logger?.warn({ engine: 'flux', url: display, ...info }, 'flux receiver call failed; retrying') },
    );
    if (outcome.kind === 'reply' && outcome.reply.status >= 200 && outcome.reply.status < 300) {
      return {
        engine: 'flux',
        method: `receiver:${this.#type}`,
        status: outcome.reply.status,
        detail: `Receiver at ${display} accepted ${event} of ${request.branch}@${request.revision.slice(0, 12)}; Flux reconciles its resources now`,
      };
    }
    throw this.#failure(outcome, display);
  }

  /** The exact body bytes and the headers that sign them. */
  #compose(request: SyncRequest): { body: Buffer; headers: Record<string, string>; event: string } {
    if (this.#type === 'github') {
      const timestamp = (this.#options.now?.() ?? new Date()).toISOString().replace(/\.\d{3}Z$/, 'Z');
      const body = Buffer.from(githubPushPayload(request, { timestamp }), 'utf8');
      const headers = {
        'x-github-event': 'push',
        'x-github-delivery': this.#options.deliveryId?.() ?? randomUUID(),
        ...githubSignatureHeaders(body, this.#token!),
      };
      return { body, headers, event: 'push' };
    }
    // Fields a Receiver's CEL resourceFilter can read as `req.app`, `req.revision`, …
    const body = Buffer.from(
      JSON.stringify({ source: 'slipway', app: request.app, branch: request.branch, revision: request.revision, repository: repoIdentity(request.repoUrl).htmlUrl }),
      'utf8',
    );
    const headers: Record<string, string> = this.#type === 'generic-hmac' ? { 'x-signature': `sha256=${hmacHex('sha256', this.#token!, body)}` } : {};
    return { body, headers, event: 'a generic event' };
  }

  #failure(outcome: DeliveryOutcome, display: string): ExternalServiceError {
    const tries = outcome.attempts > 1 ? ` after ${outcome.attempts} attempts` : '';
    if (outcome.kind === 'unreachable') {
      return new ExternalServiceError(SERVICE, this.#scrub(`cannot reach ${display}${tries} (${outcome.error.code}: ${outcome.error.message})`), {
        hint:
          'Is the receiver reachable from here? Check the URL, DNS, and the tunnel or Ingress that routes it to ' +
          "notification-controller's webhook-receiver Service (port 9292 on the pod); Flux still reconciles at its next interval.",
        cause: outcome.error,
      });
    }
    const { status, text } = outcome.reply;
    const said = replyExcerpt(text);
    const message = this.#scrub(`${display} answered ${status}${tries}${said ? `: ${said}` : ''}`);
    return new ExternalServiceError(SERVICE, message, { hint: this.#hint(status) });
  }

  #hint(status: number): string {
    const ns = this.#options.receiver?.namespace ?? 'flux-system';
    const name = this.#options.receiver?.name ?? '<name>';
    if (status === 404) {
      return `No Receiver serves this path: check the webhook path: read it from \`kubectl -n ${ns} get receiver ${name} -o jsonpath='{.status.webhookPath}'\` (it changes with the token, name and namespace; a Receiver that is not Ready yet has none).`;
    }
    if (status === 401 || status === 403) {
      return "The token does not match the Receiver's secret, or a proxy in front of the receiver (e.g. Cloudflare Access) refused the request.";
    }
    if (status === 400) {
      return this.#type === 'github'
        ? "The token does not match the Receiver's secret (notification-controller answers 400 to a bad X-Hub-Signature-256), or the Receiver's .spec.events does not list \"push\"."
        : this.#type === 'generic-hmac'
          ? "The token does not match the Receiver's secret: notification-controller answers 400 when X-Signature does not verify."
          : 'notification-controller could not read the request; see `kubectl -n flux-system logs deploy/notification-controller`.';
    }
    if (status === 503) return `The Receiver is suspended or not Ready: \`kubectl -n ${ns} get receiver ${name}\`, then \`flux resume receiver ${name} -n ${ns}\` or fix its Secret.`;
    if (status === 500) {
      return "notification-controller could not request reconciliation of a resource in the Receiver's .spec.resources: check that they exist, and `kubectl -n flux-system logs deploy/notification-controller`.";
    }
    if (status >= 500) return 'A proxy or tunnel in front of notification-controller failed: check that it routes to the webhook-receiver Service.';
    return `Unexpected answer; the ${this.#type} Receiver answers 200 when it accepts a request.`;
  }

  /** Defence in depth: no message ever carries the token, whatever a proxy echoes back. */
  #scrub(text: string): string {
    return this.#token && this.#token.length >= 4 ? text.split(this.#token).join('***') : text;
  }
}

function receiverUrl(options: FluxReceiverSyncerOptions): URL {
  let url: URL;
  try {
    url = new URL(options.url);
  } catch {
    throw new ConfigError('the Flux receiver URL is not a URL', { hint: 'Use e.g. https://flux-webhook.example.com/hook/<digest from .status.webhookPath>.' });
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new ConfigError(`the Flux receiver URL must be http(s), not ${url.protocol}`, { hint: 'Use e.g. https://flux-webhook.example.com/hook/<digest>.' });
  }
  if (url.search || url.username || url.password) {
    // notification-controller looks the Receiver up by the exact request URI, query included.
    throw new ConfigError('the Flux receiver URL must not carry a query or credentials', { hint: 'Use scheme, host and the /hook/<digest> path only.' });
  }
  if (options.receiver) {
    if (!options.token) {
      throw new ConfigError('deriving the receiver path needs the token', { hint: "Set the token to the Receiver Secret's `token`, or give the full /hook/<digest> URL." });
    }
    const path = receiverWebhookPath(options.token, options.receiver.name, options.receiver.namespace ?? 'flux-system');
    url = new URL(`${url.origin}${url.pathname.replace(/\/+$/, '')}${path}`);
  }
  return url;
}
