import { afterEach, describe, expect, it } from 'vitest';
import { readFixture } from '../../../../../../test/support/llm-server.ts';
import { ConfigError } from '../../../../../domain/index.ts';
import { APP, closeHarnesses, GUESTBOOK, harness, KEYS } from '../../llm-generator.test-support.ts';
import { readModelPlan } from '../../llm-generator.ts';
import { createChatProvider, type ChatRequest, type RetryNotice } from '../index.ts';

const PLAN = readFixture('google/plan.json').candidates[0].content.parts[0].functionCall.args;
const tool = { name: 'submit_plan', description: 'Submit the plan.', parameters: { type: 'object', properties: { name: { type: 'string' } }, required: ['name'], additionalProperties: false } };
const request = (stream: boolean): ChatRequest => ({ model: 'gemini-2.5-flash', system: 'You plan.', messages: [{ role: 'user', content: 'a guestbook' }], tool, maxTokens: 1000, temperature: 0.2, stream });

afterEach(async () => {
  expect(await closeHarnesses()).toEqual([]);
});

describe('Google Gemini', () => {
  it.each([false, true])('plans, then writes the app over generateContent (stream: %s)', async (stream) => {
    const h = await harness('google', { stream });
    h.server.reply({ fixture: 'google/plan.json' }, { fixture: 'google/files.json' });
    const plan = await h.generator.plan({ description: APP.description });
    expect(readModelPlan(plan)).toEqual(PLAN);
    expect((await h.generator.generate(plan, APP)).files).toEqual(GUESTBOOK);

    const action = stream ? 'streamGenerateContent?alt=sse' : 'generateContent';
    expect(h.server.requests.map((r) => r.path)).toEqual([`/v1beta/models/planner-model:${action}`, `/v1beta/models/coder-model:${action}`]);
    const sent = h.server.requests[0]!;
    expect(sent.headers['x-goog-api-key']).toBe(KEYS.google);
    expect(sent.body.toolConfig.functionCallingConfig).toEqual({ mode: 'ANY', allowedFunctionNames: ['submit_plan'] });
    expect(sent.body.systemInstruction.parts[0].text).toContain('calling the `submit_plan` tool exactly once');
    expect(sent.body.generationConfig).toMatchObject({ maxOutputTokens: 16000, temperature: 0.2 });
    expect(h.usage.map((u) => [u.stage, u.provider, u.model, u.stopReason, u.inputTokens, u.outputTokens])).toEqual([
      ['plan', 'google', 'planner-model', 'STOP', 3620, 230],
      ['generate', 'google', 'coder-model', 'STOP', 3620, 1480],
    ]);
  });

  it('waits as long as retry-after asks after a 429, then succeeds', async () => {
    const h = await harness('google');
    const retries: RetryNotice[] = [];
    const chat = createChatProvider({ provider: 'google', baseUrl: h.server.url, apiKey: KEYS.google, retry: { attempts: 3, baseDelayMs: 5, maxDelayMs: 20 }, onRetry: (n) => retries.push(n) });
    h.server.reply({ status: 429, headers: { 'retry-after': '1' }, fixture: 'google/error-429.json' }, { fixture: 'google/plan.json' });
    const started = Date.now();
    const result = await chat.complete(request(false));
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(result).toMatchObject({ attempts: 2, tool: { name: 'submit_plan', input: PLAN } });
    expect(retries).toEqual([{ provider: 'google', status: 429, attempt: 1, delayMs: 1000, reason: 'Google Gemini: HTTP 429 RESOURCE_EXHAUSTED: You exceeded your current quota, please check your plan and billing details.' }]);
  });

  it("waits for the RetryInfo delay in Gemini's 429 body when no header says", async () => {
    const h = await harness('google');
    const retries: RetryNotice[] = [];
    const chat = createChatProvider({ provider: 'google', baseUrl: h.server.url, apiKey: KEYS.google, retry: { attempts: 3, baseDelayMs: 5, maxDelayMs: 20 }, onRetry: (n) => retries.push(n) });
    const quota = readFixture('google/error-429.json');
    quota.error.details[0].retryDelay = '0.3s';
    h.server.reply({ status: 429, body: quota }, { fixture: 'google/plan.json' });
    expect((await chat.complete(request(true))).attempts).toBe(2);
    expect(retries.map((r) => r.delayMs)).toEqual([300]);
  });

  it('names Google Gemini and the key variable when the key is refused, never the key', async () => {
    const h = await harness('google');
    const wrong = 'AIzaSy-wrong-key-5e4d3c2b1a09';
    const chat = createChatProvider({ provider: 'google', baseUrl: h.server.url, apiKey: wrong, apiKeyEnv: 'GEMINI_API_KEY' });
    const error = (await chat.complete(request(true)).catch((e: unknown) => e)) as ConfigError;
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toBe('Google Gemini rejected the API key (HTTP 400, INVALID_ARGUMENT); set GEMINI_API_KEY to a valid key');
    expect(`${error.message} ${error.hint} ${String(error.stack)}`).not.toContain('5e4d3c2b');
    expect(h.server.requests).toHaveLength(1);
  });

  it('needs a key before it sends anything, naming GOOGLE_GENERATIVE_AI_API_KEY', () => {
    expect(() => createChatProvider({ provider: 'google' })).toThrow('no API key for google; set GOOGLE_GENERATIVE_AI_API_KEY');
  });
});
