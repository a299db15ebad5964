import type { Context } from 'hono';
import { problem } from '../problem.ts';
import type { ChatPlatform } from './conversation.ts';

/** The 404 of a chat endpoint whose platform slipway.yaml leaves out. */
export function chatNotSet(c: Context, platform: ChatPlatform): Response {
  return problem(c, 404, {
    title: 'Not found', detail: `chat.${platform} is not set in slipway.yaml`,
    hint: `Add a chat.${platform} section to slipway.yaml (see "Chat commands" in the README) and restart slipway serve.`,
  });
}
