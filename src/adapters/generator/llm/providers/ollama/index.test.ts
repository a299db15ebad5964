import { afterEach, describe, expect, it } from 'vitest';
import { readFixture, startLlmServer, type LlmServer } from '../../../../../../test/support/llm-server.ts';
import { ConfigError } from '../../../../../domain/index.ts';
import { APP, closeHarnesses, GUESTBOOK, harness, KEYS } from '../../llm-generator.test-support.ts';
import { readModelPlan } from '../../llm-generator.ts';
import { createChatProvider, type ChatRequest, type RetryNotice } from '../index.ts';

const PLAN = readFixture('ollama/plan.json').message.tool_calls[0].function.arguments;
const tool = { name: 'submit_plan', description: 'Submit the plan.', parameters: { type: 'object', properties: { name: { type: 'string' } }, required: ['name'], additionalProperties: false } };
const request = (stream: boolean): ChatRequest => ({ model: 'qwen2.5-coder:14b', system: 'You plan.', messages: [{ role: 'user', content: 'a guestbook' }], tool, maxTokens: 1000, temperature: 0.2, stream });

let keyless: LlmServer | undefined;
afterEach(async () => {
  expect([...(await closeHarnesses()), ...(keyless?.problems ?? [])]).toEqual([]);
  await keyless?.close();
  keyless = undefined;
});

describe('Ollama', () => {
  it.each([false, true])('plans, then writes the app over /api/chat (stream: %s)', async (stream) => {
    const h = await harness('ollama', { stream });
    h.server.reply({ fixture: 'ollama/plan.json' }, { fixture: 'ollama/files.json' });
    const plan = await h.generator.plan({ description: APP.description });
    expect(readModelPlan(plan)).toEqual(PLAN);
    expect((await h.generator.generate(plan, APP)).files).toEqual(GUESTBOOK);

    expect(h.server.requests.map((r) => r.path)).toEqual(['/api/chat', '/api/chat']);
    const sent = h.server.requests[0]!;
    expect(sent.headers.authorization).toBe(`Bearer ${KEYS.ollama}`);
    expect(sent.body).toMatchObject({ model: 'planner-model', stream, options: { num_predict: 16000, temperature: 0.2 } });
    expect(sent.body.messages[0]).toMatchObject({ role: 'system', content: expect.stringContaining('calling the `submit_plan` tool exactly once') });
    expect(sent.body.tools).toEqual([expect.objectContaining({ type: 'function', function: expect.objectContaining({ name: 'submit_plan' }) })]);
    // Ollama says `stop` after tool calls; the provider package reports them as `tool_calls`.
    expect(h.usage.map((u) => [u.stage, u.provider, u.stopReason, u.inputTokens, u.outputTokens])).toEqual([
      ['plan', 'ollama', 'tool_calls', 3620, 230],
      ['generate', 'ollama', 'tool_calls', 3620, 1480],
    ]);
  });

  it('speaks to a local Ollama without any key', async () => {
    keyless = await startLlmServer({ format: 'ollama', apiKey: '' });
    const chat = createChatProvider({ provider: 'ollama', baseUrl: keyless.url });
    keyless.reply({ fixture: 'ollama/plan.json' });
    expect((await chat.complete(request(true))).tool).toEqual({ name: 'submit_plan', input: PLAN });
    expect(keyless.requests[0]!.headers.authorization).toBeUndefined();
  });

  it('waits as long as retry-after asks after a 429, then succeeds', async () => {
    const h = await harness('ollama');
    const retries: RetryNotice[] = [];
    const chat = createChatProvider({ provider: 'ollama', baseUrl: h.server.url, apiKey: KEYS.ollama, retry: { attempts: 3, baseDelayMs: 5, maxDelayMs: 20 }, onRetry: (n) => retries.push(n) });
    h.server.reply({ status: 429, headers: { 'retry-after': '1' }, fixture: 'ollama/error-429.json' }, { fixture: 'ollama/plan.json' });
    const started = Date.now();
    const result = await chat.complete(request(false));
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(result.attempts).toBe(2);
    expect(retries).toEqual([{ provider: 'ollama', status: 429, attempt: 1, delayMs: 1000, reason: `Ollama at ${h.server.url}: HTTP 429: too many concurrent requests, please retry later` }]);
  });

  it('names Ollama and the key variable when a proxy refuses the key, never the key', async () => {
    const h = await harness('ollama');
    const wrong = 'ollama-wrong-key-8c7b6a5d4e3f';
    const chat = createChatProvider({ provider: 'ollama', baseUrl: h.server.url, apiKey: wrong });
    const error = (await chat.complete(request(true)).catch((e: unknown) => e)) as ConfigError;
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toBe(`Ollama at ${h.server.url} rejected the API key (HTTP 401); set OLLAMA_API_KEY to a valid key`);
    expect(`${error.message} ${error.hint} ${String(error.stack)}`).not.toContain('8c7b6a5d');
  });
});
