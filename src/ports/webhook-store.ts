import type { NewWebhook, Webhook } from '../domain/webhook.ts';

/** The webhook subscriptions made through the API, read again each time a run ends. */
export interface WebhookStore {
  /** Stores a subscription under a fresh `whk_…` id and returns it as stored. */
  add(webhook: NewWebhook): Promise<Webhook>;
  /** Every subscription, oldest first. */
  list(): Promise<Webhook[]>;
  get(id: string): Promise<Webhook | undefined>;
  /** True when a subscription of that id existed and is gone. */
  remove(id: string): Promise<boolean>;
}
