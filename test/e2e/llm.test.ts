import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempHome } from '../support/cli.ts';
import { readFixture, startLlmServer, type LlmServer } from '../support/llm-server.ts';

const KEY = 'sk-local-test-key-0123456789';
let server: LlmServer;

beforeAll(async () => {
  server = await startLlmServer({ format: 'openai', apiKey: KEY });
});
afterAll(async () => {
  await server?.close();
});

/** The recorded files answer, with server.js replaced: an app that crashes when it starts. */
function crashingFiles(message: string) {
  const completion = readFixture('openai/files.json');
  const call = completion.choices[0].message.tool_calls[0];
  const args = JSON.parse(call.function.arguments);
  for (const file of args.files) if (file.path === 'server.js') file.content = `throw new Error(${JSON.stringify(message)});\n`;
  call.function.arguments = JSON.stringify(args);
  return completion;
}

function home() {
  const opts = tempHome('slipway-llm-');
  writeFileSync(join(opts.cwd, 'slipway.yaml'), 'local:\n  runtime: process\n');
  return { ...opts, env: { SLIPWAY_LLM_BASE_URL: server.url, SLIPWAY_LLM_API_KEY: KEY, SLIPWAY_LLM_MODEL: 'gpt-4.1' } };
}

describe('slipway create with an OpenAI-compatible model', () => {
  it('plans, generates, verifies, then builds and ships the app like a template', async () => {
    server.reply({ fixture: 'openai/plan.json' }, { fixture: 'openai/files.json' });
    const opts = home();
    const result = await runCli(['create', 'a guestbook where visitors leave messages', '--name', 'guestbook', '--json'], opts);
    expect(result.code, result.stdout + result.stderr).toBe(0);
    const report = JSON.parse(result.stdout);
    try {
      expect(report.generator).toMatch(/openai-compatible/);
      expect(report.status).toBe('succeeded');
      expect(server.problems).toEqual([]);
      expect(server.requests.map((r) => r.path)).toEqual(['/v1/chat/completions', '/v1/chat/completions']);
      expect(JSON.stringify(report)).not.toContain(KEY);
      const provenance = execFileSync('git', ['--git-dir', join(opts.home, 'git', 'apps.git'), 'show', 'main:guestbook/SLIPWAY.md'], { encoding: 'utf8' });
      expect(provenance).toContain('openai-compatible');
      expect(provenance).toContain('gpt-4.1');
      expect((await fetch(report.url)).status).toBe(200);
    } finally {
      await runCli(['delete', 'guestbook'], opts);
    }
  });

  it('repairs an app that crashes at start on the second attempt, keeping both attempts', async () => {
    server.requests.length = 0;
    server.reply({ fixture: 'openai/plan.json' }, { body: crashingFiles('boom: DATA_DIR misread') }, { fixture: 'openai/repair.json' });
    const opts = home();
    const result = await runCli(['create', 'a guestbook', '--name', 'guestbook-fixed', '--json'], opts);
    expect(result.code, result.stdout + result.stderr).toBe(0);
    const report = JSON.parse(result.stdout);
    try {
      expect(server.requests).toHaveLength(3);
      // The repair request carried the crash the sandbox saw.
      expect(JSON.stringify(server.requests[2]!.body)).toContain('boom: DATA_DIR misread');
      const runs = JSON.parse((await runCli(['runs', 'guestbook-fixed', '--json'], opts)).stdout);
      expect(runs[0].timeline.find((s: { stepId: string }) => s.stepId === 'source:verify').status).toBe('succeeded');
      const provenance = execFileSync('git', ['--git-dir', join(opts.home, 'git', 'apps.git'), 'show', 'main:guestbook-fixed/SLIPWAY.md'], { encoding: 'utf8' });
      expect(provenance).toMatch(/attempt/i);
      expect((await fetch(report.url)).status).toBe(200);
    } finally {
      await runCli(['delete', 'guestbook-fixed'], opts);
    }
  });

  it('fails cleanly after 3 attempts when the model never repairs the app, naming the last error', async () => {
    server.requests.length = 0;
    server.reply({ fixture: 'openai/plan.json' }, { body: crashingFiles('boom 1') }, { body: crashingFiles('boom 2') }, { body: crashingFiles('boom 3') });
    const opts = home();
    const result = await runCli(['create', 'a guestbook', '--name', 'guestbook-broken', '--json'], opts);
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout);
    expect(report.error.stepId).toBe('source:verify');
    expect(report.error.message).toMatch(/after 3 attempts.*boom 3/s);
    const runs = JSON.parse((await runCli(['runs', 'guestbook-broken', '--json'], opts)).stdout);
    expect(runs[0].error.details.attempts).toHaveLength(3);
    // Nothing was committed for an app that never worked.
    expect(() => execFileSync('git', ['--git-dir', join(opts.home, 'git', 'apps.git'), 'rev-parse', 'main'], { stdio: 'pipe' })).toThrow();
  });

  it('says so and uses the templates when no provider is configured', async () => {
    const opts = tempHome('slipway-llm-');
    writeFileSync(join(opts.cwd, 'slipway.yaml'), 'local:\n  runtime: process\n');
    const result = await runCli(['create', 'a pomodoro timer', '--name', 'plain-timer'], opts);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('no model provider configured: using the offline templates');
    await runCli(['delete', 'plain-timer'], opts);
  });
});

