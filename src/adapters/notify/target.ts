import { ConfigError } from '../../domain/errors.ts';
import type { NotifyTarget as NotifyTargetConfig, SecretSource } from '../../config/schema.ts';
import type { RunOutcome } from '../../ports/index.ts';
import type { RetryPolicy } from '../http/index.ts';
import type { Delivery } from './attempts.ts';

/** One configured target, ready to send: its display name, the secrets it holds, and how it sends. */
export interface NotifySender {
  /** Shown on runs and in logs; never holds a secret. */
  name: string;
  /** Values that must never appear in a result or a log line (webhook URLs, tokens, passwords). */
  secrets: string[];
  /** Delivers, retrying as the policy allows; never throws. */
  send(outcome: RunOutcome, signal?: AbortSignal): Promise<Delivery>;
}

/** What a target's factory gets besides its own settings. */
export interface SenderContext {
  /** Reads a secret named in slipway.yaml; `field` names it in the error when it cannot be read. */
  secret(source: SecretSource, field: string): string;
  retry: RetryPolicy;
  /** Limit for one try's whole exchange. */
  timeoutMs: number;
  /** Unix time in milliseconds (signatures carry a timestamp). */
  now(): number;
}

/** Builds the sender of one target type from its settings; `field` is where those settings are in slipway.yaml. */
export type SenderFactory<T extends NotifyTargetConfig['type']> = (config: Extract<NotifyTargetConfig, { type: T }>, field: string, context: SenderContext) => NotifySender;

/**
 * The URL held in a secret (Slack's and Discord's webhook URLs carry their token). The error names
 * the field, never the value.
 */
export function secretUrl(value: string, field: string): URL {
  const url = URL.canParse(value) ? new URL(value) : undefined;
  if (url?.protocol !== 'http:' && url?.protocol !== 'https:') {
    throw new ConfigError(`${field}: the secret is not an http:// or https:// URL`, { hint: 'Store the whole webhook URL the service gave you, e.g. https://hooks.slack.com/services/…' });
  }
  return url;
}

/**
 * The parts of a URL that may be a credential, for blanking wherever they are echoed: the whole
 * URL, its path and query (Slack's and Discord's tokens are path segments), each query value and
 * any user info.
 */
export function urlSecrets(url: URL): string[] {
  return [url.href, url.pathname + url.search, url.pathname, ...url.searchParams.values(), url.username, url.password].filter((part) => part.length >= 4);
}
