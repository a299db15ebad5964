import { afterEach, describe, expect, it } from 'vitest';
import { startLlmServer, type LlmServer } from '../../../../../test/support/llm-server.ts';
import { ConfigError } from '../../../../domain/index.ts';
import { createChatProvider, type ChatRequest, type RetryNotice } from './index.ts';

const KEY = 'sk-ant-api03-test-0123456789abcdef';
const FAST = { attempts: 3, baseDelayMs: 5, maxDelayMs: 20 };
const tool = { name: 'write_files', description: 'Write the files.', parameters: { type: 'object', properties: {}, required: [], additionalProperties: false } };
const request = (stream: boolean): ChatRequest => ({ model: 'claude-sonnet-4-5', system: 'You code.', messages: [{ role: 'user', content: 'a guestbook' }], tool, maxTokens: 2000, temperature: 0.2, stream });

let server: LlmServer | undefined;
afterEach(async () => {
  expect(server?.problems ?? []).toEqual([]);
  await server?.close();
  server = undefined;
});

async function anthropic(options: { apiKey?: string; retries?: RetryNotice[] } = {}) {
  server = await startLlmServer({ format: 'anthropic', apiKey: KEY, chunkSize: 50 });
  const retries = options.retries;
  return createChatProvider({ provider: 'anthropic', baseUrl: server.url, apiKey: options.apiKey ?? KEY, retry: FAST, onRetry: retries ? (n) => retries.push(n) : undefined });
}

const filesOf = (result: Awaited<ReturnType<ReturnType<typeof createChatProvider>['complete']>>) =>
  !result.tool ? undefined : 'input' in result.tool ? (result.tool.input as { files: unknown[] }).files : (JSON.parse(result.tool.raw) as { files: unknown[] }).files;

describe('Anthropic messages', () => {
  it.each([false, true])('forces the tool and reads its input and the text beside it (stream: %s)', async (stream) => {
    const chat = await anthropic();
    server!.reply({ fixture: 'anthropic/files.json' });
    const result = await chat.complete(request(stream));
    expect(filesOf(result)).toHaveLength(4);
    expect(result).toMatchObject({ text: 'I will write the guestbook now.', model: 'claude-sonnet-4-5-20250929', truncated: false, stopReason: 'tool_use', usage: { inputTokens: 3620, outputTokens: 1480 } });
    const sent = server!.requests[0]!;
    expect(sent.headers).toMatchObject({ 'x-api-key': KEY, 'anthropic-version': '2023-06-01' });
    expect(sent.headers.authorization).toBeUndefined();
    // The SDK sends text as content blocks, as Anthropic's own clients do.
    expect(sent.body).toMatchObject({
      model: 'claude-sonnet-4-5', max_tokens: 2000, system: [{ type: 'text', text: 'You code.' }], temperature: 0.2,
      messages: [{ role: 'user', content: [{ type: 'text', text: 'a guestbook' }] }],
      tools: [{ name: 'write_files', description: 'Write the files.', input_schema: expect.objectContaining({ type: 'object', properties: {} }) }],
      tool_choice: { type: 'tool', name: 'write_files' },
    });
    expect(sent.body.stream ?? false).toBe(stream);
  });

  it('reads a recorded stream cut at max_tokens as truncated, with the partial JSON as sent', async () => {
    const chat = await anthropic();
    server!.reply({ fixture: 'anthropic/files-length.sse' });
    const result = await chat.complete(request(true));
    expect(result).toMatchObject({ truncated: true, stopReason: 'max_tokens', usage: { outputTokens: 16000 } });
    expect(result.tool && 'raw' in result.tool && result.tool.raw.startsWith('{"files":[{"path":"package.json"')).toBe(true);
  });

  it('honours retry-after on a 429, then succeeds', async () => {
    const retries: RetryNotice[] = [];
    const chat = await anthropic({ retries });
    server!.reply({ status: 429, headers: { 'retry-after': '0' }, fixture: 'anthropic/error-429.json' }, { fixture: 'anthropic/files.json' });
    const result = await chat.complete(request(false));
    expect(result.attempts).toBe(2);
    expect(retries).toEqual([{ provider: 'anthropic', status: 429, attempt: 1, delayMs: 0, reason: expect.stringContaining('rate_limit_error') }]);
  });

  it('retries when the service is overloaded (529) and when the stream reports overloaded_error', async () => {
    const chat = await anthropic();
    const overloaded = 'event: message_start\ndata: {"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","content":[],"model":"claude-sonnet-4-5","stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":10,"output_tokens":1}}}\n\nevent: error\ndata: {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}\n\n';
    server!.reply({ status: 529, fixture: 'anthropic/error-529.json' }, { sse: overloaded }, { fixture: 'anthropic/files.json' });
    const result = await chat.complete(request(true));
    expect(result.attempts).toBe(3);
  });

  it('names ANTHROPIC_API_KEY on a 401 and never shows the key', async () => {
    const wrong = 'sk-ant-api03-wrong-7a6b5c4d3e2f';
    const chat = await anthropic({ apiKey: wrong });
    const error = (await chat.complete(request(true)).catch((e: unknown) => e)) as ConfigError;
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toBe('Anthropic rejected the API key (HTTP 401, authentication_error); set ANTHROPIC_API_KEY to a valid key');
    expect(`${error.message} ${error.hint}`).not.toContain('7a6b5c4d');
  });
});