describe('slipway create with Ollama and Gemini', () => {
  it('generates with a local Ollama found through OLLAMA_HOST, with no key', async () => {
    const ollama = await startLlmServer({ format: 'ollama', apiKey: '' });
    try {
      ollama.reply({ fixture: 'ollama/plan.json' }, { fixture: 'ollama/files.json' });
      const opts = tempHome('slipway-llm-');
      writeFileSync(join(opts.cwd, 'slipway.yaml'), 'local:\n  runtime: process\n');
      const env = { OLLAMA_HOST: ollama.url.replace('http://', ''), SLIPWAY_LLM_MODEL: 'qwen2.5-coder:14b' };
      const result = await runCli(['create', 'a guestbook where visitors leave messages', '--name', 'guestbook-ollama', '--json'], { ...opts, env });
      expect(result.code, result.stdout + result.stderr).toBe(0);
      try {
        const report = JSON.parse(result.stdout);
        expect(report.generator).toMatch(/ollama/);
        expect(ollama.problems).toEqual([]);
        expect(ollama.requests.map((r) => [r.path, r.body.model])).toEqual([['/api/chat', 'qwen2.5-coder:14b'], ['/api/chat', 'qwen2.5-coder:14b']]);
        expect((await fetch(report.url)).status).toBe(200);
      } finally {
        await runCli(['delete', 'guestbook-ollama'], opts);
      }
    } finally {
      await ollama.close();
    }
  });

  it('names GEMINI_API_KEY when Gemini refuses the key, and never prints the key', async () => {
    const gemini = await startLlmServer({ format: 'google', apiKey: 'AIzaSy-right-key-0123456789' });
    try {
      const opts = tempHome('slipway-llm-');
      writeFileSync(join(opts.cwd, 'slipway.yaml'), `local:\n  runtime: process\nllm:\n  provider: google\n  baseUrl: ${gemini.url}\n`);
      const wrong = 'AIzaSy-wrong-key-7f6e5d4c3b2a';
      const result = await runCli(['create', 'a guestbook', '--name', 'guestbook-gemini'], { ...opts, env: { GEMINI_API_KEY: wrong } });
      // The plan step failed: a failed run (exit 1) that can be resumed once the key is fixed.
      expect(result.code, result.stdout + result.stderr).toBe(1);
      expect(result.stdout + result.stderr).toContain('failed at step app:plan: Google Gemini rejected the API key (HTTP 400, INVALID_ARGUMENT); set GEMINI_API_KEY to a valid key');
      expect(result.stdout + result.stderr).not.toContain('7f6e5d4c');
      expect(gemini.requests).toHaveLength(1);
      expect(gemini.problems).toEqual([]);
    } finally {
      await gemini.close();
    }
  });
});
