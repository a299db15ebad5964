import { randomUUID } from 'node:crypto';
import { ConfigError, ExternalServiceError } from '../../../domain/errors.ts';
import type { GitOpsSyncer, SyncRequest, SyncResult } from '../../../ports/gitops-syncer.ts';
import { DEFAULT_SYNC_RETRY, deliver, type DeliveryOutcome, githubPushPayload, githubSignatureHeaders, replyExcerpt, repoIdentity, type RetryPolicy, SYNC_USER_AGENT, type SyncLogger } from '../../syncer/index.ts';
import type { KubeAccess } from '../../kube/index.ts';
import { currentClientCertificate, currentToken } from '../../kube/index.ts';

/** The annotation Argo CD's application controller watches; it removes it once refreshed. */
export const ARGOCD_REFRESH_ANNOTATION = 'argocd.argoproj.io/refresh';

interface CommonOptions {
  /** Time limit for one attempt (default 10 s). */
  timeoutMs?: number;
  retry?: Partial<RetryPolicy>;
  logger?: SyncLogger;
}

/** Patch the Application through the Kubernetes API (needs `patch` on applications.argoproj.io). */
export interface ArgoCdAnnotationOptions extends CommonOptions, KubeAccess {
  mode: 'annotation';
  /** The Application's name: fixed (e.g. an app-of-apps root) or from the app (default: the app's name). */
  application?: string | ((app: string) => string);
  /** Where Applications live (default `argocd`). */
  applicationNamespace?: string;
  /** `normal` re-reads Git; `hard` also drops the manifest cache. */
  refresh?: 'normal' | 'hard';
}

/** Call Argo CD's own webhook endpoint with a signed GitHub push event. */
export interface ArgoCdWebhookOptions extends CommonOptions {
  mode: 'webhook';
  /** Argo CD's address, e.g. `https://argocd.example.com` (`/api/webhook` is added when missing). */
  url: string;
  /** `webhook.github.secret` from the `argocd-secret` Secret; without it Argo CD checks no signature. */
  secret?: string;
  ca?: string;
  insecureSkipTlsVerify?: boolean;
  /** The repo's default branch (default: the pushed branch), which decides whether HEAD-tracking apps refresh. */
  defaultBranch?: string;
  now?: () => Date;
  deliveryId?: () => string;
}

export type ArgoCdSyncerOptions = ArgoCdAnnotationOptions | ArgoCdWebhookOptions;

const SERVICE = 'argocd';

/**
 * Tells Argo CD to refresh now: either by setting `argocd.argoproj.io/refresh` on the
 * Application with a JSON merge patch through the Kubernetes API (what `argocd app get
 * --refresh` does), or by posting a GitHub-style push event to Argo CD's `/api/webhook`.
 *
 * @example
 * const syncer = new ArgoCdSyncer({ mode: 'annotation', ...(await kubeAccessFromKubeconfig(text)), applicationNamespace: 'argocd' });
 * await syncer.sync({ app: 'pomodoro', revision, branch: 'main', repoUrl });
 */
export class ArgoCdSyncer implements GitOpsSyncer {
  readonly name: string;
  readonly #options: ArgoCdSyncerOptions;
  readonly #retry: RetryPolicy;
  readonly #base: URL;

  constructor(options: ArgoCdSyncerOptions) {
    this.#options = options;
    this.#retry = { ...DEFAULT_SYNC_RETRY, ...options.retry };
    this.name = `argocd:${options.mode}`;
    const raw = options.mode === 'annotation' ? options.apiServer : options.url;
    let base: URL;
    try {
      base = new URL(raw);
    } catch {
      throw new ConfigError(`the Argo CD ${options.mode === 'annotation' ? 'Kubernetes API server' : 'webhook'} URL is not a URL`, {
        hint: options.mode === 'annotation' ? 'Use e.g. https://192.168.1.10:6443.' : 'Use e.g. https://argocd.example.com.',
      });
    }
    if (base.protocol !== 'https:' && base.protocol !== 'http:') throw new ConfigError(`the Argo CD URL must be http(s), not ${base.protocol}`);
    if (options.mode === 'annotation' && !options.token && !options.tokenFile && !options.clientCert && !options.exec) {
      throw new ConfigError('the Kubernetes API needs a bearer token or a client certificate', { hint: 'Build the options with kubeAccessFromKubeconfig or kubeAccessInCluster.' });
    }
    this.#base = base;
  }

