/** Shared set-up for the LlmGenerator tests: the loopback model server and a generator pointed at it. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startLlmServer, type LlmServer, type LlmWireFormat } from '../../../../test/support/llm-server.ts';
import type { GeneratedFile } from '../../../domain/index.ts';
import { LlmGenerator, type LlmGeneratorEvent, type LlmGeneratorOptions } from './llm-generator.ts';
import type { LlmUsageEvent } from './model-call.ts';

const root = join(import.meta.dirname, '..', '..', '..', '..');
export const TEMPLATES_DIR = join(root, 'templates');
export const PROMPTS_DIR = join(root, 'prompts');
export const KEYS: Record<LlmWireFormat, string> = { openai: 'sk-test-openai-0123456789abcdef', anthropic: 'sk-ant-api03-test-0123456789abcdef', google: 'AIzaSy-test-google-0123456789abcdef', ollama: 'ollama-proxy-test-0123456789abcdef' };
export const MODELS = { planner: 'planner-model', coder: 'coder-model' };
export const APP = { name: 'guestbook', description: 'a guestbook where visitors leave a message' };

/** The guestbook the recorded answers contain, read from test/fixtures/llm/app. */
export const GUESTBOOK: GeneratedFile[] = ['package.json', 'public/app.js', 'public/index.html', 'server.js'].map((path) => ({
  path,
  content: readFileSync(join(root, 'test', 'fixtures', 'llm', 'app', path), 'utf8'),
}));

export interface Harness {
  server: LlmServer;
  generator: LlmGenerator;
  usage: LlmUsageEvent[];
  events: LlmGeneratorEvent[];
  /** The user message of the n-th request (0-based), whatever the wire format. */
  userMessage(n: number): string;
  /** The system prompt of the n-th request. */
  systemPrompt(n: number): string;
}

const open: LlmServer[] = [];

/** Starts a model server speaking `format` and a generator using it; stop with {@link closeHarnesses}. */
export async function harness(format: LlmWireFormat, options: Partial<LlmGeneratorOptions> = {}): Promise<Harness> {
  const server = await startLlmServer({ format, apiKey: KEYS[format] });
  open.push(server);
  const usage: LlmUsageEvent[] = [];
  const events: Harness['events'] = [];
  const generator = new LlmGenerator({
    provider: format,
    baseUrl: server.url,
    apiKey: KEYS[format],
    models: MODELS,
    templatesDir: TEMPLATES_DIR,
    promptsDir: PROMPTS_DIR,
    retry: { attempts: 3, baseDelayMs: 5, maxDelayMs: 20 },
    onUsage: (e) => usage.push(e),
    onEvent: (e) => events.push(e),
    ...options,
  });
  const body = (n: number) => {
    const request = server.requests[n];
    if (!request) throw new Error(`there was no request ${n}`);
    return request.body;
  };
  return {
    server,
    generator,
    usage,
    events,
    userMessage: (n) => text(body(n).messages.at(-1).content),
    systemPrompt: (n) => text(format === 'anthropic' ? body(n).system : body(n).messages[0].content),
  };
}

/** A message's text, whether sent as a string or (Anthropic) as text blocks. */
function text(content: string | { type: string; text?: string }[]): string {
  return typeof content === 'string' ? content : content.map((block) => block.text ?? '').join('');
}

/** Closes every server started by {@link harness}; returns the problems they saw in requests. */
export async function closeHarnesses(): Promise<string[]> {
  const problems = open.flatMap((s) => s.problems);
  await Promise.all(open.splice(0).map((s) => s.close()));
  return problems;
}
