// The chat platforms' APIs that Slipway's chat endpoints and `slipway chat …` call.
export { DISCORD_API_URL, DiscordApi, type DiscordApiOptions, type DiscordCommandDefinition } from './discord-api.ts';
export { SLACK_API_URL, SlackApi, type SlackApiOptions, type SlackPost } from './slack-api.ts';
export { TELEGRAM_API_URL, TelegramBotApi, type TelegramApiOptions, type TelegramSentMessage } from './telegram-api.ts';
