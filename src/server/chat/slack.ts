import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import type { Logger } from 'pino';
import type { ReplayGuard } from '../../ports/replay-guard.ts';
import { problemResponses } from '../schemas.ts';
import { answerInBackground } from './background-answer.ts';
import { parseChatCommand, type ChatCommand } from './commands.ts';
import { answerChat, type ChatMessage, type ChatPolicy, type ChatService, type ChatWho } from './conversation.ts';
import { chatNotSet } from './not-set.ts';
import { slackSignature } from './slack-signature.ts';

/** Where Slipway's answers to Slack go (src/adapters/chat/slack-api.ts sends them). */
export interface SlackReplies {
  respond(responseUrl: string, body: { response_type: 'in_channel' | 'ephemeral'; text: string }): Promise<void>;
  postMessage(message: { channel: string; text: string; thread_ts?: string }): Promise<{ ts: string }>;
}

/** `chat.slack` of slipway.yaml, its secrets read. */
export interface SlackChat {
  signingSecret: string;
  policy: ChatPolicy;
  replies: SlackReplies;
  now?: () => Date;
}

/** What the Slack endpoints use of the server's dependencies. */
interface SlackRouteDeps {
  service: ChatService;
  logger: Logger;
  slack?: SlackChat | undefined;
  /** The signed intake's guard (table hook_replays): each signature, and each event id, is taken once. */
  replays?: ReplayGuard | undefined;
}

const SlackString = z.string().max(4000);

/** The fields Slipway reads of a slash command; Slack sends more (team_id, api_app_id, …), which are let through. */
const SlashCommandForm = z.looseObject({
  command: SlackString.openapi({ example: '/slipway' }),
  text: SlackString.default('').openapi({ example: 'a pomodoro timer with a dark theme' }),
  user_id: SlackString.min(1),
  channel_id: SlackString.min(1),
  response_url: z.url({ protocol: /^https?$/ }),
  trigger_id: SlackString.min(1),
}).openapi('SlackSlashCommand');

const SlackEvent = z.looseObject({
  type: SlackString,
  user: SlackString.optional(),
  bot_id: SlackString.optional(),
  text: z.string().max(40_000).optional(),
  channel: SlackString.optional(),
  ts: SlackString.optional(),
  thread_ts: SlackString.optional(),
});

const EventsBody = z.looseObject({
  type: SlackString.openapi({ description: '`url_verification` or `event_callback`' }),
  challenge: SlackString.optional(),
  event_id: SlackString.optional(),
  event: SlackEvent.optional(),
}).openapi('SlackEventsRequest');

const SIGNED_HEADERS = z.object({
  'x-slack-request-timestamp': z.string().optional().openapi({ description: 'unix seconds' }),
  'x-slack-signature': z.string().optional().openapi({ description: 'v0=<hex HMAC-SHA256(signing secret, "v0:<timestamp>:<raw body>")>' }),
});

const commandsRoute = createRoute({
  method: 'post',
  path: '/v1/chat/slack/commands',
  // Slack's signature stands in for a token.
  security: [],
  summary: 'A Slack slash command (/slipway …), signed by Slack',
  description:
    'Verified with chat.slack.signingSecret (5-minute window, each signature once). Answered at once; a create or delete is ' +
    'followed to its end and its result POSTed to `response_url`. Answers 404 when chat.slack is not set.',
  request: {
    headers: SIGNED_HEADERS,
    body: { required: true, content: { 'application/x-www-form-urlencoded': { schema: SlashCommandForm } } },
  },
  responses: {
    200: {
      description: 'the immediate answer, shown in Slack',
      content: { 'application/json': { schema: z.object({ response_type: z.enum(['in_channel', 'ephemeral']), text: z.string() }).openapi('SlackAnswer') } },
    },
    ...problemResponses(400, 401, 404, 413, 422, 500),
  },
});

const eventsRoute = createRoute({
  method: 'post',
  path: '/v1/chat/slack/events',
  security: [],
  summary: 'Slack Events API: URL verification and app mentions, signed by Slack',
  description:
    'Verified as the slash commands are. `url_verification` is answered with its challenge; an `app_mention` is answered with 200 ' +
    'at once, then in its thread with chat.postMessage. Each event id is taken once, so Slack\'s retries start nothing new.',
  request: {
    headers: SIGNED_HEADERS,
    body: { required: true, content: { 'application/json': { schema: EventsBody } } },
  },
  responses: {
    200: {
      description: 'the challenge, or the event taken',
      content: { 'application/json': { schema: z.object({ challenge: z.string().optional(), ok: z.boolean().optional() }).openapi('SlackEventAnswer') } },
    },
    ...problemResponses(400, 401, 404, 413, 422, 500),
  },
});

