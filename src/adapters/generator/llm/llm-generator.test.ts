import { afterEach, describe, expect, it } from 'vitest';
import { readFixture } from '../../../../test/support/llm-server.ts';
import { AppPlan, ConfigError, ExternalServiceError, InputError } from '../../../domain/index.ts';
import { startApp, stopAllApps, writeApp } from '../app-harness.ts';
import { LlmGenerator, readModelPlan } from './llm-generator.ts';
import { APP, closeHarnesses, GUESTBOOK, harness, KEYS, MODELS, PROMPTS_DIR, TEMPLATES_DIR } from './llm-generator.test-support.ts';

afterEach(async () => {
  await stopAllApps();
  expect(await closeHarnesses()).toEqual([]);
});

const PLAN_JSON = readFixture('anthropic/plan.json').content[0].input;

describe.each(['openai', 'anthropic'] as const)('a clean run with %s', (format) => {
  it.each([false, true])('plans, then writes the app (stream: %s)', async (stream) => {
    const h = await harness(format, { stream });
    h.server.reply({ fixture: `${format}/plan.json` }, { fixture: `${format}/files.json` });

    const plan = await h.generator.plan({ description: APP.description });
    expect(plan).toMatchObject({
      runtime: 'node', title: PLAN_JSON.title, summary: PLAN_JSON.summary, features: PLAN_JSON.features, routes: PLAN_JSON.apiRoutes,
      template: { id: 'notes-api', version: '1.0.1', chosenBy: 'model', score: null, matched: [], candidates: [], params: {} },
      generator: { kind: 'model', model: 'planner-model', prompts: { planner: 'planner.v2', coder: 'coder.v2', repair: 'repair.v1' } },
    });
    expect(AppPlan.parse(JSON.parse(JSON.stringify(plan)))).toEqual(plan);
    expect(readModelPlan(plan)).toEqual(PLAN_JSON);

    const app = await h.generator.generate(plan, APP);
    expect(app.files).toEqual(GUESTBOOK);
    expect(app.spec).toEqual({ ...APP, template: 'notes-api', templateVersion: '1.0.1', runtime: 'node', port: 8080, persistent: true, command: ['node', 'server.js'] });

    const [planning, coding] = h.server.requests.map((r) => r.body);
    expect(planning.model).toBe('planner-model');
    expect(coding.model).toBe('coder-model');
    expect(h.systemPrompt(0)).toContain('calling the `submit_plan` tool exactly once');
    expect(h.userMessage(0)).toContain(`<request>\n${APP.description}\n</request>`);
    expect(h.userMessage(0)).toContain('- notes-api (node, keeps data)');
    // The coder sees the plan and the closest template's files as its example, limits filled in.
    expect(h.systemPrompt(1)).toContain('At most\n    40 files and 512 KiB');
    expect(h.userMessage(1)).toContain('"apiRoutes"');
    expect(h.userMessage(1)).toContain('``` server.js\n// Notes: a small JSON API');
    expect(h.usage.map((u) => [u.stage, u.call, u.model])).toEqual([
      ['plan', 'initial', format === 'openai' ? 'gpt-4.1-2025-04-14' : 'claude-sonnet-4-5-20250929'],
      ['generate', 'initial', format === 'openai' ? 'gpt-4.1-2025-04-14' : 'claude-sonnet-4-5-20250929'],
    ]);
    expect(h.usage[1]).toMatchObject({ outputTokens: 1480, attempts: 1 });
    expect(h.events).toEqual([]);
  });
});

