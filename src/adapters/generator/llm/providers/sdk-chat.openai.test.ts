import { afterEach, describe, expect, it } from 'vitest';
import { readFixture, startLlmServer, type LlmServer } from '../../../../../test/support/llm-server.ts';
import { ConfigError } from '../../../../domain/index.ts';
import { createChatProvider, ModelServiceError, type ChatRequest, type ChatResult, type RetryNotice } from './index.ts';

const KEY = 'sk-test-openai-0123456789abcdef';
const FAST = { attempts: 3, baseDelayMs: 5, maxDelayMs: 20 };
const tool = { name: 'submit_plan', description: 'Submit the plan.', parameters: { type: 'object', properties: {}, required: [], additionalProperties: false } };
const request = (stream: boolean): ChatRequest => ({ model: 'gpt-4.1', system: 'You plan.', messages: [{ role: 'user', content: 'a guestbook' }], tool, maxTokens: 1000, temperature: 0.2, stream });

/** The tool's arguments, whether the SDK parsed them or kept the raw text. */
const argsOf = (tool: ChatResult['tool']) => (!tool ? undefined : 'input' in tool ? tool.input : JSON.parse(tool.raw)) as Record<string, any> | undefined;

let server: LlmServer | undefined;
afterEach(async () => {
  expect(server?.problems ?? []).toEqual([]);
  await server?.close();
  server = undefined;
});

async function openai(extra: { apiKey?: string; retries?: RetryNotice[]; flavour?: 'openai' | 'openai-compatible'; structuredOutput?: 'tools' | 'json_schema' } = {}) {
  server = await startLlmServer({ format: 'openai', apiKey: KEY });
  const retries = extra.retries;
  return createChatProvider({
    provider: extra.flavour ?? 'openai', baseUrl: `${server.url}/`, apiKey: extra.apiKey ?? KEY, retry: FAST,
    structuredOutput: extra.structuredOutput, onRetry: retries ? (n) => retries.push(n) : undefined,
  });
}

