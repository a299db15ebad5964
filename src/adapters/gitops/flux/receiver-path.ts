import { createHash } from 'node:crypto';

/** The prefix notification-controller serves Receivers under. */
export const RECEIVER_HOOK_PREFIX = '/hook/';

/**
 * The path Flux's notification-controller publishes in a Receiver's `.status.webhookPath`:
 * `/hook/` and the hex SHA-256 of the Secret's `token`, the Receiver's name and its namespace,
 * concatenated without separators.
 *
 * @example
 * receiverWebhookPath(token, 'homelab-git-receiver', 'flux-system') // '/hook/9c1e…' (64 hex digits)
 */
export function receiverWebhookPath(token: string, name: string, namespace: string): string {
  return `${RECEIVER_HOOK_PREFIX}${createHash('sha256').update(token + name + namespace, 'utf8').digest('hex')}`;
}

/**
 * A receiver URL fit for messages and logs. For a `generic` Receiver the digest in the path is
 * the only secret, so only its first characters are shown — enough to compare with
 * `.status.webhookPath`, not enough to call it.
 *
 * @example
 * displayReceiverUrl(new URL('https://flux.example.com/hook/bed6d00b5555b1603e1f…')) // 'https://flux.example.com/hook/bed6d00b…'
 */
export function displayReceiverUrl(url: URL): string {
  const path = url.pathname.replace(/([0-9a-f]{8})[0-9a-f]{8,}/gi, '$1…');
  return `${url.protocol}//${url.host}${path}`;
}
