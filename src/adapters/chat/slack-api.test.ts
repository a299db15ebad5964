import { afterEach, describe, expect, it } from 'vitest';
import { startSlackStandIn, type SlackStandIn } from '../../../test/support/slack-api.ts';
import { ExternalServiceError } from '../../domain/errors.ts';
import { closedPort, FAST_RETRY } from '../notify/receiver.test-support.ts';
import { SlackApi } from './slack-api.ts';

const TOKEN = 'xoxb-1111-2222-abcdefghijklmnop';
const standIns: SlackStandIn[] = [];
afterEach(async () => {
  await Promise.all(standIns.splice(0).map((s) => s.close()));
});

async function standIn(): Promise<SlackStandIn> {
  const slack = await startSlackStandIn(TOKEN);
  standIns.push(slack);
  return slack;
}

describe('SlackApi', () => {
  it('posts a message with the bot token and resolves its ts; a thread is kept', async () => {
    const slack = await standIn();
    const api = new SlackApi({ apiUrl: slack.apiUrl, botToken: TOKEN, retry: FAST_RETRY });
    const { ts } = await api.postMessage({ channel: 'C061EG9SL', text: 'Building notes…', thread_ts: '1765000000.000001' });
    expect(ts).toMatch(/^\d+\.\d{6}$/);
    expect(slack.posted()).toEqual([{ channel: 'C061EG9SL', text: 'Building notes…', thread_ts: '1765000000.000001' }]);
    expect(slack.received[0]!.headers['content-type']).toBe('application/json');
  });

  it('waits and tries again when Slack rate-limits', async () => {
    const slack = await standIn();
    slack.throttle(2);
    await new SlackApi({ apiUrl: slack.apiUrl, botToken: TOKEN, retry: FAST_RETRY }).postMessage({ channel: 'C1', text: 'hello' });
    expect(slack.received).toHaveLength(3);
    expect(slack.posted()).toHaveLength(1);
  });

  it('says what Slack refused and how to fix it, once, without the token', async () => {
    const slack = await standIn();
    const wrongToken = 'xoxb-9999-8888-zyxwvutsrqponmlk';
    const error = await new SlackApi({ apiUrl: slack.apiUrl, botToken: wrongToken, retry: FAST_RETRY }).postMessage({ channel: 'C1', text: 'hello' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ExternalServiceError);
    expect((error as Error).message).toBe('Slack: chat.postMessage was refused: invalid_auth');
    expect((error as ExternalServiceError).hint).toContain('chat.slack.botToken');
    expect(slack.received).toHaveLength(1);
    expect(JSON.stringify(error) + String(error) + (error as Error).stack).not.toContain(wrongToken);
  });

  it('says when a response_url has expired', async () => {
    const slack = await standIn();
    const error = await new SlackApi({ apiUrl: slack.apiUrl, botToken: TOKEN, retry: FAST_RETRY }).respond(slack.responseUrl('expired-1'), { response_type: 'in_channel', text: 'late' }).catch((e: unknown) => e);
    expect((error as Error).message).toBe('Slack: response_url was refused: expired_url');
    expect((error as ExternalServiceError).hint).toContain('30 minutes');
  });

  it('posts a result to a response_url as JSON, leaving the first answer in place', async () => {
    const slack = await standIn();
    await new SlackApi({ apiUrl: slack.apiUrl, botToken: TOKEN, retry: FAST_RETRY }).respond(slack.responseUrl('T1'), { response_type: 'in_channel', text: 'notes is live: http://127.0.0.1:4000/' });
    expect(slack.responses('T1')).toEqual([{ response_type: 'in_channel', text: 'notes is live: http://127.0.0.1:4000/', replace_original: false }]);
    // The bot token goes to the Web API only.
    expect(slack.received[0]!.headers.authorization).toBeUndefined();
  });

  it('gives up on a Slack it cannot reach after the tries the policy allows', async () => {
    const error = await new SlackApi({ apiUrl: `http://127.0.0.1:${await closedPort()}/api`, botToken: TOKEN, retry: FAST_RETRY }).postMessage({ channel: 'C1', text: 'x' }).catch((e: unknown) => e);
    expect((error as Error).message).toBe('Slack: could not reach the API (ECONNREFUSED)');
  });
});
