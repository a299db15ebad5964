import { DiscordApi, SlackApi, TelegramBotApi } from '../../adapters/chat/index.ts';
import { readSecret, type ResolvedConfig } from '../../config/index.ts';
import { ConfigError } from '../../domain/errors.ts';
import type { ChatPolicy } from '../../server/chat/conversation.ts';
import type { ServerDeps } from '../../server/index.ts';
import { discordPublicKey } from '../../server/chat/discord-signature.ts';
import { TELEGRAM_SECRET_SHAPE } from '../../server/chat/telegram-secret.ts';

type Env = Record<string, string | undefined>;

/** `chat.slack` of slipway.yaml made usable: its secrets read, its API client built. */
export function slackFrom(config: ResolvedConfig, env: Env) {
  const slack = config.chat.slack;
  if (!slack) throw notSet('slack', 'signingSecret: { env: SLACK_SIGNING_SECRET }, botToken: { env: SLACK_BOT_TOKEN }');
  const signingSecret = readSecret(slack.signingSecret, 'chat.slack.signingSecret', env);
  const botToken = readSecret(slack.botToken, 'chat.slack.botToken', env);
  const { allowUsers, allowChannels, allowDelete } = slack;
  return { signingSecret, replies: new SlackApi({ botToken, apiUrl: slack.apiUrl }), policy: { allowUsers, allowChannels, allowDelete } };
}

/** `chat.telegram` of slipway.yaml made usable: its secrets read, its API client built. */
export function telegramFrom(config: ResolvedConfig, env: Env): { api: TelegramBotApi; secretToken: string; policy: ChatPolicy } {
  const telegram = config.chat.telegram;
  if (!telegram) throw notSet('telegram', 'secretToken: { env: TELEGRAM_WEBHOOK_SECRET }, botToken: { env: TELEGRAM_BOT_TOKEN }');
  const secretToken = readSecret(telegram.secretToken, 'chat.telegram.secretToken', env);
  // Telegram refuses any other secret_token; saying so here beats a refused setWebhook or a webhook that never matches.
  if (!TELEGRAM_SECRET_SHAPE.test(secretToken)) {
    throw new ConfigError('chat.telegram.secretToken must be 1-256 characters of A-Z, a-z, 0-9, _ and -', { hint: 'Make one with: openssl rand -hex 32' });
  }
  const botToken = readSecret(telegram.botToken, 'chat.telegram.botToken', env);
  const { allowUsers, allowChannels, allowDelete } = telegram;
  return { api: new TelegramBotApi({ botToken, apiUrl: telegram.apiUrl }), secretToken, policy: { allowUsers, allowChannels, allowDelete } };
}

/**
 * `chat.discord` of slipway.yaml made usable: its public key read, its API client built. Only
 * registering the command needs the bot token (DiscordApi says so when it is not set), so it is
 * read only when `botToken` asks for it: `slipway serve` neither needs nor holds it.
 */
export function discordFrom(config: ResolvedConfig, env: Env, options: { botToken: boolean }) {
  const discord = config.chat.discord;
  if (!discord) throw notSet('discord', 'publicKey: <64 hex>, applicationId: "<digits>"');
  const botToken = options.botToken && discord.botToken ? readSecret(discord.botToken, 'chat.discord.botToken', env) : undefined;
  const { allowUsers, allowChannels, allowDelete } = discord;
  return {
    api: new DiscordApi({ applicationId: discord.applicationId, apiUrl: discord.apiUrl, ...(botToken ? { botToken } : {}) }),
    publicKey: discordPublicKey(discord.publicKey),
    policy: { allowUsers, allowChannels, allowDelete },
  };
}

/** The Slack, Telegram and Discord endpoints of `slipway serve`, for the platforms slipway.yaml sets up. */
export function chatEndpoints(config: ResolvedConfig, env: Env): Pick<ServerDeps, 'slack' | 'telegram' | 'discord'> {
  return {
    ...(config.chat.slack ? { slack: slackFrom(config, env) } : {}),
    ...(config.chat.telegram ? { telegram: telegramFrom(config, env) } : {}),
    ...(config.chat.discord ? { discord: discordFrom(config, env, { botToken: false }) } : {}),
  };
}

function notSet(platform: string, example: string): ConfigError {
  return new ConfigError(`chat.${platform} is not set in slipway.yaml`, { hint: `Add it, e.g. chat: { ${platform}: { ${example}, allowUsers: [...] } } (see "Chat commands" in the README).` });
}
