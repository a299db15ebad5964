export { RECEIVER_HOOK_PREFIX, receiverWebhookPath } from '../../../domain/flux-receiver-path.ts';

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
