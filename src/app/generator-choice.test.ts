import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { TemplateGenerator } from '../adapters/generator/template-generator.ts';
import { loadConfig } from '../config/index.ts';
import { ConfigError } from '../domain/index.ts';
import { baseUrlFromEnv, chooseGenerator, llmProvider } from './generator-choice.ts';

const root = join(import.meta.dirname, '..', '..');
const silent = pino({ level: 'silent' });

function configWith(yaml?: string) {
  const cwd = mkdtempSync(join(tmpdir(), 'slipway-choice-'));
  if (yaml) writeFileSync(join(cwd, 'slipway.yaml'), yaml);
  return loadConfig({ env: {}, cwd, homedir: cwd });
}

describe('llmProvider', () => {
  it.each([
    [{}, undefined],
    [{ OPENAI_API_KEY: 'k' }, 'openai'],
    [{ OPENAI_API_KEY: 'k', ANTHROPIC_API_KEY: 'k' }, 'anthropic'],
    [{ ANTHROPIC_API_KEY: 'k', SLIPWAY_LLM_BASE_URL: 'http://127.0.0.1:8000' }, 'openai-compatible'],
    [{ GEMINI_API_KEY: 'k' }, 'google'],
    [{ GOOGLE_GENERATIVE_AI_API_KEY: 'k' }, 'google'],
    [{ OPENAI_API_KEY: 'k', GEMINI_API_KEY: 'k' }, 'openai'],
    [{ OLLAMA_HOST: '127.0.0.1:11434' }, 'ollama'],
  ])('picks from the environment %j → %s', (env, expected) => {
    expect(llmProvider(configWith(), env)).toBe(expected);
  });

  it('follows slipway.yaml before the environment, and a base URL alone means a compatible server', () => {
    expect(llmProvider(configWith('llm:\n  provider: ollama\n'), { OPENAI_API_KEY: 'k' })).toBe('ollama');
    expect(llmProvider(configWith('llm:\n  baseUrl: http://vllm.lan:8000\n'), { OPENAI_API_KEY: 'k' })).toBe('openai-compatible');
  });

  it('refuses a provider it does not know, listing the registered ones', () => {
    expect(() => configWith('llm:\n  provider: mistral\n')).toThrow(ConfigError);
    expect(() => configWith('llm:\n  provider: mistral\n')).toThrow(/openai.*anthropic.*openai-compatible.*google.*ollama/);
  });
});

describe('baseUrlFromEnv', () => {
  it('reads OLLAMA_HOST with or without a scheme, and SLIPWAY_LLM_BASE_URL for compatible servers', () => {
    expect(baseUrlFromEnv('ollama', { OLLAMA_HOST: '10.0.0.5:11434' })).toBe('http://10.0.0.5:11434');
    expect(baseUrlFromEnv('ollama', { OLLAMA_HOST: 'https://ollama.lan' })).toBe('https://ollama.lan');
    expect(baseUrlFromEnv('ollama', {})).toBeUndefined();
    expect(baseUrlFromEnv('openai-compatible', { SLIPWAY_LLM_BASE_URL: 'http://127.0.0.1:8000' })).toBe('http://127.0.0.1:8000');
    expect(baseUrlFromEnv('google', { SLIPWAY_LLM_BASE_URL: 'http://127.0.0.1:8000' })).toBeUndefined();
  });
});

describe('chooseGenerator', () => {
  const templates = new TemplateGenerator({ templatesDir: join(root, 'templates') });
  const choose = (env: Record<string, string>, yaml?: string) => chooseGenerator(configWith(yaml), env, templates, root, silent);

  it('names the variables that select a provider when none is set', async () => {
    const { description } = await choose({});
    expect(description).toBe('no model provider configured: using the offline templates (set one of SLIPWAY_LLM_BASE_URL, ANTHROPIC_API_KEY, OPENAI_API_KEY, GOOGLE_GENERATIVE_AI_API_KEY, GEMINI_API_KEY, OLLAMA_HOST to generate with a model)');
  });

  it("uses Gemini's default models with GEMINI_API_KEY", async () => {
    const { description, generator } = await choose({ GEMINI_API_KEY: 'AIza-test-0123456789' });
    expect(description).toBe('generating with google (planner gemini-2.5-flash, coder gemini-2.5-pro)');
    expect(generator.info).toMatchObject({ kind: 'llm', provider: 'google' });
  });

  it('asks for model names for Ollama, which has no default models', async () => {
    await expect(choose({ OLLAMA_HOST: '127.0.0.1:11434' })).rejects.toThrow('Ollama needs model names');
    const { description } = await choose({ OLLAMA_HOST: '127.0.0.1:11434', SLIPWAY_LLM_MODEL: 'qwen2.5-coder:14b' });
    expect(description).toBe('generating with ollama (planner qwen2.5-coder:14b, coder qwen2.5-coder:14b)');
  });

  it('fails early when the chosen hosted provider has no key, naming its variable', async () => {
    await expect(choose({}, 'llm:\n  provider: google\n')).rejects.toThrow('no API key for google; set GOOGLE_GENERATIVE_AI_API_KEY');
  });
});