describe('what comes back runs', () => {
  it('as a real app: healthz, an API and data in $DATA_DIR', async () => {
    const h = await harness('openai');
    h.server.reply({ fixture: 'openai/plan.json' }, { fixture: 'openai/files.json' });
    const { files } = await h.generator.generate(await h.generator.plan({ description: APP.description }), APP);
    const dir = await writeApp(files);
    const running = await startApp(dir, { DATA_DIR: `${dir}/data` });
    const posted = await fetch(`${running.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"name":"Ada","text":"hello"}' });
    expect(posted.status).toBe(201);
    expect(await (await fetch(`${running.url}/api/messages`)).json()).toEqual([expect.objectContaining({ name: 'Ada', text: 'hello' })]);
  });
});

describe('answers that are not a clean tool call', () => {
  it.each(['openai', 'anthropic'] as const)('recovers the JSON from prose around it (%s)', async (format) => {
    const h = await harness(format, { stream: true });
    h.server.reply({ fixture: `${format}/files-prose.json` });
    const app = await h.generator.generate(plan(), APP);
    expect(app.files).toEqual(GUESTBOOK);
    expect(h.events).toEqual([{ type: 'recovered', stage: 'generate', how: 'json-in-text' }]);
  });

  it('recovers files written as a markdown reply, and records that it did', async () => {
    const h = await harness('openai');
    h.server.reply({ fixture: 'openai/files-markdown.json' });
    const app = await h.generator.generate(plan(), APP);
    expect(app.files).toEqual(GUESTBOOK);
    expect(h.events).toEqual([{ type: 'recovered', stage: 'generate', how: 'markdown' }]);
  });

  it('asks once more after free text, then fails rather than take text as code', async () => {
    const h = await harness('openai');
    const chatter = { body: { ...readFixture('openai/files-prose.json'), choices: [{ index: 0, message: { role: 'assistant', content: 'I would use Express and React for this.' }, finish_reason: 'stop' }] } };
    h.server.reply(chatter, chatter);
    const error = await h.generator.generate(plan(), APP).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ExternalServiceError);
    expect((error as Error).message).toBe('OpenAI: the generate answer could not be used twice in a row: it answered in text without calling the tool, and no usable JSON was in the text');
    expect(h.server.requests).toHaveLength(2);
    expect(h.userMessage(1)).toContain('Your previous answer could not be used');
    expect(h.events).toEqual([{ type: 'correction', stage: 'generate', problem: expect.stringContaining('without calling the tool') }]);
  });

  it('accepts the corrected answer after one unusable one', async () => {
    const h = await harness('anthropic');
    h.server.reply({ body: { ...readFixture('anthropic/files.json'), content: [{ type: 'tool_use', id: 'toolu_1', name: 'write_files', input: { files: 'everything' } }] } }, { fixture: 'anthropic/files.json' });
    expect((await h.generator.generate(plan(), APP)).files).toEqual(GUESTBOOK);
    expect(h.usage.map((u) => u.call)).toEqual(['initial', 'correction']);
  });
});

describe('answers cut off at the output limit', () => {
  it('keeps the complete files and asks for the rest (OpenAI, streaming)', async () => {
    const h = await harness('openai', { stream: true });
    h.server.reply({ fixture: 'openai/files-length-1.json' }, { fixture: 'openai/files-rest.json' });
    const app = await h.generator.generate(plan(), APP);
    expect(app.files).toEqual(GUESTBOOK);
    expect(h.events).toEqual([{ type: 'continuation', stage: 'generate', complete: 1, partialPath: 'server.js' }]);
    expect(h.userMessage(1)).toContain('cut off at the output limit');
    expect(h.userMessage(1)).toContain('<written>\n``` package.json\n{\n  "name": "guestbook"');
    expect(h.userMessage(1)).toContain('It stopped inside server.js');
    expect(h.usage.map((u) => [u.call, u.stopReason])).toEqual([['initial', 'length'], ['continuation', 'tool_calls']]);
  });

  it('continues a recorded Anthropic stream cut at max_tokens', async () => {
    const h = await harness('anthropic', { stream: true });
    h.server.reply({ fixture: 'anthropic/files-length.sse' }, { fixture: 'anthropic/files-rest.json' });
    expect((await h.generator.generate(plan(), APP)).files).toEqual(GUESTBOOK);
    expect(h.events).toEqual([{ type: 'continuation', stage: 'generate', complete: 1, partialPath: 'server.js' }]);
  });

  it('never keeps the last file of a cut-off parsed answer (Anthropic, not streaming)', async () => {
    const h = await harness('anthropic', { stream: false });
    h.server.reply({ fixture: 'anthropic/files-truncated.json' }, { fixture: 'anthropic/files-rest.json' });
    expect((await h.generator.generate(plan(), APP)).files).toEqual(GUESTBOOK);
    expect(h.events).toEqual([{ type: 'continuation', stage: 'generate', complete: 1, partialPath: 'server.js' }]);
    const written = /<written>([\s\S]*)<\/written>/.exec(h.userMessage(1))![1];
    expect(written).toContain('``` package.json');
    expect(written).not.toContain('``` server.js');
  });

  it('fails with "truncated output" once the continuations allowed are used up', async () => {
    const h = await harness('openai', { maxContinuations: 2, maxTokens: 16000 });
    h.server.reply({ fixture: 'openai/files-length-1.json' }, { fixture: 'openai/files-length-2.json' }, { fixture: 'openai/files-length-3.json' }, { fixture: 'openai/files-rest.json' });
    const error = await h.generator.generate(plan(), APP).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ExternalServiceError);
    expect((error as Error).message).toBe(
      'OpenAI: truncated output: the generate answer stopped at the output limit (16000 tokens) 3 times; 3 files were complete (package.json, server.js, public/index.html)',
    );
    expect((error as ExternalServiceError).hint).toMatch(/Raise maxTokens/);
    expect(h.server.requests).toHaveLength(3);
    h.server.reply(); // the fourth reply stays unused
    expect(h.server.pending()).toBe(1);
  });

  it('fails at once when a cut-off answer holds no complete file', async () => {
    const h = await harness('openai', { maxContinuations: 5 });
    const cut = readFixture('openai/files-length-1.json');
    cut.choices[0].message.tool_calls[0].function.arguments = '{"files":[{"path":"server.js","content":"import';
    h.server.reply({ body: cut });
    await expect(h.generator.generate(plan(), APP)).rejects.toThrow(/truncated output: .* once$/);
    expect(h.server.requests).toHaveLength(1);
  });
});

describe('guardrails on what comes back', () => {
  it('refuses unsafe paths, each with its reason', async () => {
    const h = await harness('openai');
    h.server.reply({ fixture: 'openai/files-unsafe.json' });
    const error = await h.generator.generate(plan(), APP).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect((error as Error).message).toBe([
      'refused the generated app:',
      "- ../x: it climbs out of the app directory with '..'",
      '- /etc/passwd: it is absolute; paths must be relative to the app directory',
      '- .git/config: it writes inside .git',
      '- .env: a .env file holds secrets; configuration comes from the environment Slipway sets',
    ].join('\n'));
  });

  it('refuses secrets in code and a Dockerfile that runs as root', async () => {
    const h = await harness('openai');
    h.server.reply({ fixture: 'openai/files-secrets.json' });
    await expect(h.generator.generate(plan(), APP)).rejects.toThrow([
      'refused the generated app:',
      '- server.js: line 1 holds an AWS access key id; read secrets from the environment instead',
      '- Dockerfile: it never switches to a non-root USER; add e.g. `USER node` (uid 1000) before CMD',
    ].join('\n'));
  });
});

describe('planning', () => {
  it('retries a 429 and then plans', async () => {
    const h = await harness('openai');
    h.server.reply({ status: 429, headers: { 'retry-after-ms': '10' }, fixture: 'openai/error-429.json' }, { fixture: 'openai/plan.json' });
    expect((await h.generator.plan({ description: APP.description })).template.id).toBe('notes-api');
    expect(h.events).toEqual([expect.objectContaining({ type: 'retry', status: 429, attempt: 1, delayMs: 10 })]);
    expect(h.usage[0]).toMatchObject({ attempts: 2 });
  });

  it('keeps a template the person chose, and fixes a name that is no DNS label', async () => {
    const h = await harness('anthropic');
    h.server.reply({ body: { ...readFixture('anthropic/plan.json'), content: [{ type: 'tool_use', id: 't', name: 'submit_plan', input: { ...PLAN_JSON, name: 'Guest Book!' } }] } });
    const plan = await h.generator.plan({ description: APP.description, template: 'form' });
    expect(plan.template).toMatchObject({ id: 'form', chosenBy: 'flag' });
    expect(readModelPlan(plan)).toMatchObject({ name: 'guest-book', template: 'form' });
    expect(h.userMessage(0)).toContain('The person chose the template "form"');
  });

  it('refuses an unknown template before asking any model', async () => {
    const h = await harness('openai');
    await expect(h.generator.plan({ description: 'x', template: 'nope' })).rejects.toThrow(InputError);
    expect(h.server.requests).toHaveLength(0);
  });

  it.each([['openai', 'OPENAI_API_KEY'], ['anthropic', 'ANTHROPIC_API_KEY']] as const)('names %s’s key variable on a 401, without the key', async (format, variable) => {
    const h = await harness(format, { apiKey: 'bad-key-55443322110099' });
    const error = await h.generator.plan({ description: APP.description }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toContain(`set ${variable} to a valid key`);
    expect(JSON.stringify({ m: (error as Error).message, h: (error as ConfigError).hint })).not.toContain('55443322');
  });
});

describe('the generator itself', () => {
  it('reports its provider, models and prompt versions', () => {
    const generator = new LlmGenerator({ provider: 'anthropic', apiKey: KEYS.anthropic, models: MODELS, templatesDir: TEMPLATES_DIR, promptsDir: PROMPTS_DIR });
    expect(generator.info).toEqual({ kind: 'llm', provider: 'anthropic', models: MODELS, prompts: { planner: 'planner.v2', coder: 'coder.v2', repair: 'repair.v1', change: 'change.v1' } });
  });

  it('sends no temperature when it is set to null (reasoning models refuse one)', async () => {
    const h = await harness('openai', { temperature: null });
    h.server.reply({ fixture: 'openai/plan.json' });
    await h.generator.plan({ description: APP.description });
    expect(h.server.requests[0]!.body).not.toHaveProperty('temperature');
  });

  it('fails at once without a key, naming the variable', () => {
    expect(() => new LlmGenerator({ provider: 'openai', models: MODELS, templatesDir: TEMPLATES_DIR, promptsDir: PROMPTS_DIR })).toThrow('no API key for openai; set OPENAI_API_KEY');
    expect(() => new LlmGenerator({ provider: 'openai-compatible', models: MODELS, templatesDir: TEMPLATES_DIR, promptsDir: PROMPTS_DIR })).toThrow(/needs a base URL/);
  });
});

function plan() {
  return AppPlan.parse({ source: 'llm', template: 'notes-api', templateVersion: '1.0.0', runtime: 'node', score: null, matched: [], candidates: [], params: { plan: JSON.stringify(PLAN_JSON) } });
}
