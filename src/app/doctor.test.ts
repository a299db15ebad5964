import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PROVIDERS } from '../adapters/generator/llm/providers/registry.ts';
import { loadConfig, type ResolvedConfig } from '../config/index.ts';
import { llmCheck } from './doctor.ts';

const dir = mkdtempSync(join(tmpdir(), 'slipway-doctor-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function configWith(text: string): ResolvedConfig {
  writeFileSync(join(dir, 'slipway.yaml'), text);
  return loadConfig({ env: { SLIPWAY_CONFIG: join(dir, 'slipway.yaml'), SLIPWAY_HOME: join(dir, 'home') }, cwd: dir, homedir: dir });
}

describe('doctor\'s model line', () => {
  const plain = configWith('target: local\n');

  it('suggests every registered provider, by its variables and name, when none is configured', () => {
    const check = llmCheck(plain, {});
    expect(check).toMatchObject({ name: 'model', status: 'ok', detail: 'none configured: apps come from the offline templates' });
    expect(PROVIDERS).toHaveLength(5);
    for (const provider of PROVIDERS) {
      expect(check.fix).toContain(provider.label);
      for (const variable of provider.detectEnv) expect(check.fix).toContain(variable);
    }
    expect(check.fix).toBe(
      'To generate apps with a model, set one of SLIPWAY_LLM_BASE_URL (model endpoint), ANTHROPIC_API_KEY (Anthropic), OPENAI_API_KEY (OpenAI), GOOGLE_GENERATIVE_AI_API_KEY/GEMINI_API_KEY (Google Gemini), OLLAMA_HOST (Ollama).',
    );
  });

  it.each([
    ['OpenAI, at its own API', { OPENAI_API_KEY: 'sk-test' }, 'openai at https://api.openai.com'],
    ['Anthropic, at its own API', { ANTHROPIC_API_KEY: 'sk-ant-test' }, 'anthropic at https://api.anthropic.com'],
    ['Gemini, by either key variable', { GEMINI_API_KEY: 'g-test' }, 'google at https://generativelanguage.googleapis.com'],
    ['Ollama, at OLLAMA_HOST', { OLLAMA_HOST: '10.0.0.5:11434' }, 'ollama at http://10.0.0.5:11434'],
    ['an OpenAI-compatible server, without the credentials in its URL', { SLIPWAY_LLM_BASE_URL: 'http://me:hunter2@127.0.0.1:8000' }, 'openai-compatible at http://***@127.0.0.1:8000'],
  ])('names %s', (_name, env, detail) => {
    expect(llmCheck(plain, env)).toEqual({ name: 'model', status: 'ok', detail });
  });

  it('shows the base URL slipway.yaml gives over the provider\'s default', () => {
    const config = configWith('target: local\nllm:\n  provider: ollama\n  baseUrl: http://gpu.lan:11434\n');
    expect(llmCheck(config, {}).detail).toBe('ollama at http://gpu.lan:11434');
  });
});