  sync(request: SyncRequest, signal?: AbortSignal): Promise<SyncResult> {
    return this.#options.mode === 'annotation' ? this.#annotate(this.#options, request, signal) : this.#webhook(this.#options, request, signal);
  }

  async #annotate(options: ArgoCdAnnotationOptions, request: SyncRequest, signal?: AbortSignal): Promise<SyncResult> {
    const name = `${typeof options.application === 'function' ? options.application(request.app) : (options.application ?? request.app)}${request.objectSuffix ?? ''}`;
    const namespace = options.applicationNamespace ?? 'argocd';
    const refresh = options.refresh ?? 'normal';
    const prefix = this.#base.pathname.replace(/\/+$/, '');
    const url = new URL(`${this.#base.origin}${prefix}/apis/argoproj.io/v1alpha1/namespaces/${encodeURIComponent(namespace)}/applications/${encodeURIComponent(name)}`);
    const body = Buffer.from(JSON.stringify({ metadata: { annotations: { [ARGOCD_REFRESH_ANNOTATION]: refresh } } }), 'utf8');
    const token = await currentToken(options, signal);
    const { cert, key } = await currentClientCertificate(options, signal);
    const outcome = await deliver(
      {
        method: 'PATCH',
        url,
        headers: {
          'content-type': 'application/merge-patch+json',
          accept: 'application/json',
          'user-agent': SYNC_USER_AGENT,
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        body,
        timeoutMs: options.timeoutMs ?? 10_000,
        tls: { ca: options.ca, cert, key, insecureSkipTlsVerify: options.insecureSkipTlsVerify },
      },
      this.#retry,
      { signal, onRetry: (info) => options.logger?.warn({ engine: 'argocd', api: this.#base.origin, ...info }, 'Kubernetes API call failed; retrying') },
    );
    const where = `Application ${namespace}/${name}`;
    if (outcome.kind === 'reply' && outcome.reply.status >= 200 && outcome.reply.status < 300) {
      return { engine: 'argocd', method: 'annotation', status: outcome.reply.status, detail: `${where} annotated ${ARGOCD_REFRESH_ANNOTATION}=${refresh}; Argo CD refreshes it now` };
    }
    const scrub = (text: string) => (token && token.length >= 4 ? statusMessage(text).split(token).join('***') : statusMessage(text));
    throw failure(outcome, `the Kubernetes API at ${this.#base.origin}`, (status) => annotationHint(status, namespace, name), scrub);
  }

  async #webhook(options: ArgoCdWebhookOptions, request: SyncRequest, signal?: AbortSignal): Promise<SyncResult> {
    const path = this.#base.pathname.replace(/\/+$/, '');
    const url = new URL(`${this.#base.origin}${path.endsWith('/api/webhook') ? path : `${path}/api/webhook`}`);
    const timestamp = (options.now?.() ?? new Date()).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const body = Buffer.from(githubPushPayload(request, { timestamp, ...(options.defaultBranch ? { defaultBranch: options.defaultBranch } : {}) }), 'utf8');
    const outcome = await deliver(
      {
        method: 'POST',
        url,
        headers: {
          'content-type': 'application/json',
          'user-agent': SYNC_USER_AGENT,
          'x-github-event': 'push',
          'x-github-delivery': options.deliveryId?.() ?? randomUUID(),
          ...(options.secret ? githubSignatureHeaders(body, options.secret) : {}),
        },
        body,
        timeoutMs: options.timeoutMs ?? 10_000,
        tls: { ca: options.ca, insecureSkipTlsVerify: options.insecureSkipTlsVerify },
      },
      this.#retry,
      { signal, onRetry: (info) => options.logger?.warn({ engine: 'argocd', url: url.origin + url.pathname, ...info }, 'Argo CD webhook call failed; retrying') },
    );
    if (outcome.kind === 'reply' && outcome.reply.status >= 200 && outcome.reply.status < 300) {
      const repo = repoIdentity(request.repoUrl).htmlUrl;
      return {
        engine: 'argocd',
        method: 'webhook',
        status: outcome.reply.status,
        detail: `Argo CD accepted the push of ${request.branch}@${request.revision.slice(0, 12)}; it refreshes Applications whose source is ${repo} at ${request.branch} (or HEAD)`,
      };
    }
    const scrub = (text: string) => (options.secret && options.secret.length >= 4 ? text.split(options.secret).join('***') : text);
    throw failure(outcome, `Argo CD at ${url.origin}${url.pathname}`, webhookHint, (text) => scrub(replyExcerpt(text)));
  }
}

function failure(outcome: DeliveryOutcome, where: string, hint: (status: number) => string, said: (text: string) => string): ExternalServiceError {
  const tries = outcome.attempts > 1 ? ` after ${outcome.attempts} attempts` : '';
  if (outcome.kind === 'unreachable') {
    return new ExternalServiceError(SERVICE, `cannot reach ${where}${tries} (${outcome.error.code}: ${outcome.error.message})`, {
      hint: /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|HOSTNAME/i.test(outcome.error.code)
        ? "The server's certificate is not trusted: give its CA (kubeconfig certificate-authority-data) or, in a lab only, skip verification."
        : 'Is it reachable from here? Check the address, the port and any tunnel or Ingress in front of it; Argo CD still polls Git at its next interval.',
      cause: outcome.error,
    });
  }
  const text = said(outcome.reply.text);
  return new ExternalServiceError(SERVICE, `${where} answered ${outcome.reply.status}${tries}${text ? `: ${text}` : ''}`, { hint: hint(outcome.reply.status) });
}

/** A Kubernetes `Status` body's message (safe to show: it never echoes credentials). */
function statusMessage(text: string): string {
  try {
    const status = JSON.parse(text) as { kind?: string; message?: string };
    if (status.kind === 'Status' && typeof status.message === 'string') return replyExcerpt(status.message);
  } catch {
    // not JSON: a proxy's page
  }
  return replyExcerpt(text);
}

function annotationHint(status: number, namespace: string, name: string): string {
  if (status === 401) return 'The API server did not accept the credentials: the token is wrong or expired (`kubectl create token <serviceaccount>` makes a new one).';
  if (status === 403) return `The credentials may not patch Applications: grant \`patch\` on applications.argoproj.io in ${namespace} (check with \`kubectl auth can-i patch applications.argoproj.io -n ${namespace}\`).`;
  if (status === 404) return `No Application ${namespace}/${name}: check the Application namespace and name (\`kubectl -n ${namespace} get applications\`) and that Argo CD is installed.`;
  if (status >= 500) return 'The Kubernetes API server failed; check its health and try again.';
  return 'The API server refused the refresh patch; its message says why.';
}

function webhookHint(status: number): string {
  if (status === 400) return 'Argo CD refused the event: if it says HMAC verification failed, the secret does not match `webhook.github.secret` in the argocd-secret Secret.';
  if (status === 401 || status === 403) return 'A proxy in front of Argo CD (e.g. Cloudflare Access) refused the request; let /api/webhook through.';
  if (status === 404) return 'No webhook endpoint at this URL: Argo CD serves it at /api/webhook on argocd-server.';
  if (status === 503) return "Argo CD's webhook queue is full; it still polls Git at its next interval.";
  return 'Unexpected answer; Argo CD answers 200 when it accepts a push event.';
}
