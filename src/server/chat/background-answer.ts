import type { Logger } from 'pino';
import { describeError } from '../../domain/index.ts';
import type { ChatCommand } from './commands.ts';
import { answerChat, type ChatMessage, type ChatPolicy, type ChatService, type ChatWho } from './conversation.ts';

export interface BackgroundAnswerDeps {
  service: ChatService;
  policy: ChatPolicy;
  logger: Logger;
  idempotencyKey: string;
  /**
   * Posts a message to the chat: `answer` is the immediate one (the list, the refusal, "Building…"),
   * `result` how a run it started ended. The result is posted only once the answer was.
   */
  post(message: ChatMessage, kind: 'answer' | 'result'): Promise<void>;
}

/**
 * Answers a chat command after the platform's request was already acknowledged (Telegram,
 * Discord and Slack's mentions take a quick 200 and the messages later), so a slow list or a busy
 * queue never makes the platform retry. Never rejects: what cannot be posted is logged, with the platform's reason.
 *
 * @example
 * void answerInBackground(parseChatCommand(text), who, { service, policy, logger, idempotencyKey, post: (m) => telegram.sendMessage({ chatId, text: m.text }) });
 */
export async function answerInBackground(command: ChatCommand, who: ChatWho, deps: BackgroundAnswerDeps): Promise<void> {
  let answered!: () => void;
  const answerPosted = new Promise<void>((resolve) => (answered = resolve));
  const post = async (message: ChatMessage, kind: 'answer' | 'result') => {
    try {
      await deps.post(message, kind);
    } catch (error) {
      // The chat adapters keep tokens out of their errors; only the message is logged all the same.
      deps.logger.warn({ platform: who.platform, kind, err: { message: describeError(error).message } }, 'could not post a chat message');
    }
  };
  const answer = await answerChat(command, who, {
    service: deps.service, policy: deps.policy, logger: deps.logger, idempotencyKey: deps.idempotencyKey,
    followUp: async (message) => {
      await answerPosted;
      await post(message, 'result');
    },
  });
  await post(answer, 'answer');
  answered();
}
