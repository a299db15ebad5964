import type { KeyObject } from 'node:crypto';
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import type { ServerDeps } from '../app.ts';
import { problem } from '../problem.ts';
import { problemResponses } from '../schemas.ts';
import { answerInBackground } from './background-answer.ts';
import { parseChatCommand } from './commands.ts';
import type { ChatPolicy } from './conversation.ts';
import { DISCORD_COMMAND } from './discord-command.ts';
import { DISCORD_SIGNATURE_HEADER, DISCORD_TIMESTAMP_HEADER, discordSignatureRefusal } from './discord-signature.ts';
import { chatNotSet } from './not-set.ts';

/** What the Discord endpoint needs, from `chat.discord` in slipway.yaml. */
export interface DiscordChat {
  /** The application's public key (discordPublicKey). */
  publicKey: KeyObject;
  policy: ChatPolicy;
  /** Discord's API (DiscordApi), for the interaction's answers. */
  api: {
    editOriginal(interactionToken: string, text: string): Promise<void>;
    followUp(interactionToken: string, text: string): Promise<void>;
  };
  now?: () => Date;
}

// Discord's interaction types and callback types, as its documentation numbers them.
const PING = 1;
const APPLICATION_COMMAND = 2;
const PONG = 1;
const CHANNEL_MESSAGE = 4;
const DEFERRED_CHANNEL_MESSAGE = 5;
/** Message flag: only the user who asked sees it. */
const EPHEMERAL = 64;

const DiscordUser = z.looseObject({ id: z.string() });
const DiscordInteraction = z
  .looseObject({
    id: z.string(),
    type: z.number().int(),
    application_id: z.string(),
    token: z.string().optional(),
    data: z.looseObject({
      name: z.string(),
      options: z.array(z.looseObject({ name: z.string(), value: z.unknown().optional() })).optional(),
    }).optional(),
    member: z.looseObject({ user: DiscordUser }).optional(),
    user: DiscordUser.optional(),
    channel_id: z.string().optional(),
  })
  .openapi('DiscordInteraction');

const InteractionResponse = z.object({ type: z.number().int(), data: z.object({ content: z.string(), flags: z.number().int() }).optional() });

const discordRoute = createRoute({
  method: 'post',
  path: '/v1/chat/discord',
  // Discord's Ed25519 signature stands in for an API token.
  security: [],
  summary: "Discord interactions endpoint: the /slipway command, answered with a deferred response and the interaction's follow-ups",
  description:
    `Discord's Interaction, with \`${DISCORD_SIGNATURE_HEADER}\` (hex Ed25519 signature of \`${DISCORD_TIMESTAMP_HEADER}\` + raw body, checked with ` +
    'chat.discord.publicKey; 401 otherwise, and nothing starts). PING is answered `{"type":1}`; the /slipway command `{"type":5}` at once, then the ' +
    'answer replaces it and, for a create or delete, the result follows as a follow-up message. 404 when chat.discord is not set.',
  request: { body: { required: true, content: { 'application/json': { schema: DiscordInteraction } } } },
  responses: {
    200: { description: 'PONG, the deferred answer, or a message saying what this endpoint takes', content: { 'application/json': { schema: InteractionResponse } } },
    ...problemResponses(400, 401, 404, 413, 422, 500),
  },
});

/**
 * `POST /v1/chat/discord`: Discord's interactions endpoint. `/slipway request:<text>` from a user
 * or channel in the allow-lists is a chat command; Discord's retry of an interaction (same id)
 * finds the run it started.
 */
export function discordRoutes(app: OpenAPIHono, deps: Pick<ServerDeps, 'service' | 'logger' | 'discord'>): void {
  const { discord } = deps;
  app.use(discordRoute.path, async (c, next) => {
    if (!discord) return chatNotSet(c, 'discord');
    // Hono keeps the bytes read here, so the route's JSON validation reads the same ones.
    const rawBody = new Uint8Array(await c.req.arrayBuffer());
    const refusal = discordSignatureRefusal({
      publicKey: discord.publicKey, signature: c.req.header(DISCORD_SIGNATURE_HEADER), timestamp: c.req.header(DISCORD_TIMESTAMP_HEADER), rawBody, now: (discord.now ?? (() => new Date()))(),
    });
    if (refusal) {
      return problem(c, 401, { title: 'Unauthorized', detail: refusal, hint: 'Only Discord calls this endpoint; set its URL as the Interactions Endpoint URL of the application whose public key is chat.discord.publicKey.' });
    }
    return next();
  });
  app.openapi(discordRoute, async (c) => {
    const interaction = c.req.valid('json');
    if (interaction.type === PING) return c.json({ type: PONG }, 200);
    const request = interaction.data?.options?.find((option) => option.name === 'request')?.value;
    if (!discord || interaction.type !== APPLICATION_COMMAND || interaction.data?.name !== DISCORD_COMMAND.name || !interaction.token) {
      return c.json({ type: CHANNEL_MESSAGE, data: { content: `Slipway answers the /${DISCORD_COMMAND.name} command only.`, flags: EPHEMERAL } }, 200);
    }
    const token = interaction.token;
    const who = { platform: 'discord' as const, user: interaction.member?.user.id ?? interaction.user?.id ?? '', channel: interaction.channel_id ?? '' };
    void answerInBackground(parseChatCommand(typeof request === 'string' ? request : ''), who, {
      service: deps.service, policy: discord.policy, logger: deps.logger,
      idempotencyKey: `discord:interaction:${interaction.id}`,
      post: ({ text }, kind) => (kind === 'answer' ? discord.api.editOriginal(token, text) : discord.api.followUp(token, text)),
    }).catch((error: unknown) => deps.logger.error({ err: { message: (error as Error).message } }, 'a Discord interaction was not answered'));
    return c.json({ type: DEFERRED_CHANNEL_MESSAGE }, 200);
  });
}
