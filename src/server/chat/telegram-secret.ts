import { createHash, timingSafeEqual } from 'node:crypto';

export const TELEGRAM_SECRET_HEADER = 'X-Telegram-Bot-Api-Secret-Token';

/** What Telegram accepts as a webhook's secret_token: 1–256 of A–Z, a–z, 0–9, _ and -. */
export const TELEGRAM_SECRET_SHAPE = /^[A-Za-z0-9_-]{1,256}$/;

/**
 * Whether an update carries the webhook's secret token. Both sides are hashed first, so the
 * comparison takes the same time whatever was sent, its length included.
 *
 * @example
 * telegramSecretMatches(c.req.header(TELEGRAM_SECRET_HEADER), secretToken) // true or false
 */
export function telegramSecretMatches(sent: string | undefined, secretToken: string): boolean {
  if (sent === undefined) return false;
  const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();
  return timingSafeEqual(digest(sent), digest(secretToken));
}
