/** What someone asked Slipway for in a chat: the same on Slack, Telegram and Discord. */
export type ChatCommand =
  | { kind: 'create'; description: string }
  | { kind: 'list' }
  | { kind: 'status'; app: string }
  | { kind: 'delete'; app: string }
  | { kind: 'help' };

/** Words that ask for help rather than an app (`/start` is what Telegram sends when a chat with a bot begins). */
const HELP_WORDS = new Set(['help', 'start']);

/**
 * Reads a chat message as a command. Anything that is not one of the command words is a description
 * of an app to create, so "status page for my blog" builds an app while "status blog" asks about one:
 * `status` and `delete` take exactly one word, the app's name. Telegram's `/list` and `/list@SlipwayBot`
 * read as `list`. An empty message, or a command word missing its argument, asks for help.
 *
 * @example
 * parseChatCommand('a pomodoro timer with a dark theme') // { kind: 'create', description: 'a pomodoro timer with a dark theme' }
 * parseChatCommand('/status@SlipwayBot pomodoro-timer')  // { kind: 'status', app: 'pomodoro-timer' }
 */
export function parseChatCommand(text: string): ChatCommand {
  const words = text.trim().split(/\s+/).filter((word) => word !== '');
  if (words.length === 0) return { kind: 'help' };
  const first = words[0]!;
  const slashed = first.startsWith('/');
  const word = first.replace(/^\//, '').replace(/@[A-Za-z0-9_]+$/, '').toLowerCase();
  const rest = words.slice(1);
  if (HELP_WORDS.has(word)) return rest.length === 0 || slashed ? { kind: 'help' } : create(words);
  if (word === 'list') return rest.length === 0 || slashed ? { kind: 'list' } : create(words);
  if (word === 'new') return rest.length === 0 ? { kind: 'help' } : create(rest);
  if (word === 'status' || word === 'delete') {
    if (rest.length === 1) return { kind: word, app: rest[0]! };
    return slashed || rest.length === 0 ? { kind: 'help' } : create(words);
  }
  // An unknown `/word` is a command this bot does not have, not a description.
  return slashed ? { kind: 'help' } : create(words);
}

function create(words: string[]): ChatCommand {
  return { kind: 'create', description: words.join(' ') };
}
