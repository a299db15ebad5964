import { ExternalServiceError } from '../../domain/errors.ts';
import type { RetryPolicy } from '../http/index.ts';
import { CHAT_API_RETRY, callJsonApi, type ApiAnswer } from './api-call.ts';

/*
 * Telegram's Bot API: `POST {apiUrl}/bot<token>/<method>` with a JSON body; every answer is
 * `{ "ok": true, "result": … }` or `{ "ok": false, "error_code": 401, "description": "Unauthorized",
 * "parameters"?: { "retry_after": 3 } }`. The token is part of every URL, so no URL is ever shown.
 */

export const TELEGRAM_API_URL = 'https://api.telegram.org';
/** Telegram refuses a message longer than 4096 characters. */
const TEXT_MAX = 4096;

export interface TelegramApiOptions {
  botToken: string;
  /** Default https://api.telegram.org; a local server in tests, or a self-hosted Bot API server. */
  apiUrl?: string;
  retry?: RetryPolicy;
  timeoutMs?: number;
}

/** The part of Telegram's Message object Slipway reads back. */
export interface TelegramSentMessage {
  message_id: number;
  chat: { id: number | string };
}

/**
 * The two Bot API methods Slipway calls: sendMessage (replies) and setWebhook (`slipway chat
 * telegram set-webhook`).
 *
 * @example
 * const telegram = new TelegramBotApi({ botToken });
 * await telegram.sendMessage({ chatId: 123456, text: 'Building pomodoro-timer…', replyTo: 42 });
 */
export class TelegramBotApi {
  readonly #options: TelegramApiOptions;

  constructor(options: TelegramApiOptions) {
    this.#options = options;
  }

  /** Sends plain text to a chat, as a reply to `replyTo` when given (and still there). */
  async sendMessage(message: { chatId: number | string; text: string; replyTo?: number }, signal?: AbortSignal): Promise<TelegramSentMessage> {
    const text = message.text.length > TEXT_MAX ? `${message.text.slice(0, TEXT_MAX - 1)}…` : message.text;
    return (await this.#call('sendMessage', {
      chat_id: message.chatId,
      text,
      // A reply to a message deleted meanwhile is still sent, just not as a reply.
      ...(message.replyTo === undefined ? {} : { reply_parameters: { message_id: message.replyTo, allow_sending_without_reply: true } }),
      link_preview_options: { is_disabled: true },
    }, signal)).result as TelegramSentMessage;
  }

  /** Points the bot's updates at `url`, each carrying `secretToken` in X-Telegram-Bot-Api-Secret-Token. */
  async setWebhook(webhook: { url: string; secretToken: string; allowedUpdates: string[] }, signal?: AbortSignal): Promise<{ description?: string }> {
    const answer = await this.#call('setWebhook', { url: webhook.url, secret_token: webhook.secretToken, allowed_updates: webhook.allowedUpdates }, signal);
    return typeof answer.description === 'string' ? { description: answer.description } : {};
  }

  async #call(method: string, body: object, signal?: AbortSignal): Promise<TelegramAnswer> {
    const base = (this.#options.apiUrl ?? TELEGRAM_API_URL).replace(/\/+$/, '');
    const answer = await callJsonApi({
      service: 'Telegram', method: 'POST', url: new URL(`${base}/bot${this.#options.botToken}/${method}`), body,
      retry: this.#options.retry ?? CHAT_API_RETRY, timeoutMs: this.#options.timeoutMs ?? 10_000, retryAfter: telegramRetryAfter,
      ...(signal ? { signal } : {}),
    });
    return telegramResult(method, answer);
  }
}

interface TelegramAnswer {
  ok: boolean;
  result?: unknown;
  description?: string;
  error_code?: number;
  parameters?: { retry_after?: number };
}

/** The answer when Telegram said ok; otherwise an error with its description and what to do. */
function telegramResult(method: string, answer: ApiAnswer): TelegramAnswer {
  const body = answer.body as TelegramAnswer | undefined;
  if (body?.ok === true) return body;
  const code = body?.error_code ?? answer.status;
  const description = typeof body?.description === 'string' ? body.description : `HTTP ${answer.status}`;
  throw new ExternalServiceError('Telegram', `${method} was refused: ${description} (${code})`, { hint: telegramHint(code), details: { errorCode: code } });
}

function telegramHint(code: number): string {
  if (code === 401 || code === 404) return 'Check the bot token in chat.telegram.botToken (BotFather shows it with /token).';
  if (code === 403) return 'The bot cannot write to that chat: it was blocked or removed; add it again.';
  if (code === 429) return 'Telegram asks to slow down; try again in a minute.';
  return 'See the description Telegram gave; the Bot API is documented at https://core.telegram.org/bots/api.';
}

function telegramRetryAfter(body: unknown): number | undefined {
  const seconds = (body as TelegramAnswer | undefined)?.parameters?.retry_after;
  return typeof seconds === 'number' && seconds >= 0 ? seconds * 1000 : undefined;
}
