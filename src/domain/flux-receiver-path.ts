import { createHash } from 'node:crypto';

/** The prefix notification-controller serves Receivers under. */
export const RECEIVER_HOOK_PREFIX = '/hook/';

/**
 * The path Flux's notification-controller publishes in a Receiver's `.status.webhookPath`:
 * `/hook/` and the hex SHA-256 of the Secret's `token`, the Receiver's name and its namespace,
 * concatenated without separators. Slipway computes it both to call the Receiver and to tell the
 * person bootstrapping a cluster where it will answer before Flux has even applied it.
 *
 * @example
 * receiverWebhookPath(token, 'homelab-git-receiver', 'flux-system') // '/hook/9c1e…' (64 hex digits)
 */
export function receiverWebhookPath(token: string, name: string, namespace: string): string {
  return `${RECEIVER_HOOK_PREFIX}${createHash('sha256').update(token + name + namespace, 'utf8').digest('hex')}`;
}
