import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { TemplateGenerator } from '../../adapters/generator/index.ts';
import { COMPOSED_MANIFEST } from '../../adapters/generator/compose/composed-template.ts';
import type { VerifyAttempt } from '../source-verify/index.ts';
import { context, plan, ScriptedGenerator, spec } from '../source-verify/scripted-generator.test-support.ts';
import { createProvenanceStep, PROVENANCE_FILE, sortedJson } from './index.ts';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

const attempts: VerifyAttempt[] = [
  {
    attempt: 1, ok: false, files: 2,
    checks: [{ name: 'files', ok: true, durationMs: 3 }, { name: 'start', ok: false, durationMs: 61, detail: 'x' }],
    failure: 'start failed: the app exited with code 1 before answering /healthz.\n```\nError: greeting not configured\n```',
  },
  {
    attempt: 2, ok: true, files: 2, repairedFiles: ['server.js'],
    checks: [{ name: 'files', ok: true, durationMs: 2 }, { name: 'start', ok: true, durationMs: 80 }, { name: 'GET /healthz', ok: true, durationMs: 1 }, { name: 'GET /', ok: true, durationMs: 2 }],
  },
];

/** A source folder as the verify step leaves it. */
function source(files: Record<string, string> = { 'server.js': 'console.log(1);\n' }) {
  const dir = mkdtempSync(join(tmpdir(), 'slipway-provenance-'));
  for (const [path, content] of Object.entries(files)) writeFileSync(join(dir, path), content);
  return { dir, spec: { ...spec, name: 'greeter' }, files: Object.entries(files).map(([path, content]) => ({ path, sha256: sha256(content), size: content.length })) };
}

const step = createProvenanceStep({ generator: new ScriptedGenerator({}, []), slipwayVersion: '0.1.0' });
const input = (overrides: Record<string, unknown> = {}) => ({ app: 'greeter', description: 'a greeting page\nwith a | pipe', plan, source: source(), attempts, ...overrides });

