import { afterEach, describe, expect, it } from 'vitest';
import { startLlmServer, type LlmServer } from '../../../../../test/support/llm-server.ts';
import { CancelledError } from '../../../../domain/index.ts';
import { createChatProvider, ModelServiceError, providerError, scrub, type ChatRequest } from './index.ts';

const KEY = 'sk-test-openai-0123456789abcdef';
const tool = { name: 'submit_plan', description: 'Submit.', parameters: { type: 'object', properties: {}, required: [], additionalProperties: false } };
const request = (signal?: AbortSignal): ChatRequest => ({ model: 'm', system: 's', messages: [{ role: 'user', content: 'u' }], tool, maxTokens: 10, stream: false, signal });

let server: LlmServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('transport', () => {
  it('bounds each request with a timeout, without retrying it', async () => {
    server = await startLlmServer({ format: 'openai', apiKey: KEY });
    const chat = createChatProvider({ provider: 'openai', baseUrl: server.url, apiKey: KEY, timeoutMs: 150, retry: { attempts: 3, baseDelayMs: 1, maxDelayMs: 1 } });
    server.reply({ fixture: 'openai/plan.json', delayMs: 1000 });
    const error = await chat.complete(request()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelServiceError);
    expect((error as Error).message).toBe('OpenAI: did not finish answering within 150 ms');
    expect(server.requests).toHaveLength(1);
  });

  it('stops at once when the caller cancels', async () => {
    server = await startLlmServer({ format: 'openai', apiKey: KEY });
    const chat = createChatProvider({ provider: 'openai', baseUrl: server.url, apiKey: KEY });
    server.reply({ fixture: 'openai/plan.json', delayMs: 1000 });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    await expect(chat.complete(request(controller.signal))).rejects.toBeInstanceOf(CancelledError);
  });

  it('retries a refused connection, then says the endpoint is unreachable', async () => {
    server = await startLlmServer({ format: 'openai', apiKey: KEY });
    const url = server.url;
    await server.close();
    server = undefined;
    const notices: number[] = [];
    const chat = createChatProvider({ provider: 'openai-compatible', baseUrl: url, retry: { attempts: 2, baseDelayMs: 1, maxDelayMs: 1 }, onRetry: (n) => notices.push(n.attempt) });
    await expect(chat.complete(request())).rejects.toThrow(`the model endpoint at ${url}: the connection failed (ECONNREFUSED) (gave up after 2 attempts)`);
    expect(notices).toEqual([1]);
  });

  it('refuses a base URL carrying credentials', () => {
    expect(() => createChatProvider({ provider: 'openai-compatible', baseUrl: 'http://user:pw@127.0.0.1:1' })).toThrow('must not carry credentials');
  });
});

describe('provider error bodies', () => {
  it('reads OpenAI, Anthropic, Gemini, Ollama and HTML error bodies', () => {
    expect(providerError('{"error":{"code":429,"message":"Resource exhausted","status":"RESOURCE_EXHAUSTED"}}')).toEqual({ message: 'Resource exhausted', type: 'RESOURCE_EXHAUSTED' });
    expect(providerError('{"error":{"message":"m","type":"t","code":"c"}}')).toEqual({ message: 'm', type: 'c' });
    expect(providerError('{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}')).toEqual({ message: 'Overloaded', type: 'overloaded_error' });
    expect(providerError('{"error":"model \\"llama3\\" not found"}')).toEqual({ message: 'model "llama3" not found' });
    expect(providerError('<html><body><h1>502 Bad Gateway</h1></body></html>')).toEqual({ message: '502 Bad Gateway' });
    expect(providerError('')).toEqual({});
  });

  it('blanks the key and token-shaped words out of echoed text', () => {
    expect(scrub(`bad key ${KEY} and sk-proj-****abcd and ghp_abcdefghijklmnop`, KEY)).toBe('bad key [redacted] and [redacted] and [redacted]');
  });
});
