import { afterEach, describe, expect, it } from 'vitest';
import { openAiFilesAnswer, readFixture } from '../../../../test/support/llm-server.ts';
import { AppPlan, ExternalServiceError, InputError, type AppSpec } from '../../../domain/index.ts';
import { startApp, stopAllApps, writeApp } from '../app-harness.ts';
import { APP, closeHarnesses, GUESTBOOK, harness } from './llm-generator.test-support.ts';

afterEach(async () => {
  await stopAllApps();
  expect(await closeHarnesses()).toEqual([]);
});

const PLAN = AppPlan.parse({ source: 'llm', template: 'notes-api', templateVersion: '1.0.0', runtime: 'node', score: null, matched: [], candidates: [], params: { plan: JSON.stringify(readFixture('anthropic/plan.json').content[0].input) } });
const SPEC: AppSpec = { ...APP, template: 'notes-api', templateVersion: '1.0.0', runtime: 'node', port: 8080, persistent: true, command: ['node', 'server.js'] };
const CURRENT = { spec: SPEC, files: GUESTBOOK };
const page = GUESTBOOK.find((f) => f.path === 'public/index.html')!.content;
const REQUEST = 'call it "Visitors\' Book" in the heading';

describe('change', () => {
  it('sends the request and every current file, and lays the changed file over the others', async () => {
    const h = await harness('openai');
    const edited = page.replace('<h1>Guestbook</h1>', "<h1>Visitors' Book</h1>");
    h.server.reply({ body: openAiFilesAnswer({ files: [{ path: 'public/index.html', content: edited }] }) });
    const changed = await h.generator.change(PLAN, APP, CURRENT, REQUEST);

    expect(changed.files.map((f) => f.path)).toEqual(GUESTBOOK.map((f) => f.path));
    expect(changed.files.find((f) => f.path === 'public/index.html')!.content).toBe(edited);
    expect(changed.files.filter((f) => f.path !== 'public/index.html')).toEqual(GUESTBOOK.filter((f) => f.path !== 'public/index.html'));
    // The model now stands behind the app: a later offline change must not re-render it.
    expect(changed.plan.generator).toMatchObject({ kind: 'model', model: 'coder-model', prompts: { change: 'change.v1' } });

    const sent = h.server.requests[0]!.body;
    expect(sent.model).toBe('coder-model');
    expect(sent.tools[0].function.description).toContain('the change adds or alters');
    expect(h.systemPrompt(0)).toContain('wants a change');
    expect(h.userMessage(0)).toContain(`<change>\n${REQUEST}\n</change>`);
    expect(h.userMessage(0)).toContain('``` server.js\n// Guestbook: Node built-ins only.');
    expect(h.usage.map((u) => [u.stage, u.call])).toEqual([['change', 'initial']]);

    const running = await startApp(await writeApp(changed.files));
    expect(await (await fetch(running.url)).text()).toContain("<h1>Visitors' Book</h1>");
  });

  it('removes the files the answer deletes', async () => {
    const h = await harness('openai');
    h.server.reply({ body: openAiFilesAnswer({ files: [{ path: 'public/index.html', content: page.replace('Guestbook</h1>', 'Book</h1>') }], delete: ['public/old.js'] }) });
    const changed = await h.generator.change(PLAN, APP, { spec: SPEC, files: [...GUESTBOOK, { path: 'public/old.js', content: 'old();\n' }] }, REQUEST);
    expect(changed.files.map((f) => f.path)).toEqual(GUESTBOOK.map((f) => f.path));
  });

  it('refuses an answer that changes nothing, and one the guardrails refuse', async () => {
    const h = await harness('openai');
    h.server.reply(
      { body: openAiFilesAnswer({ files: [] }) },
      { body: openAiFilesAnswer({ files: [{ path: '.npmrc', content: 'registry=http://evil\n' }], delete: ['../../etc/hosts'] }) },
    );
    const empty = await h.generator.change(PLAN, APP, CURRENT, REQUEST).catch((e: unknown) => e);
    expect(empty).toBeInstanceOf(ExternalServiceError);
    expect((empty as Error).message).toBe('OpenAI: the change answer changed no file');
    const hostile = await h.generator.change(PLAN, APP, CURRENT, REQUEST).catch((e: unknown) => e);
    expect(hostile).toBeInstanceOf(InputError);
    expect((hostile as Error).message).toBe([
      'refused the generated app:',
      '- .npmrc: .npmrc can point npm at another registry or hold tokens; it is not allowed',
      "- ../../etc/hosts: it climbs out of the app directory with '..'",
    ].join('\n'));
  });
});
