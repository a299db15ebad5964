import { ExternalServiceError } from '../../domain/errors.ts';
import type { RetryPolicy } from '../http/index.ts';
import { CHAT_API_RETRY, callJsonApi, type ApiAnswer } from './api-call.ts';

/*
 * Slipway's answers to Slack: POSTs to a slash command's response_url, and the Web API's
 * chat.postMessage (https://api.slack.com/methods/chat.postMessage) for app mentions, through the
 * chat platforms' JSON call (a timeout, retries after 429 with Retry-After and 5xx). The Web API
 * answers 200 with `{"ok": false, "error": "…"}` when it refuses. The bot token is only ever in the
 * Authorization header: the errors name Slack's answer, never the request.
 */

export const SLACK_API_URL = 'https://slack.com/api';

export interface SlackApiOptions {
  /** The bot token (xoxb-…) chat.postMessage is sent with. */
  botToken: string;
  /** Default https://slack.com/api; a proxy, or a local server in tests. */
  apiUrl?: string;
  timeoutMs?: number;
  retry?: RetryPolicy;
}

/** A message to a channel (in a thread when `thread_ts` is set). */
export interface SlackPost {
  channel: string;
  text: string;
  thread_ts?: string;
}

/** What Slack answers: `ok`, and `error` (e.g. `not_in_channel`, `invalid_auth`, `expired_url`) when not. */
interface SlackAnswer {
  ok?: boolean;
  error?: string;
  ts?: string;
}

/** Slack's errors a person can fix, with what to do. */
const FIXES: Record<string, string> = {
  not_in_channel: 'Invite the Slack app to the channel (/invite @<app>), or give it the chat:write.public scope.',
  channel_not_found: 'Invite the Slack app to the channel, or check that the mention came from a channel the app can see.',
  invalid_auth: 'Set chat.slack.botToken to the Bot User OAuth Token (xoxb-…) under OAuth & Permissions.',
  not_authed: 'Set chat.slack.botToken to the Bot User OAuth Token (xoxb-…) under OAuth & Permissions.',
  token_revoked: 'Reinstall the Slack app to the workspace and set chat.slack.botToken to its new token.',
  missing_scope: 'Add the chat:write scope under OAuth & Permissions and reinstall the Slack app.',
  expired_url: 'Slack takes answers at a response_url for 30 minutes only.',
};

export class SlackApi {
  readonly #options: SlackApiOptions;

  constructor(options: SlackApiOptions) {
    this.#options = options;
  }

  /**
   * Posts to a slash command's response_url (Slack takes up to five within 30 minutes).
   * @example await slack.respond(form.response_url, { response_type: 'in_channel', text: 'notes is live: http://…' })
   */
  async respond(responseUrl: string, body: { response_type: 'in_channel' | 'ephemeral'; text: string }): Promise<void> {
    const answer = await this.#call(new URL(responseUrl), {}, { ...body, replace_original: false });
    // A response_url answers `ok` in text or `{"ok": true}`; a refusal comes with a 4xx.
    if (answer.status >= 300) throw refusal('response_url', answer);
  }

  /**
   * Posts a message as the bot; resolves the message's `ts`.
   * @example await slack.postMessage({ channel: 'C061EG9SL', text: 'Building notes…', thread_ts: '1765000000.000100' })
   */
  async postMessage(message: SlackPost): Promise<{ ts: string }> {
    const base = (this.#options.apiUrl ?? SLACK_API_URL).replace(/\/+$/, '');
    const answer = await this.#call(new URL(`${base}/chat.postMessage`), { authorization: `Bearer ${this.#options.botToken}` }, message);
    const body = answer.body as SlackAnswer | undefined;
    if (answer.status >= 300 || body?.ok !== true) throw refusal('chat.postMessage', answer);
    return { ts: body.ts ?? '' };
  }

  #call(url: URL, headers: Record<string, string>, body: object): Promise<ApiAnswer> {
    return callJsonApi({
      service: 'Slack', method: 'POST', url, headers, body,
      retry: this.#options.retry ?? CHAT_API_RETRY, timeoutMs: this.#options.timeoutMs ?? 10_000,
    });
  }
}

/** Slack's refusal as an error: its error code (or the HTTP status), and what to do. */
function refusal(what: string, answer: ApiAnswer): ExternalServiceError {
  const code = (answer.body as SlackAnswer | undefined)?.error;
  return new ExternalServiceError('Slack', `${what} was refused: ${code ?? `HTTP ${answer.status}`}`, {
    hint: (code && FIXES[code]) ?? "Check that slipway serve can reach Slack, and the Slack app's settings.",
  });
}
