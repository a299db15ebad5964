import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import type { Logger } from 'pino';
import type { ReplayGuard } from '../../ports/replay-guard.ts';
import type { ServerDeps } from '../app.ts';
import { problem } from '../problem.ts';
import { problemResponses } from '../schemas.ts';
import { parseChatCommand, type ChatCommand } from './commands.ts';
import { answerChat, type ChatMessage, type ChatPolicy, type ChatWho } from './conversation.ts';
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
  /** The signed intake's guard (table hook_replays): each signature, and each event id, is taken once. */
  replays: ReplayGuard;
  now?: () => Date;
}

const FormString = z.string().max(4000);

/** The fields Slipway reads of a slash command; Slack sends more (team_id, api_app_id, …), which are let through. */
const SlashCommandForm = z.looseObject({
  command: FormString.openapi({ example: '/slipway' }),
  text: FormString.default('').openapi({ example: 'a pomodoro timer with a dark theme' }),
  user_id: FormString.min(1),
  channel_id: FormString.min(1),
  response_url: z.url({ protocol: /^https?$/ }),
  trigger_id: FormString.min(1),
}).openapi('SlackSlashCommand');

const SlackEvent = z.looseObject({
  type: FormString,
  user: FormString.optional(),
  bot_id: FormString.optional(),
  text: z.string().max(40_000).optional(),
  channel: FormString.optional(),
  ts: FormString.optional(),
  thread_ts: FormString.optional(),
});

const EventsBody = z.looseObject({
  type: FormString.openapi({ description: '`url_verification` or `event_callback`' }),
  challenge: FormString.optional(),
  event_id: FormString.optional(),
  event: SlackEvent.optional(),
}).openapi('SlackEventsRequest');

const SIGNED_HEADERS = z.object({
  'x-slack-request-timestamp': z.string().optional().openapi({ description: 'unix seconds' }),
  'x-slack-signature': z.string().optional().openapi({ description: 'v0=<hex HMAC-SHA256(signing secret, "v0:<timestamp>:<raw body>")>' }),
});

const NOT_SET = { title: 'Not found', detail: 'chat.slack is not set in slipway.yaml', hint: 'Add chat.slack (signingSecret, botToken, allowUsers or allowChannels) to slipway.yaml and restart slipway serve.' };

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
export function slackRoutes(app: OpenAPIHono, deps: ServerDeps): void {
  const slack = deps.chat?.slack;
  for (const path of [commandsRoute.path, eventsRoute.path]) {
    if (slack) app.use(path, slackSignature({ signingSecret: slack.signingSecret, replays: slack.replays, ...(slack.now ? { now: slack.now } : {}) }));
    else app.use(path, async (c) => problem(c, 404, NOT_SET));
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
    // Only mentions of a person: the bot's own messages (and other bots') would answer each other.
    if (body.type !== 'event_callback' || event?.type !== 'app_mention' || event.bot_id || !event.user || !event.channel || !body.event_id) return c.json({ ok: true }, 200);
    const retry = c.req.header('x-slack-retry-num');
    // Slack sends an event again when its first delivery was not answered in 3 s: taken once, by id.
    if (!(await slack!.replays.firstSeen(`slack-event:${body.event_id}`, Math.floor((slack!.now?.() ?? new Date()).getTime() / 1000)))) {
      deps.logger.info({ eventId: body.event_id, retry }, 'Slack event already taken');
      return c.json({ ok: true }, 200);
    }
    const thread = event.thread_ts ?? event.ts;
    const post = (message: ChatMessage) => slack!.replies.postMessage({ channel: event.channel!, text: toSlack(message), ...(thread ? { thread_ts: thread } : {}) });
    // Answered at once; the answer goes to the thread when it is ready.
    void mention(event.text ?? '', { platform: 'slack', user: event.user, channel: event.channel }, `slack:${body.event_id}`, post, slack!.policy, deps);
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

/** Answers a mention in its thread, then posts the result there when a run ends. */
async function mention(text: string, who: ChatWho, idempotencyKey: string, post: (message: ChatMessage) => Promise<unknown>, policy: ChatPolicy, deps: ServerDeps): Promise<void> {
  let first: Promise<unknown> = Promise.resolve();
  try {
    // The mention itself (<@U…>, Slack's markup) is not part of the request.
    const command = parseChatCommand(fromSlack(text.replace(/<@[A-Z0-9]+(?:\|[^>]*)?>/g, ' ')));
    const answer = await answerChat(command, who, {
      service: deps.service, policy, logger: deps.logger, idempotencyKey,
      // The result follows the first answer, never overtakes it.
      followUp: async (message) => {
        await first.catch(() => undefined);
        await post(message);
      },
    });
    first = post(answer);
    await first;
  } catch (error) {
    deps.logger.warn({ err: { message: (error as Error).message } }, 'could not answer a Slack mention');
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