describe('OpenAI chat completions', () => {
  it.each([false, true])('sends a forced function call and reads its arguments (stream: %s)', async (stream) => {
    const chat = await openai();
    server!.reply({ fixture: 'openai/plan.json' });
    const result = await chat.complete(request(stream));
    expect(argsOf(result.tool)?.name).toBe('guestbook');
    expect(result).toMatchObject({ model: 'gpt-4.1-2025-04-14', truncated: false, stopReason: 'tool_calls', usage: { inputTokens: 3512, outputTokens: 212 }, attempts: 1 });
    const sent = server!.requests[0]!;
    expect(sent.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(sent.body).toMatchObject({
      // The SDK sends max_tokens, and max_completion_tokens to reasoning models only.
      model: 'gpt-4.1', max_tokens: 1000, temperature: 0.2,
      messages: [{ role: 'system', content: 'You plan.' }, { role: 'user', content: 'a guestbook' }],
      tools: [{ type: 'function', function: { name: 'submit_plan', strict: true } }],
      tool_choice: { type: 'function', function: { name: 'submit_plan' } },
    });
    expect(sent.body.stream ?? false).toBe(stream);
    if (stream) expect(sent.body.stream_options).toEqual({ include_usage: true });
  });

  it.each([false, true])('reports an answer cut at the token limit as truncated, keeping the cut-off arguments as sent (stream: %s)', async (stream) => {
    const chat = await openai();
    server!.reply({ fixture: 'openai/files-length-1.json' });
    const result = await chat.complete(request(stream));
    expect(result).toMatchObject({ truncated: true, stopReason: 'length' });
    const sent = readFixture('openai/files-length-1.json').choices[0].message.tool_calls[0].function.arguments;
    expect(result.tool).toEqual({ name: 'write_files', raw: sent });
  });

  it('waits as long as retry-after-ms asks after a 429, then succeeds', async () => {
    const retries: RetryNotice[] = [];
    const chat = await openai({ retries });
    server!.reply({ status: 429, headers: { 'retry-after-ms': '40', 'retry-after': '1' }, fixture: 'openai/error-429.json' }, { fixture: 'openai/plan.json' });
    const started = Date.now();
    const result = await chat.complete(request(false));
    expect(Date.now() - started).toBeGreaterThanOrEqual(35);
    expect(result.attempts).toBe(2);
    expect(retries).toEqual([{ provider: 'openai', status: 429, attempt: 1, delayMs: 40, reason: expect.stringContaining('rate_limit_exceeded') }]);
  });

  it('gives up after the bounded attempts, saying how many', async () => {
    const chat = await openai();
    server!.reply(...Array.from({ length: 3 }, () => ({ status: 503, body: { error: { message: 'The server is overloaded', type: 'server_error' } } })));
    await expect(chat.complete(request(false))).rejects.toThrow('OpenAI: HTTP 503 server_error: The server is overloaded (gave up after 3 attempts)');
    expect(server!.requests).toHaveLength(3);
  });

  it('does not retry a request the API refused', async () => {
    const chat = await openai();
    server!.reply({ status: 400, body: { error: { message: "Unsupported parameter: 'temperature'", type: 'invalid_request_error' } } });
    const error = await chat.complete(request(false)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelServiceError);
    expect(error).toMatchObject({ status: 400, retryable: false, message: "OpenAI: HTTP 400 invalid_request_error: Unsupported parameter: 'temperature'" });
  });

  it('names OPENAI_API_KEY on a 401 and never shows the key', async () => {
    const wrong = 'sk-wrong-key-9f8e7d6c5b4a1234';
    const chat = await openai({ apiKey: wrong });
    const error = (await chat.complete(request(false)).catch((e: unknown) => e)) as ConfigError;
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toBe('OpenAI rejected the API key (HTTP 401, invalid_api_key); set OPENAI_API_KEY to a valid key');
    expect(`${error.message} ${error.hint} ${String(error.stack)}`).not.toContain('9f8e7d6c');
    expect(server!.requests).toHaveLength(1);
  });

  it('asks again when the stream breaks off before finishing', async () => {
    const chat = await openai();
    server!.reply({ fixture: 'openai/files.json', dropAfterBytes: 900 }, { fixture: 'openai/files.json' });
    const result = await chat.complete(request(true));
    expect(result.attempts).toBe(2);
    expect(argsOf(result.tool)?.files).toHaveLength(4);
  });

  it('speaks to a compatible server with max_tokens, no key and no OpenAI-only fields', async () => {
    const chat = await openai({ flavour: 'openai-compatible', apiKey: '' });
    server!.reply({ fixture: 'openai/plan.json' });
    // The test server wants the key; a keyless compatible client gets the same 401 a locked Ollama proxy would send.
    await expect(chat.complete(request(true))).rejects.toThrow('set SLIPWAY_LLM_API_KEY');
    const sent = server!.requests[0]!;
    expect(sent.headers.authorization).toBeUndefined();
    expect(sent.body.max_tokens).toBe(1000);
    expect(sent.body).not.toHaveProperty('stream_options');
    expect(sent.body.tools[0].function).not.toHaveProperty('strict');
    server!.reply(); // nothing was consumed
  });

  it('asks for a json_schema response format when configured, and reads the content as the answer', async () => {
    const chat = await openai({ structuredOutput: 'json_schema' });
    server!.reply({ body: { id: 'x', object: 'chat.completion', created: 1, model: 'gpt-4.1', choices: [{ index: 0, message: { role: 'assistant', content: '{"ok":true}', refusal: null }, finish_reason: 'stop' }], usage: { prompt_tokens: 1, completion_tokens: 1 } } });
    const result = await chat.complete(request(true));
    expect(result.tool).toEqual({ name: 'submit_plan', raw: '{"ok":true}' });
    expect(server!.requests[0]!.body.response_format).toMatchObject({ type: 'json_schema', json_schema: { name: 'submit_plan', strict: true } });
    expect(server!.requests[0]!.body).not.toHaveProperty('tools');
  });
});