/**
 * Slack's slash command and Events API endpoints. They are authenticated by Slack's signature, so
 * they are mounted before access control; without `chat.slack` they answer 404.
 */
export function slackRoutes(app: OpenAPIHono, deps: SlackRouteDeps): void {
  const { slack, replays } = deps;
  if (slack && !replays) throw new Error('the Slack endpoints need the replay guard (deps.replays)');
  const now = slack?.now ?? (() => new Date());
  for (const path of [commandsRoute.path, eventsRoute.path]) {
    if (slack) app.use(path, slackSignature({ signingSecret: slack.signingSecret, replays: replays!, now }));
    else app.use(path, async (c) => chatNotSet(c, 'slack'));
  }

  app.openapi(commandsRoute, async (c) => {
    const form = c.req.valid('form');
    const command = parseChatCommand(fromSlack(form.text));
    const who: ChatWho = { platform: 'slack', user: form.user_id, channel: form.channel_id };
    const answer = await answerChat(command, who, {
      service: deps.service, policy: slack!.policy, logger: deps.logger, idempotencyKey: `slack:${form.trigger_id}`,
      followUp: (message) => followUpCommand(slack!.replies, form, toSlack(message), deps.logger),
    });
    return c.json({ response_type: startsRun(command, answer) ? 'in_channel' as const : 'ephemeral' as const, text: toSlack(answer) }, 200);
  });

  app.openapi(eventsRoute, async (c) => {
    const body = c.req.valid('json');
    if (body.type === 'url_verification') return c.json({ challenge: body.challenge ?? '' }, 200);
    const event = body.event;
    // Only mentions by a person: the bot's own messages (and other bots') would answer each other.
    if (body.type !== 'event_callback' || event?.type !== 'app_mention' || event.bot_id || !event.user || !event.channel || !body.event_id) return c.json({ ok: true }, 200);
    // Slack sends an event again when its first delivery was not answered in 3 s: taken once, by id.
    if (!(await replays!.firstSeen(`slack-event:${body.event_id}`, Math.floor(now().getTime() / 1000)))) {
      deps.logger.info({ eventId: body.event_id, retry: c.req.header('x-slack-retry-num') }, 'Slack event already taken');
      return c.json({ ok: true }, 200);
    }
    const channel = event.channel;
    const thread = event.thread_ts ?? event.ts;
    // The mention itself (<@U…>, Slack's markup) is not part of the request.
    const command = parseChatCommand(fromSlack((event.text ?? '').replace(/<@[A-Z0-9]+(?:\|[^>]*)?>/g, ' ')));
    // Answered at once; the answer, then the result, go to the mention's thread.
    void answerInBackground(command, { platform: 'slack', user: event.user, channel }, {
      service: deps.service, policy: slack!.policy, logger: deps.logger, idempotencyKey: `slack:${body.event_id}`,
      post: async (message) => {
        await slack!.replies.postMessage({ channel, text: toSlack(message), ...(thread ? { thread_ts: thread } : {}) });
      },
    }).catch((error: unknown) => deps.logger.error({ err: { message: (error as Error).message } }, 'a Slack mention was not answered'));
    return c.json({ ok: true }, 200);
  });
}

/**
 * Posts a slash command's result to its response_url, which Slack honours for 30 minutes: a longer
 * run's result goes to the channel with chat.postMessage instead.
 */
async function followUpCommand(replies: SlackReplies, form: { response_url: string; channel_id: string }, text: string, logger: Logger): Promise<void> {
  try {
    await replies.respond(form.response_url, { response_type: 'in_channel', text });
  } catch (error) {
    logger.info({ err: { message: (error as Error).message } }, 'the response_url of a Slack command took no result; posting it to the channel');
    await replies.postMessage({ channel: form.channel_id, text });
  }
}

/** Whether the answer says a run started: shown to the channel, as its result will be. */
function startsRun(command: ChatCommand, answer: ChatMessage): boolean {
  return (command.kind === 'create' || command.kind === 'delete') && answer.ok !== false;
}

/** Slack escapes &, < and > in the text it sends (https://api.slack.com/reference/surfaces/formatting#escaping). */
function fromSlack(text: string): string {
  return text.replaceAll('&lt;', '<').replaceAll('&gt;', '>').replaceAll('&amp;', '&');
}

/** Slack reads &, < and > as markup (`<!channel>` would ping everyone): Slipway's text is escaped. */
function toSlack(message: ChatMessage): string {
  return message.text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}
