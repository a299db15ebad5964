import { afterEach, describe, expect, it } from 'vitest';
import { readFixture } from '../../../../test/support/llm-server.ts';
import { AppPlan, ExternalServiceError, InputError, type AppSpec } from '../../../domain/index.ts';
import type { GeneratedApp } from '../../../ports/index.ts';
import { startApp, stopAllApps, writeApp } from '../app-harness.ts';
import { APP, closeHarnesses, GUESTBOOK, harness } from './llm-generator.test-support.ts';

afterEach(async () => {
  await stopAllApps();
  expect(await closeHarnesses()).toEqual([]);
});

// A plan as Slipway recorded them before plans had fields for the model's answer: read into today's shape.
const PLAN = AppPlan.parse({ source: 'llm', template: 'notes-api', templateVersion: '1.0.0', runtime: 'node', score: null, matched: [], candidates: [], params: { plan: JSON.stringify(readFixture('anthropic/plan.json').content[0].input) } });
const SPEC: AppSpec = { ...APP, template: 'notes-api', templateVersion: '1.0.0', runtime: 'node', port: 8080, persistent: true, command: ['node', 'server.js'] };
const FAILURE = 'start: node:internal/modules/esm/resolve:853\nError [ERR_UNKNOWN_BUILTIN_MODULE]: No such built-in module: node:htp\n    at server.js:3:1\n';

/** The guestbook with a typo in an import: it crashes at start. */
function broken(extra: { path: string; content: string }[] = []): GeneratedApp {
  const files = GUESTBOOK.map((f) => (f.path === 'server.js' ? { ...f, content: f.content.replace("'node:http'", "'node:htp'") } : f));
  return { spec: SPEC, files: [...files, ...extra] };
}

describe('repair', () => {
  it('sends the failure and the files, merges the corrected file, and the app then runs', async () => {
    const h = await harness('openai');
    h.server.reply({ fixture: 'openai/repair.json' });
    const previous = broken();
    const repaired = await h.generator.repair(PLAN, APP, previous, FAILURE);
    expect(repaired).toEqual({ spec: SPEC, files: GUESTBOOK });

    const sent = h.server.requests[0]!.body;
    expect(sent.model).toBe('coder-model');
    expect(sent.tools[0].function.name).toBe('write_files');
    expect(sent.tools[0].function.parameters.required).toEqual(['delete', 'files']);
    expect(h.systemPrompt(0)).toContain('failed Slipway');
    expect(h.userMessage(0)).toContain(`<failure>\n${FAILURE}\n</failure>`);
    expect(h.userMessage(0)).toContain('``` server.js\n// Guestbook: Node built-ins only.');
    expect(h.userMessage(0)).toContain("from 'node:htp'");
    expect(h.usage.map((u) => [u.stage, u.call])).toEqual([['repair', 'initial']]);

    const running = await startApp(await writeApp(repaired.files));
    expect((await fetch(`${running.url}/healthz`)).status).toBe(200);
  });

  it('deletes the files the answer lists (Anthropic, streaming)', async () => {
    const h = await harness('anthropic', { stream: true });
    h.server.reply({ fixture: 'anthropic/repair.json' });
    const repaired = await h.generator.repair(PLAN, APP, broken([{ path: 'public/old.js', content: 'old();\n' }]), FAILURE);
    expect(repaired.files).toEqual(GUESTBOOK);
  });

  it('uses a separate repair model when one is configured', async () => {
    const h = await harness('openai', { models: { planner: 'p', coder: 'c', repair: 'r' } });
    h.server.reply({ fixture: 'openai/repair.json' });
    await h.generator.repair(PLAN, APP, broken(), FAILURE);
    expect(h.server.requests[0]!.body.model).toBe('r');
    expect(h.generator.info.models).toEqual({ planner: 'p', coder: 'c', repair: 'r' });
  });

  it('continues a repair answer cut off at the output limit', async () => {
    const h = await harness('openai', { stream: true });
    h.server.reply({ fixture: 'openai/files-length-1.json' }, { fixture: 'openai/repair.json' });
    expect((await h.generator.repair(PLAN, APP, broken(), FAILURE)).files).toEqual(GUESTBOOK);
    expect(h.usage.map((u) => u.call)).toEqual(['initial', 'continuation']);
  });

  it('fails clearly when the answer changes nothing, so no attempt is wasted on it', async () => {
    const h = await harness('openai');
    const same = readFixture('openai/repair.json');
    same.choices[0].message.tool_calls[0].function.arguments = JSON.stringify({ delete: [], files: [broken().files.find((f) => f.path === 'server.js')] });
    const empty = readFixture('openai/repair.json');
    empty.choices[0].message.tool_calls[0].function.arguments = '{"delete":[],"files":[]}';
    h.server.reply({ body: same }, { body: empty });
    const unchanged = await h.generator.repair(PLAN, APP, broken(), FAILURE).catch((e: unknown) => e);
    expect(unchanged).toBeInstanceOf(ExternalServiceError);
    expect((unchanged as Error).message).toBe('OpenAI: the repair answer left every file as it was');
    await expect(h.generator.repair(PLAN, APP, broken(), FAILURE)).rejects.toThrow('OpenAI: the repair answer changed no file');
  });

  it('puts repaired files through the same guardrails, deletions included', async () => {
    const h = await harness('openai');
    const hostile = readFixture('openai/repair.json');
    hostile.choices[0].message.tool_calls[0].function.arguments = JSON.stringify({ delete: ['../../etc/hosts'], files: [{ path: 'server.js', content: GUESTBOOK.find((f) => f.path === 'server.js')!.content }, { path: '.npmrc', content: 'registry=http://evil\n' }] });
    h.server.reply({ body: hostile });
    const error = await h.generator.repair(PLAN, APP, broken(), FAILURE).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect((error as Error).message).toBe([
      'refused the generated app:',
      '- .npmrc: .npmrc can point npm at another registry or hold tokens; it is not allowed',
      "- ../../etc/hosts: it climbs out of the app directory with '..'",
    ].join('\n'));
  });

  it('trims a long failure to its end, where the error is', async () => {
    const h = await harness('openai');
    h.server.reply({ fixture: 'openai/repair.json' });
    await h.generator.repair(PLAN, APP, broken(), `${'noise\n'.repeat(5000)}the real error`);
    const message = h.userMessage(0);
    expect(message).toContain('the real error\n</failure>');
    expect(message.length).toBeLessThan(30_000);
  });
});
