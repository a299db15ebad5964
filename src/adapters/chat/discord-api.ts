import { ConfigError, ExternalServiceError } from '../../domain/errors.ts';
import type { RetryPolicy } from '../http/index.ts';
import { CHAT_API_RETRY, callJsonApi, type ApiAnswer } from './api-call.ts';

/*
 * Discord's HTTP API, the parts an interactions endpoint needs: after a deferred answer, the
 * interaction's own webhook (`/webhooks/{application id}/{interaction token}`, no bot token, valid
 * for 15 minutes) edits the original answer and sends follow-ups; registering the command needs the
 * bot token. Errors are `{ "message", "code" }`; a 429 says `retry_after` (seconds) in its body.
 * The interaction token sits in the path, so no URL is ever shown.
 */

export const DISCORD_API_URL = 'https://discord.com/api/v10';
/** Discord refuses message content longer than 2000 characters. */
const CONTENT_MAX = 2000;
/** Discord asks bots to name themselves this way. */
const USER_AGENT = 'DiscordBot (https://slipway.dev, 0.1.0)';

export interface DiscordApiOptions {
  applicationId: string;
  /** Needed only to register the command. */
  botToken?: string;
  /** Default https://discord.com/api/v10; a local server in tests. */
  apiUrl?: string;
  retry?: RetryPolicy;
  timeoutMs?: number;
}

/** A slash command as Discord's "Create Global Application Command" takes it. */
export interface DiscordCommandDefinition {
  name: string;
  type: 1;
  description: string;
  options?: Array<{ type: number; name: string; description: string; required?: boolean }>;
}

/**
 * Edits a deferred interaction's answer, sends its follow-ups, and registers slash commands.
 *
 * @example
 * const discord = new DiscordApi({ applicationId: '123', botToken });
 * await discord.editOriginal(interaction.token, 'Building pomodoro-timer…');
 * await discord.followUp(interaction.token, 'pomodoro-timer is live: https://…');
 */
export class DiscordApi {
  readonly #options: DiscordApiOptions;

  constructor(options: DiscordApiOptions) {
    this.#options = options;
  }

  /** Replaces the "thinking…" of a deferred answer with `text`. */
  async editOriginal(interactionToken: string, text: string, signal?: AbortSignal): Promise<void> {
    await this.#call('PATCH', `webhooks/${this.#options.applicationId}/${interactionToken}/messages/@original`, message(text), {}, signal);
  }

  /** Sends `text` as a new message under the interaction. */
  async followUp(interactionToken: string, text: string, signal?: AbortSignal): Promise<void> {
    await this.#call('POST', `webhooks/${this.#options.applicationId}/${interactionToken}`, message(text), {}, signal);
  }

  /**
   * Makes `commands` the application's global commands (Discord's bulk overwrite: commands not
   * listed are removed) and returns them as Discord stored them, with their ids.
   */
  async registerCommands(commands: DiscordCommandDefinition[], signal?: AbortSignal): Promise<Array<{ id: string; name: string }>> {
    const token = this.#options.botToken;
    if (!token) throw new ConfigError('chat.discord.botToken is not set in slipway.yaml', { hint: 'Add botToken: { env: DISCORD_BOT_TOKEN } under chat.discord (the Bot page of the Discord developer portal shows it).' });
    const answer = await this.#call('PUT', `applications/${this.#options.applicationId}/commands`, commands, { authorization: `Bot ${token}` }, signal);
    return answer as Array<{ id: string; name: string }>;
  }

  async #call(method: 'PATCH' | 'POST' | 'PUT', path: string, body: unknown, headers: Record<string, string>, signal?: AbortSignal): Promise<unknown> {
    const base = (this.#options.apiUrl ?? DISCORD_API_URL).replace(/\/+$/, '');
    const answer = await callJsonApi({
      service: 'Discord', method, url: new URL(`${base}/${path}`), body, headers: { 'user-agent': USER_AGENT, ...headers },
      retry: this.#options.retry ?? CHAT_API_RETRY, timeoutMs: this.#options.timeoutMs ?? 10_000, retryAfter: discordRetryAfter,
      ...(signal ? { signal } : {}),
    });
    return discordResult(method === 'PUT' ? 'registering the command' : 'answering the interaction', answer);
  }
}

/** Plain text that cannot ping anyone, whatever a run's output holds. */
function message(text: string): object {
  return { content: text.length > CONTENT_MAX ? `${text.slice(0, CONTENT_MAX - 1)}…` : text, allowed_mentions: { parse: [] } };
}

function discordResult(what: string, answer: ApiAnswer): unknown {
  if (answer.status >= 200 && answer.status < 300) return answer.body;
  const body = answer.body as { message?: unknown; code?: unknown } | undefined;
  const reason = typeof body?.message === 'string' ? body.message : 'no reason given';
  throw new ExternalServiceError('Discord', `${what} was refused: HTTP ${answer.status}, ${reason}`, { hint: discordHint(answer.status), details: { status: answer.status, ...(typeof body?.code === 'number' ? { code: body.code } : {}) } });
}

function discordHint(status: number): string {
  if (status === 401) return 'Check the bot token in chat.discord.botToken (the Bot page of the Discord developer portal resets it).';
  if (status === 403) return 'The bot lacks a permission there; check chat.discord.applicationId and the bot\'s scopes (applications.commands).';
  if (status === 404) return 'Check chat.discord.applicationId; an interaction can be answered for 15 minutes only.';
  if (status === 429) return 'Discord asks to slow down; try again in a minute.';
  return 'See the reason Discord gave; its API is documented at https://discord.com/developers/docs.';
}

function discordRetryAfter(body: unknown): number | undefined {
  const seconds = (body as { retry_after?: unknown } | undefined)?.retry_after;
  return typeof seconds === 'number' && seconds >= 0 ? Math.ceil(seconds * 1000) : undefined;
}
