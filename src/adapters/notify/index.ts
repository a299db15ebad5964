import type { NotifyTarget as NotifyTargetConfig } from '../../config/schema.ts';
import { readSecret } from '../../config/secrets.ts';
import type { Notifier, NotifyResult, RunOutcome, WebhookStore } from '../../ports/index.ts';
import type { RetryPolicy } from '../http/index.ts';
import { DEFAULT_NOTIFY_RETRY } from './attempts.ts';
import { discordSender } from './discord.ts';
import { emailSender } from './email.ts';
import { eventType } from './message.ts';
import { ntfySender } from './ntfy.ts';
import { slackSender } from './slack.ts';
import type { NotifySender, SenderContext, SenderFactory } from './target.ts';
import { signedWebhook, webhookSender } from './webhook.ts';

export { DEFAULT_NOTIFY_RETRY } from './attempts.ts';
export { signatureHeaders, webhookBody } from './webhook.ts';

/** The slice of a pino logger notifications use; it is handed display names and reasons, never URLs or secrets. */
export interface NotifyLogger {
  warn(object: object, message: string): void;
}

export interface NotifierOptions {
  /** Where SecretSource `env:` names are read. */
  env: Record<string, string | undefined>;
  logger?: NotifyLogger;
  /** Default: 3 attempts, 1 s base delay (tests use a few milliseconds). */
  retry?: Partial<RetryPolicy>;
  /** Limit of one try's whole exchange; default 10 s. */
  timeoutMs?: number;
  now?: () => number;
}

const FACTORIES: { [T in NotifyTargetConfig['type']]: SenderFactory<T> } = {
  slack: slackSender,
  discord: discordSender,
  ntfy: ntfySender,
  email: emailSender,
  webhook: webhookSender,
};

const REDACTED = '[redacted]';

/**
 * Builds the Notifier for slipway.yaml's `notify:` list. Secrets are read now, so a missing one is
 * a ConfigError at start-up rather than a silent failure after a run. Targets are sent to in
 * parallel; each result names its target by display name, and any secret that a service's answer
 * or an error echoed is blanked before it is returned or logged.
 *
 * @example
 * const notifier = createNotifier(config.notify, { env: process.env, logger });
 * const results = await notifier.notify({ runId, app: 'notes', kind: 'create', status: 'succeeded', url, durationMs: 4200 });
 */
export function createNotifier(targets: NotifyTargetConfig[], options: NotifierOptions): Notifier {
  const context = senderContext(options);
  const senders = distinctNames(targets.map((target, index) => {
    const factory = FACTORIES[target.type] as SenderFactory<typeof target.type>;
    const sender = factory(target, `notify[${index}]`, context);
    return { sender, name: target.name ?? sender.name, on: new Set<string>(target.on) };
  }));
  return {
    notify: (outcome, signal) => Promise.all(
      senders
        .filter(({ on }) => on.has(outcome.status))
        .map(({ sender, name }) => deliver(sender, name, outcome, options.logger, signal)),
    ),
  };
}

/**
 * The Notifier for the webhooks subscribed through the API (`POST /v1/webhooks`). They are read from
 * `store` each time a run ends, so a subscription made a second ago is told and a deleted one is not.
 * Each gets exactly what a `notify:` target of type webhook gets, and is named `webhook:<name>`, or
 * `webhook:<host>` when it has no name.
 *
 * @example
 * const subscriptions = subscribedWebhooks(new SqliteWebhookStore({ db }), { env: process.env, logger });
 */
export function subscribedWebhooks(store: Pick<WebhookStore, 'list'>, options: NotifierOptions): Notifier {
  const context = senderContext(options);
  return {
    notify: async (outcome, signal) => {
      const wanted = (await store.list()).filter((webhook) => webhook.events.includes(eventType(outcome)));
      const senders = distinctNames(wanted.map((webhook) => {
        const sender = signedWebhook(webhook.url, webhook.secret, context);
        return { sender, name: webhook.name ? `webhook:${webhook.name}` : sender.name };
      }));
      return Promise.all(senders.map(({ sender, name }) => deliver(sender, name, outcome, options.logger, signal)));
    },
  };
}

function senderContext(options: NotifierOptions): SenderContext {
  return {
    secret: (source, field) => readSecret(source, field, options.env),
    retry: { ...DEFAULT_NOTIFY_RETRY, ...options.retry },
    timeoutMs: options.timeoutMs ?? 10_000,
    now: options.now ?? Date.now,
  };
}

/** Two Slack webhooks would both be `slack`: later ones become `slack#2`, … so results stay apart. */
function distinctNames<T extends { name: string }>(senders: T[]): T[] {
  const seen = new Map<string, number>();
  return senders.map((sender) => {
    const count = (seen.get(sender.name) ?? 0) + 1;
    seen.set(sender.name, count);
    return count === 1 ? sender : { ...sender, name: `${sender.name}#${count}` };
  });
}

async function deliver(sender: NotifySender, name: string, outcome: RunOutcome, logger: NotifyLogger | undefined, signal?: AbortSignal): Promise<NotifyResult> {
  let delivery;
  try {
    delivery = await sender.send(outcome, signal);
  } catch (error) {
    // Senders do not throw; should one, the run still must not fail because of it.
    delivery = { ok: false, attempts: 1, error: (error as Error).message };
  }
  const result: NotifyResult = { target: name, ok: delivery.ok, attempts: delivery.attempts };
  if (!delivery.ok) {
    result.error = scrub(delivery.error ?? 'not delivered', sender.secrets);
    logger?.warn({ runId: outcome.runId, target: name, attempts: delivery.attempts, reason: result.error }, 'notification not delivered');
  }
  return result;
}

/** `text` with every secret in it (and its URL-encoded form) blanked. */
function scrub(text: string, secrets: string[]): string {
  let out = text;
  for (const secret of secrets) {
    if (secret.length < 4) continue;
    out = out.replaceAll(secret, REDACTED).replaceAll(encodeURIComponent(secret), REDACTED);
  }
  return out;
}
