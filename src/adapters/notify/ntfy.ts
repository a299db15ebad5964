import type { RunOutcome } from '../../ports/index.ts';
import { withRetries } from './attempts.ts';
import { postOnce } from './http-post.ts';
import { facts, headline } from './message.ts';
import type { SenderFactory } from './target.ts';

/*
 * ntfy publishes a POST to `<server>/<topic>`: the body is the message, and headers set its
 * `Title`, `Tags` (emoji short codes among them), `Priority` (1–5) and `Click` (the URL opened
 * when the notification is tapped). A protected topic takes `Authorization: Bearer <token>`.
 * ntfy answers 200 with the stored message as JSON.
 */

/** Tags ntfy shows as emoji before the title, then a plain one to filter on. */
const TAGS = { succeeded: 'white_check_mark', failed: 'rotating_light', cancelled: 'no_entry_sign' } as const;

/** Header values are Latin-1 on the wire; app names and run ids are ASCII, anything else is replaced. */
function headerText(text: string): string {
  return text.replace(/[^\x20-\x7e]/g, '?');
}

/**
 * The ntfy request for an outcome: the facts as the body, the headline as the title, a failure
 * at high priority (4) and the rest at the default (3), and the app's URL as the click action.
 *
 * @example
 * ntfyMessage(outcome) // { headers: { Title: 'notes is live', Tags: 'white_check_mark,slipway', Priority: '3', Click: 'https://…' }, body: 'App: notes\n…' }
 */
export function ntfyMessage(outcome: RunOutcome): { headers: Record<string, string>; body: string } {
  const headers: Record<string, string> = {
    'Content-Type': 'text/plain; charset=utf-8',
    Title: headerText(headline(outcome)),
    Tags: `${TAGS[outcome.status]},slipway`,
    Priority: outcome.status === 'failed' ? '4' : '3',
  };
  if (outcome.url) headers.Click = headerText(outcome.url);
  return { headers, body: facts(outcome).map(({ label, value }) => `${label}: ${value}`).join('\n') };
}

/** An ntfy topic on ntfy.sh or a server of one's own; the topic name is shown, an access token kept secret. */
export const ntfySender: SenderFactory<'ntfy'> = (config, field, context) => {
  const token = config.token ? context.secret(config.token, `${field}.token`) : undefined;
  const url = new URL(encodeURIComponent(config.topic), config.server.endsWith('/') ? config.server : `${config.server}/`);
  return {
    name: `ntfy:${config.topic}`,
    // A server URL may carry a login (https://user:password@ntfy.lan); its password is as secret as a token.
    secrets: [token ?? '', url.password].filter(Boolean),
    send: (outcome, signal) => {
      const message = ntfyMessage(outcome);
      const headers = { ...message.headers, ...(token ? { Authorization: `Bearer ${token}` } : {}) };
      return withRetries(context.retry, () => postOnce({ url, headers, body: message.body, timeoutMs: context.timeoutMs, signal }), signal);
    },
  };
};