describe('source:provenance', () => {
  it('writes SLIPWAY.md with the request, plan, generator, prompts, run, attempts and version, and lists its digest', async () => {
    const given = input();
    const output = await step.run(context(given, 'run-42').ctx);
    const text = readFileSync(join(given.source.dir, PROVENANCE_FILE), 'utf8');
    expect(output.files.map((f) => f.path)).toEqual(['SLIPWAY.md', 'server.js']);
    expect(output.files[0]).toEqual({ path: 'SLIPWAY.md', sha256: sha256(text), size: Buffer.byteLength(text) });
    expect(output.dir).toBe(given.source.dir);

    expect(text).toMatch(/^# greeter\n\nMade by Slipway 0\.1\.0 in run `run-42`\./);
    expect(text).toContain('> a greeting page\n> with a \\| pipe\n');
    expect(text).toContain('- Planned by: a model\n');
    expect(text).toContain('- Why: a single page that greets\n');
    expect(text).toContain('- Title: Greeting\n');
    expect(text).toContain('- Features: greets\n');
    expect(text).toContain('- Provider: scripted\n- Models: coder fixture-large, planner fixture-small\n');
    expect(text).toContain('- Prompt versions: coder coder-v3, planner planner-v2\n');
    expect(text).toContain('| 1 | failed at start | files ok, start failed |  |\n| 2 | passed | files ok, start ok, GET /healthz ok, GET / ok | server.js |');
    // The failure holds a fence of its own; the block around it is longer, so it stays one block.
    expect(text).toContain('### Attempt 1: what failed\n\n````text\nstart failed: the app exited with code 1 before answering /healthz.\n```\nError: greeting not configured\n```\n````');
    const json = JSON.parse(text.slice(text.indexOf('```json\n') + 8, text.lastIndexOf('\n```')));
    expect(json.runId).toBe('run-42');
    expect(json.slipwayVersion).toBe('0.1.0');
    expect(json.generator).toEqual({ kind: 'llm', provider: 'scripted', models: { planner: 'fixture-small', coder: 'fixture-large' } });
    expect(json.verification.map((a: VerifyAttempt) => [a.attempt, a.ok, a.repairedFiles])).toEqual([[1, false, undefined], [2, true, ['server.js']]]);
    // Timings differ on every run, so they stay out of a committed file.
    expect(text).not.toContain('durationMs');
    expect(text).not.toMatch(/\d{4}-\d{2}-\d{2}T/);
  });

  it('gives identical bytes for identical inputs, whatever order their keys were built in', async () => {
    const first = input();
    const second = input({
      plan: Object.fromEntries(Object.entries({ ...plan, template: Object.fromEntries(Object.entries(plan.template).reverse()) }).reverse()),
      attempts: attempts.map((a) => Object.fromEntries(Object.entries(a).reverse())),
    });
    const a = await step.run(context(first, 'run-1').ctx);
    const b = await step.run(context(second, 'run-1').ctx);
    const bytesA = readFileSync(join(first.source.dir, PROVENANCE_FILE));
    const bytesB = readFileSync(join(second.source.dir, PROVENANCE_FILE));
    expect(bytesB.equals(bytesA)).toBe(true);
    expect(b.files).toEqual(a.files);
    // The run is part of the record: another run gives other bytes.
    await step.run(context(first, 'run-2').ctx);
    expect(readFileSync(join(first.source.dir, PROVENANCE_FILE)).equals(bytesA)).toBe(false);
  });

  it('replaces a SLIPWAY.md the generator wrote, and records a template app that was not verified', async () => {
    const templates = new TemplateGenerator({ templatesDir: fileURLToPath(new URL('../../../templates/', import.meta.url)) });
    const templatePlan = await templates.plan({ description: 'a pomodoro timer' });
    const generated = await templates.generate(templatePlan, { name: 'pomodoro', description: 'a pomodoro timer' });
    const given = { app: 'pomodoro', description: 'a pomodoro timer', plan: templatePlan, source: { ...source({ 'SLIPWAY.md': 'forged', 'server.js': 'x' }), spec: generated.spec } };
    const output = await createProvenanceStep({ generator: templates, slipwayVersion: '0.2.0' }).run(context(given).ctx);
    const text = readFileSync(join(given.source.dir, PROVENANCE_FILE), 'utf8');
    expect(output.files.filter((f) => f.path === 'SLIPWAY.md')).toEqual([{ path: 'SLIPWAY.md', sha256: sha256(text), size: Buffer.byteLength(text) }]);
    expect(text).not.toContain('forged');
    expect(text).toContain('- Planned by: the offline templates\n');
    expect(text).toContain(`- Template: timer ${templatePlan.template.version}\n`);
    expect(text).toContain('| title | Pomodoro Timer |');
    expect(text).toContain(`- Kind: template\n- Template used: timer ${templatePlan.template.version}\n- App: runtime ${generated.spec.runtime}, started with \`node server.js\`, port 8080\n`);
    expect(text).not.toContain('Provider');
    expect(text).toContain('## Verification\n\nNot verified.\n');
  });

  it('escapes the request as the template README does: no tag, link or emphasis from it reaches SLIPWAY.md', async () => {
    const hostile = 'a timer <script>alert(1)</script> [click](javascript:alert(1)) **bold** & `code`';
    const templates = new TemplateGenerator({ templatesDir: fileURLToPath(new URL('../../../templates/', import.meta.url)) });
    const templatePlan = await templates.plan({ description: hostile });
    const generated = await templates.generate(templatePlan, { name: 'timer', description: hostile });
    const given = { app: 'timer', description: hostile, plan: { ...templatePlan, template: { ...templatePlan.template, explanation: 'because <img src=x onerror=alert(1)>' } }, source: { ...source(), spec: generated.spec } };
    await createProvenanceStep({ generator: templates, slipwayVersion: '0.2.0' }).run(context(given).ctx);
    const text = readFileSync(join(given.source.dir, PROVENANCE_FILE), 'utf8');
    const readme = generated.files.find((f) => f.path === 'README.md')!.content.toString();
    const escaped = 'timer &lt;script&gt;alert\\(1\\)&lt;/script&gt; \\[click\\]\\(javascript:alert\\(1\\)\\) \\*\\*bold\\*\\* &amp; \\`code\\`';
    expect(readme).toContain(escaped);
    expect(text).toContain(`> a ${escaped}\n`);
    expect(text).toContain('- Why: because &lt;img src=x onerror=alert\\(1\\)&gt;\n');
    expect(text).not.toMatch(/<script|<img/);
    // The record block still holds the request as it was, once parsed.
    const json = JSON.parse(text.slice(text.indexOf('```json\n') + 8, text.lastIndexOf('\n```')));
    expect(json.description).toBe(hostile);
  });

  it('records what a composed app keeps, its fields and views, for the reader to check the guess', async () => {
    const templates = new TemplateGenerator({ templatesDir: fileURLToPath(new URL('../../../templates/', import.meta.url)) });
    const composedPlan = await templates.plan({ description: 'a recipe box' });
    const generated = await templates.generate(composedPlan, { name: 'recipes', description: 'a recipe box' });
    const given = { app: 'recipes', description: 'a recipe box', plan: composedPlan, source: { ...source({ 'server.js': 'x' }), spec: generated.spec } };
    await createProvenanceStep({ generator: templates, slipwayVersion: '0.2.0' }).run(context(given).ctx);
    const text = readFileSync(join(given.source.dir, PROVENANCE_FILE), 'utf8');
    expect(text).toContain(`- Template: composed ${COMPOSED_MANIFEST.version}\n`);
    expect(text).toContain('- Keeps: recipes \\(name: text\\*, ingredients: longtext, steps: longtext, tags: tags, source: url\\); views list\n');
  });

  it('sortedJson sorts keys at every depth and keeps array order', () => {
    expect(sortedJson({ b: [{ d: 1, c: 2 }], a: null })).toBe('{\n  "a": null,\n  "b": [\n    {\n      "c": 2,\n      "d": 1\n    }\n  ]\n}');
  });
});
