import { homedir } from 'node:os';
import { loadConfig } from '../../config/index.ts';
import { InputError } from '../../domain/errors.ts';
import { DISCORD_COMMAND } from '../../server/chat/discord-command.ts';
import { printJson, reportError } from '../output.ts';
import { discordFrom, telegramFrom } from './chat-platforms.ts';

const TELEGRAM_PATH = '/v1/chat/telegram';

/**
 * `slipway chat telegram set-webhook --url <base>`: tells Telegram to send the bot's messages to
 * `<base>/v1/chat/telegram` with chat.telegram.secretToken. Prints what Telegram answered; its
 * refusal exits 1 with Telegram's description. Neither token is ever printed.
 */
export async function telegramSetWebhookCommand(opts: { url: string; json?: boolean }): Promise<number> {
  const json = Boolean(opts.json);
  try {
    const url = webhookUrl(opts.url);
    const telegram = telegramFrom(loadConfig({ env: process.env, cwd: process.cwd(), homedir: homedir() }), process.env);
    const answer = await telegram.api.setWebhook({ url, secretToken: telegram.secretToken, allowedUpdates: ['message'] });
    if (json) printJson({ url, allowedUpdates: ['message'], ...answer });
    else process.stdout.write(`Telegram: ${answer.description ?? 'the webhook is set'}. The bot's messages now go to ${url}\n`);
    return 0;
  } catch (error) {
    return reportError(error, json);
  }
}

/**
 * `slipway chat discord register-command`: registers `/slipway` as the application's command
 * (chat.discord.applicationId, with chat.discord.botToken).
 */
export async function discordRegisterCommand(opts: { json?: boolean }): Promise<number> {
  const json = Boolean(opts.json);
  try {
    const config = loadConfig({ env: process.env, cwd: process.cwd(), homedir: homedir() });
    const discord = discordFrom(config, process.env, { botToken: true });
    const registered = await discord.api.registerCommands([DISCORD_COMMAND]);
    const command = registered.find((c) => c.name === DISCORD_COMMAND.name);
    const applicationId = config.chat.discord!.applicationId;
    if (json) printJson({ applicationId, commands: registered.map(({ id, name }) => ({ id, name })) });
    else {
      process.stdout.write(`Discord: registered /${DISCORD_COMMAND.name}${command ? ` (command ${command.id})` : ''} for application ${applicationId}. ` +
        'A new global command may take a few minutes to show in every server.\n');
    }
    return 0;
  } catch (error) {
    return reportError(error, json);
  }
}

/** `<base>/v1/chat/telegram` for the public base URL of `slipway serve` (a path prefix behind a proxy is kept). */
function webhookUrl(base: string): string {
  let url: URL;
  try {
    url = new URL(base);
  } catch {
    // Not echoed: what was typed may hold a credential.
    throw new InputError('--url must be an http(s) URL', { hint: 'Give the address Telegram reaches slipway serve at, e.g. --url https://slipway.example.org' });
  }
  if ((url.protocol !== 'https:' && url.protocol !== 'http:') || url.search || url.hash || url.username || url.password) {
    throw new InputError('--url must be an http(s) URL without credentials, query or fragment', { hint: 'Give the address Telegram reaches slipway serve at, e.g. --url https://slipway.example.org' });
  }
  const path = url.pathname.replace(/\/+$/, '');
  url.pathname = path.endsWith(TELEGRAM_PATH) ? path : `${path}${TELEGRAM_PATH}`;
  return url.toString();
}
