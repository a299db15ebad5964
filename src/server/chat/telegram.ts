import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import type { ServerDeps } from '../app.ts';
import { problem } from '../problem.ts';
import { problemResponses } from '../schemas.ts';
import { answerInBackground } from './background-answer.ts';
import { parseChatCommand } from './commands.ts';
import type { ChatPolicy } from './conversation.ts';
import { chatNotSet } from './not-set.ts';
import { TELEGRAM_SECRET_HEADER, telegramSecretMatches } from './telegram-secret.ts';

/** What the Telegram endpoint needs, from `chat.telegram` in slipway.yaml. */
export interface TelegramChat {
  /** The secret_token given to setWebhook. */
  secretToken: string;
  policy: ChatPolicy;
  /** Telegram's Bot API (TelegramBotApi), for the answers. */
  api: { sendMessage(message: { chatId: number | string; text: string; replyTo?: number }): Promise<unknown> };
}

// The parts of Telegram's Update this endpoint reads; the rest (and other update kinds) pass.
const TelegramUpdate = z
  .looseObject({
    update_id: z.number().int(),
    message: z.looseObject({
      message_id: z.number().int(),
      from: z.looseObject({ id: z.number().int(), username: z.string().optional() }).optional(),
      chat: z.looseObject({ id: z.number().int(), type: z.string() }),
      text: z.string().optional(),
    }).optional(),
  })
  .openapi('TelegramUpdate');

const telegramRoute = createRoute({
  method: 'post',
  path: '/v1/chat/telegram',
  // Telegram's secret token stands in for an API token.
  security: [],
  summary: "Telegram bot webhook: a message is a chat command, answered with the bot's sendMessage",
  description:
    `Telegram's Update, sent by the Bot API to the webhook \`slipway chat telegram set-webhook\` registers; it must carry \`${TELEGRAM_SECRET_HEADER}\` ` +
    'equal to chat.telegram.secretToken (401 otherwise, and nothing starts). Answered 200 at once; the answer and, for a create or delete, ' +
    'the result follow as messages in the same chat. Updates without a text message are acknowledged and ignored. 404 when chat.telegram is not set.',
  request: { body: { required: true, content: { 'application/json': { schema: TelegramUpdate } } } },
  responses: {
    200: { description: 'taken; the answers follow through sendMessage', content: { 'application/json': { schema: z.object({ ok: z.literal(true) }) } } },
    ...problemResponses(400, 401, 404, 413, 422, 500),
  },
});

/**
 * `POST /v1/chat/telegram`: Telegram's webhook. Each text message from a user or chat in the
 * allow-lists is a command (`/list`, `/status x`, `/new …`, or a description), answered in the
 * same chat as replies to it; a retried update (same update_id) finds the run it started.
 */
export function telegramRoutes(app: OpenAPIHono, deps: Pick<ServerDeps, 'service' | 'logger' | 'telegram'>): void {
  const { telegram } = deps;
  app.use(telegramRoute.path, async (c, next) => {
    if (!telegram) return chatNotSet(c, 'telegram');
    if (!telegramSecretMatches(c.req.header(TELEGRAM_SECRET_HEADER), telegram.secretToken)) {
      return problem(c, 401, {
        title: 'Unauthorized', detail: `the request does not carry the webhook's secret token in ${TELEGRAM_SECRET_HEADER}`,
        hint: 'Register the webhook with `slipway chat telegram set-webhook --url <this server>`, so that Telegram sends chat.telegram.secretToken.',
      });
    }
    return next();
  });
  app.openapi(telegramRoute, async (c) => {
    const update = c.req.valid('json');
    const message = update.message;
    if (telegram && message?.text !== undefined) {
      const chatId = message.chat.id;
      const who = { platform: 'telegram' as const, user: String(message.from?.id ?? ''), channel: String(chatId) };
      void answerInBackground(parseChatCommand(withoutBotMention(message.text)), who, {
        service: deps.service, policy: telegram.policy, logger: deps.logger,
        idempotencyKey: `telegram:update:${update.update_id}`,
        // Both the answer and the result reply to the request, so a busy group sees which is whose.
        post: async ({ text }) => {
          await telegram.api.sendMessage({ chatId, text, replyTo: message.message_id });
        },
      }).catch((error: unknown) => deps.logger.error({ err: { message: (error as Error).message } }, 'a Telegram message was not answered'));
    }
    return c.json({ ok: true as const }, 200);
  });
}

/**
 * The text without a leading mention of a bot (`@SlipwayBot list`), as people write to a bot in a
 * group. Every bot's username ends in "bot", so a person named first is left alone.
 */
function withoutBotMention(text: string): string {
  return text.replace(/^\s*@[A-Za-z0-9_]*bot(?![A-Za-z0-9_])\s*/i, '');
}
