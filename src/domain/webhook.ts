/** What a webhook subscription may ask to be told: how a run ended, as the webhook body's `type` says it. */
export const WEBHOOK_EVENTS = ['run.succeeded', 'run.failed', 'run.cancelled'] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];

/** What a subscription gets when it names no events: the ends a person acts on. */
export const DEFAULT_WEBHOOK_EVENTS: WebhookEvent[] = ['run.succeeded', 'run.failed'];

/** `whk_` and 26 lowercase hex characters (104 random bits). */
export const WEBHOOK_ID_PATTERN = /^whk_[0-9a-f]{26}$/;

/**
 * A URL registered through the API to be told when runs end (the n8n Trigger node registers one).
 * The secret, when there is one, signs each delivery and is never shown again.
 */
export interface Webhook {
  id: string;
  url: string;
  events: WebhookEvent[];
  /** Shown on runs as `webhook:<name>`; without it, `webhook:<host>`. */
  name?: string;
  secret?: string;
  createdAt: string;
}

/** What a caller gives to subscribe; the store adds the id and the time. */
export type NewWebhook = Omit<Webhook, 'id' | 'createdAt'>;
