import type { RunOutcome } from '../../ports/index.ts';
import { withRetries } from './attempts.ts';
import { postOnce } from './http-post.ts';
import { clip, eventType, formatDuration, headline } from './message.ts';
import { secretUrl, urlSecrets, type SenderFactory } from './target.ts';

/*
 * Discord's "Execute Webhook": a JSON body with `content` and up to ten `embeds`; it answers 204
 * (no `?wait=true`). When throttled it answers 429 with `retry_after` in seconds in its JSON body
 * (and Retry-After), which is waited for before the next try.
 */

// Discord's limits: content 2000 characters, embed title 256, description 4096, field value 1024.
const CONTENT_MAX = 2000;
const TITLE_MAX = 256;
const DESCRIPTION_MAX = 4096;
const VALUE_MAX = 1024;

const COLOURS = { succeeded: 0x2eb67d, failed: 0xe01e5a, cancelled: 0x9e9e9e } as const;

/**
 * The Discord message for an outcome: the headline as `content`, one embed with app, URL, run and
 * duration as fields, and for a failure the reason and hint as its description. Mentions are
 * switched off so that text from a run cannot ping anyone.
 *
 * @example
 * discordMessage(outcome) // { content: 'notes is live', embeds: [{ title: 'notes', url: 'https://notes…', fields: […] }], allowed_mentions: { parse: [] } }
 */
export function discordMessage(outcome: RunOutcome): object {
  const fields = [
    { name: 'App', value: outcome.app, inline: true },
    ...(outcome.url ? [{ name: 'URL', value: clip(outcome.url, VALUE_MAX), inline: false }] : []),
    { name: 'Run', value: `${outcome.runId} (${outcome.kind})`, inline: true },
    { name: 'Duration', value: formatDuration(outcome.durationMs), inline: true },
    ...(outcome.error?.stepId ? [{ name: 'Stage', value: outcome.error.stepId, inline: true }] : []),
  ];
  const description = outcome.error
    ? clip([`**Reason:** ${outcome.error.message}`, ...(outcome.error.hint ? [`**Hint:** ${outcome.error.hint}`] : [])].join('\n'), DESCRIPTION_MAX)
    : undefined;
  const embed = {
    title: clip(`${outcome.app} · ${eventType(outcome)}`, TITLE_MAX),
    ...(outcome.url ? { url: outcome.url } : {}),
    ...(description ? { description } : {}),
    color: COLOURS[outcome.status],
    fields,
  };
  return { content: clip(headline(outcome), CONTENT_MAX), embeds: [embed], allowed_mentions: { parse: [] } };
}

/** The wait a Discord 429 asks for: `retry_after` (seconds, fractional) in its JSON body. */
export function discordRetryAfter(text: string): number | undefined {
  try {
    const seconds = (JSON.parse(text) as { retry_after?: unknown }).retry_after;
    return typeof seconds === 'number' && seconds >= 0 ? Math.ceil(seconds * 1000) : undefined;
  } catch {
    return undefined;
  }
}

/** A Discord channel webhook; its URL is the secret. */
export const discordSender: SenderFactory<'discord'> = (config, field, context) => {
  const secret = context.secret(config.url, `${field}.url`);
  const url = secretUrl(secret, `${field}.url`);
  return {
    name: 'discord',
    secrets: [secret, ...urlSecrets(url)],
    send: (outcome, signal) => {
      const body = JSON.stringify(discordMessage(outcome));
      const headers = { 'content-type': 'application/json' };
      return withRetries(context.retry, () => postOnce({ url, headers, body, timeoutMs: context.timeoutMs, signal, retryAfterFromBody: discordRetryAfter }), signal);
    },
  };
};
