import { ExternalServiceError } from '../../domain/errors.ts';
import type { RetryPolicy } from '../http/index.ts';
import { DEFAULT_NOTIFY_RETRY, withRetries, type AttemptResult } from '../notify/attempts.ts';
import { postOnce } from '../notify/http-post.ts';

/*
 * Slipway's answers to Slack: POSTs to a slash command's response_url, and the Web API's
 * chat.postMessage (https://api.slack.com/methods/chat.postMessage) for app mentions. Both go
 * through the notifications' POST (Slipway's HTTP client, a timeout, no redirects) and retries
 * (429 with Retry-After, 5xx). The bot token is only ever in the Authorization header: the errors
 * name Slack's answer, never the request.
 */

export interface SlackApiOptions {
  /** The Web API root, e.g. https://slack.com/api. */
  apiUrl: string;
  /** The bot token (xoxb-…) chat.postMessage is sent with. */
  botToken: string;
  timeoutMs?: number;
  retry?: RetryPolicy;
}

/** A message to a channel (in a thread when `thread_ts` is set). */
export interface SlackPost {
  channel: string;
  text: string;
  thread_ts?: string;
}

/** What Slack's Web API answers: `ok`, and `error` (e.g. `not_in_channel`, `invalid_auth`) when not. */
interface WebApiAnswer {
  ok?: boolean;
  error?: string;
  ts?: string;
}

/** Web API errors a person can fix, with what to do. */
const FIXES: Record<string, string> = {
  not_in_channel: 'Invite the Slack app to the channel (/invite @<app>), or give it the chat:write.public scope.',
  channel_not_found: 'Invite the Slack app to the channel, or check that the mention came from a channel the app can see.',
  invalid_auth: 'Set chat.slack.botToken to the Bot User OAuth Token (xoxb-…) under OAuth & Permissions.',
  not_authed: 'Set chat.slack.botToken to the Bot User OAuth Token (xoxb-…) under OAuth & Permissions.',
  token_revoked: 'Reinstall the Slack app to the workspace and set chat.slack.botToken to its new token.',
  missing_scope: 'Add the chat:write scope under OAuth & Permissions and reinstall the Slack app.',
};

export class SlackApi {
  private readonly options: Required<SlackApiOptions>;

  constructor(options: SlackApiOptions) {
    this.options = { timeoutMs: 10_000, retry: DEFAULT_NOTIFY_RETRY, ...options };
  }

  /**
   * Posts to a slash command's response_url (Slack takes up to five within 30 minutes).
   * @example await slack.respond(form.response_url, { response_type: 'in_channel', text: 'notes is live: http://…' })
   */
  async respond(responseUrl: string, body: { response_type: 'in_channel' | 'ephemeral'; text: string }): Promise<void> {
    const url = new URL(responseUrl);
    await this.send('response_url', url, {}, JSON.stringify({ ...body, replace_original: false }), () => undefined);
  }

  /**
   * Posts a message as the bot; resolves the message's `ts`.
   * @example await slack.postMessage({ channel: 'C061EG9SL', text: 'Building notes…', thread_ts: '1700000000.000100' })
   */
  async postMessage(message: SlackPost): Promise<{ ts: string }> {
    let answer: WebApiAnswer = {};
    const url = new URL(`${this.options.apiUrl.replace(/\/+$/, '')}/chat.postMessage`);
    await this.send('chat.postMessage', url, { authorization: `Bearer ${this.options.botToken}` }, JSON.stringify(message), (reply) => {
      try {
        answer = JSON.parse(reply) as WebApiAnswer;
      } catch {
        return 'Slack answered with something other than JSON';
      }
      return answer.ok === true ? undefined : `Slack refused it: ${answer.error ?? 'no reason given'}`;
    });
    return { ts: answer.ts ?? '' };
  }

  /** One call, retried as the policy allows; `refusal` reads a 2xx answer and says why it is a failure, if it is. */
  private async send(what: string, url: URL, headers: Record<string, string>, body: string, refusal: (reply: string) => string | undefined): Promise<void> {
    let refused: string | undefined;
    const attempt = async (): Promise<AttemptResult> => {
      const result = await postOnce({ url, headers: { 'content-type': 'application/json; charset=utf-8', ...headers }, body, timeoutMs: this.options.timeoutMs });
      if (!result.ok) return result;
      refused = refusal(result.reply ?? '');
      return refused ? { ok: false, error: refused, retryable: false } : { ok: true };
    };
    const delivery = await withRetries(this.options.retry, attempt);
    if (!delivery.ok) {
      const code = refused ? /: (\w+)$/.exec(refused)?.[1] : undefined;
      throw new ExternalServiceError('Slack', `${what} failed after ${delivery.attempts} attempt${delivery.attempts === 1 ? '' : 's'}: ${delivery.error}`, {
        hint: (code && FIXES[code]) ?? 'Check that slipway serve can reach Slack, and the Slack app\'s settings.',
      });
    }
  }
}
