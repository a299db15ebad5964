// The chat platforms' APIs that Slipway's chat endpoints and `slipway chat …` call.
export { DISCORD_API_URL, DiscordApi, type DiscordApiOptions, type DiscordCommandDefinition } from './discord-api.ts';
export { TELEGRAM_API_URL, TelegramBotApi, type TelegramApiOptions, type TelegramSentMessage } from './telegram-api.ts';
