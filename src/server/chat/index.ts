// Chat commands: one conversation (commands.ts, conversation.ts) behind each platform's endpoints.
import type { DiscordChat } from './discord.ts';
import type { SlackChat } from './slack.ts';
import type { TelegramChat } from './telegram.ts';

export { parseChatCommand, type ChatCommand } from './commands.ts';
export { answerChat, resultMessage, type ChatDeps, type ChatMessage, type ChatPlatform, type ChatPolicy, type ChatService, type ChatWho } from './conversation.ts';
export { slackRoutes, type SlackChat, type SlackReplies } from './slack.ts';
export { SLACK_SIGNATURE, slackSignature } from './slack-signature.ts';
export { telegramRoutes, type TelegramChat } from './telegram.ts';
export { discordRoutes, type DiscordChat } from './discord.ts';

/** The chat platforms set in slipway.yaml (`chat:`), their secrets read; a platform absent answers 404. */
export interface ChatPlatforms {
  slack?: SlackChat;
  telegram?: TelegramChat;
  discord?: DiscordChat;
}
