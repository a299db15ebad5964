/**
 * The verify step with the real ProcessSandbox and a scripted generator: apps really start (or
 * crash), and the repairs are fixed files.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { TemplateGenerator } from '../../adapters/generator/index.ts';
import { ProcessSandbox } from '../../adapters/sandbox/index.ts';
import { openDatabase } from '../../adapters/store/sqlite-database.ts';
import { SqliteRunStore } from '../../adapters/store/sqlite-run-store.ts';
import type { AppSpec } from '../../domain/index.ts';
import { entry, executePipeline } from '../../pipeline/index.ts';
import { renderAppObjects } from '../../render/index.ts';
import { RenderSettingsSchema } from '../../../test/support/render-settings.ts';
import { createGenerateStep } from '../source-generate/index.ts';
import { AppVerificationError, createVerifyStep, VerifiedSource } from './index.ts';
import { context, generated, plan, ScriptedGenerator } from './scripted-generator.test-support.ts';

const sandbox = new ProcessSandbox({ workDir: mkdtempSync(join(tmpdir(), 'slipway-verify-sandbox-')), nodeBinary: process.execPath, startTimeoutMs: 5000 });

const PACKAGE = JSON.stringify({ name: 'greeter', version: '1.0.0', private: true, type: 'module' });
const CRASHING = "import { createServer } from 'node:http';\nthrow new Error('greeting not configured');\n";
const FIXED = `import { createServer } from 'node:http';
const server = createServer((req, res) => { res.writeHead(200, { 'content-type': 'text/plain' }); res.end(req.url === '/healthz' ? 'ok' : 'hello'); });
server.listen(Number(process.env.PORT), process.env.HOST);
process.on('SIGTERM', () => server.close(() => process.exit(0)));
`;
const BROKEN_PAGE = FIXED.replace("res.writeHead(200, { 'content-type': 'text/plain' });", "res.writeHead(req.url === '/healthz' ? 200 : 500);");

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

describe('source:verify', () => {
  it('sends a crash at start to repair and passes with the fixed files on the second attempt', async () => {
    const generator = new ScriptedGenerator({ 'package.json': PACKAGE, 'server.js': CRASHING }, [{ 'package.json': PACKAGE, 'server.js': FIXED }]);
    const { workspace, input } = await generated(generator);
    const { ctx, records } = context(input);
    const output = VerifiedSource.parse(await createVerifyStep({ sandbox, generator }).run(ctx));

    expect(generator.repairs).toHaveLength(1);
    expect(generator.repairs[0]!.failure).toMatch(/^start failed: the app exited with code 1 before answering \/healthz\.[\s\S]*Error: greeting not configured/);
    expect(generator.repairs[0]!.previous.files.find((f) => f.path === 'server.js')!.content).toBe(CRASHING);

    expect(output.attempts.map((a) => [a.attempt, a.ok, a.checks.at(-1)!.name, a.repairedFiles])).toEqual([
      [1, false, 'start', undefined],
      [2, true, 'GET /', ['server.js']],
    ]);
    expect(output.attempts[0]!.failure).toBe(generator.repairs[0]!.failure);
    expect(output.attempts[1]!.failure).toBeUndefined();
    expect(output.attempts.map((a) => a.files)).toEqual([2, 2]);

    // The passing files are the ones later steps get; the first attempt's folder is left as it was.
    expect(output.dir).toBe(join(workspace, 'run-1', 'source-attempt-2'));
    expect(readFileSync(join(output.dir, 'server.js'), 'utf8')).toBe(FIXED);
    expect(output.files).toEqual([
      { path: 'package.json', sha256: sha256(PACKAGE), size: PACKAGE.length },
      { path: 'server.js', sha256: sha256(FIXED), size: FIXED.length },
    ]);
    expect(readFileSync(join(workspace, 'run-1', 'source', 'server.js'), 'utf8')).toBe(CRASHING);
    expect(output.spec.name).toBe('greeter');

    const logged = records.filter((r) => r['attempt'] !== undefined);
    expect(logged.map((r) => [r['attempt'], r['ok'], r['msg']])).toEqual([[1, false, 'verification failed'], [2, true, 'verification passed']]);
    expect(logged[0]!['failure']).toContain('greeting not configured');
  });

  it('fails cleanly after 3 attempts when repairs do not help, naming the last failure and keeping every attempt', async () => {
    const generator = new ScriptedGenerator(
      { 'package.json': PACKAGE, 'server.js': CRASHING },
      [{ 'package.json': PACKAGE, 'server.js': CRASHING.replace('not configured', 'still broken') }, { 'package.json': PACKAGE, 'server.js': BROKEN_PAGE }],
    );
    const { workspace, input } = await generated(generator);
    const { ctx, records } = context(input);
    const error = await createVerifyStep({ sandbox, generator }).run(ctx).then(() => undefined, (e: unknown) => e);

    expect(error).toBeInstanceOf(AppVerificationError);
    const failure = error as AppVerificationError;
    expect(failure.service).toBe('app');
    expect(failure.message).toMatch(/^app: the app did not pass verification after 3 attempts: GET \/ failed: GET \/ must answer 2xx or 3xx, but the app answered 500/);
    expect(failure.hint).toMatch(/^Attempt 1 failed at start; attempt 2 failed at start; attempt 3 failed at GET \/\. Run it again/);
    expect(failure.attempts.map((a) => [a.attempt, a.ok, a.repairedFiles])).toEqual([[1, false, undefined], [2, false, ['server.js']], [3, false, ['server.js']]]);
    expect(failure.attempts[1]!.failure).toContain('still broken');
    expect(generator.repairs.map((r) => r.failure.split('\n')[0])).toEqual([
      'start failed: the app exited with code 1 before answering /healthz.',
      'start failed: the app exited with code 1 before answering /healthz.',
    ]);
    expect(existsSync(join(workspace, 'run-1', 'source-attempt-3', 'server.js'))).toBe(true);
    expect(records.filter((r) => r['msg'] === 'verification failed')).toHaveLength(3);
  });

  it('honours maxAttempts', async () => {
    const generator = new ScriptedGenerator({ 'server.js': CRASHING }, [{ 'server.js': CRASHING }]);
    const { input } = await generated(generator);
    await expect(createVerifyStep({ sandbox, generator, maxAttempts: 2 }).run(context(input).ctx)).rejects.toThrow(/after 2 attempts: start failed/);
    expect(generator.repairs).toHaveLength(1);
  });

  it('tells the model when its repaired files are refused, without writing them, and lets it try again', async () => {
    const generator = new ScriptedGenerator({ 'server.js': CRASHING }, [{ 'server.js': FIXED, '../outside.js': 'x' }, { 'server.js': FIXED }]);
    const { workspace, input } = await generated(generator);
    const output = await createVerifyStep({ sandbox, generator }).run(context(input).ctx);
    expect(output.attempts.map((a) => [a.ok, a.checks.map((c) => c.name).join(',')])).toEqual([
      [false, 'files,package.json,start'],
      [false, 'files'],
      [true, 'files,package.json,start,GET /healthz,GET /'],
    ]);
    expect(generator.repairs[1]!.failure).toMatch(/^files failed: refused file paths:\n"\.\.\/outside\.js": it climbs out of the app directory/);
    expect(existsSync(join(workspace, 'run-1', 'source-attempt-2'))).toBe(false);
    expect(existsSync(join(workspace, 'run-1', 'outside.js'))).toBe(false);
    expect(output.dir).toBe(join(workspace, 'run-1', 'source-attempt-3'));
  });

  describe('finds out whether the app serves Prometheus metrics, and the render follows', () => {
    const METRICS = FIXED.replace(
      "res.writeHead(200, { 'content-type': 'text/plain' });",
      "if (req.url === '/metrics') { res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }); res.end('# TYPE http_requests_total counter\\nhttp_requests_total{code=\"200\"} 1\\n'); return; } res.writeHead(200, { 'content-type': 'text/plain' });",
    );
    const renderedKinds = (spec: AppSpec) => renderAppObjects(spec, { image: 'registry.local:5000/dynamic-apps/greeter:1.0.0' }, RenderSettingsSchema.parse({})).map((m) => m.object.kind);

    it('an app serving /metrics gets metrics in its spec and a ServiceMonitor; a generator\'s claim alone gets neither', async () => {
      const generator = new ScriptedGenerator({ 'package.json': PACKAGE, 'server.js': METRICS }, []);
      const { input } = await generated(generator);
      const output = await createVerifyStep({ sandbox, generator }).run(context(input).ctx);
      expect(output.spec.metrics).toEqual({ path: '/metrics' });
      expect(renderedKinds(output.spec)).toContain('ServiceMonitor');
      // FIXED answers 'hello' as text/plain on every path, /metrics included: a claimed path is dropped.
      const plain = new ScriptedGenerator({ 'package.json': PACKAGE, 'server.js': FIXED }, []);
      const claimed = await generated(plain);
      const claimedInput = { ...claimed.input, generated: { ...claimed.input.generated, spec: { ...claimed.input.generated.spec, metrics: { path: '/metrics' } } } };
      const without = await createVerifyStep({ sandbox, generator: plain }).run(context(claimedInput).ctx);
      expect(without.spec).not.toHaveProperty('metrics');
      expect(renderedKinds(without.spec)).not.toContain('ServiceMonitor');
    });
  });

  describe('with the templates (no repair)', () => {
    const templates = new TemplateGenerator({ templatesDir: fileURLToPath(new URL('../../../templates/', import.meta.url)) });

    it('passes a template in one attempt and keeps its folder', async () => {
      const workspace = mkdtempSync(join(tmpdir(), 'slipway-verify-'));
      const templatePlan = await templates.plan({ description: 'a pomodoro timer with a dark theme' });
      const input = { app: 'pomodoro', description: 'a pomodoro timer with a dark theme', plan: templatePlan };
      const source = await createGenerateStep({ generator: templates, workspace }).run(context(input).ctx);
      const output = await createVerifyStep({ sandbox, generator: templates }).run(context({ ...input, generated: source }).ctx);
      expect(output.attempts).toHaveLength(1);
      expect(output.attempts[0]!.ok).toBe(true);
      expect(output.dir).toBe(source.dir);
      expect(output.files).toEqual(source.files);
    });

    it('fails at the first attempt when a template does not start', async () => {
      const workspace = mkdtempSync(join(tmpdir(), 'slipway-verify-'));
      const templatePlan = await templates.plan({ description: 'a pomodoro timer' });
      const input = { app: 'pomodoro', description: 'a pomodoro timer', plan: templatePlan };
      const source = await createGenerateStep({ generator: templates, workspace }).run(context(input).ctx);
      writeFileSync(join(source.dir, 'server.js'), CRASHING);
      const error = await createVerifyStep({ sandbox, generator: templates, maxAttempts: 3 }).run(context({ ...input, generated: source }).ctx).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AppVerificationError);
      expect((error as AppVerificationError).message).toMatch(/after 1 attempt: start failed/);
      expect((error as AppVerificationError).hint).toMatch(/^Attempt 1 failed at start\. The timer template should always pass/);
    });
  });

  it('leaves the failure, the attempt summary and the hint in the run record', async () => {
    const generator = new ScriptedGenerator({ 'server.js': CRASHING }, [{ 'server.js': CRASHING }]);
    const workspace = mkdtempSync(join(tmpdir(), 'slipway-verify-'));
    const store = new SqliteRunStore({ db: openDatabase(':memory:') });
    const run = await store.createRun({ id: 'run-9', kind: 'create', app: 'greeter', request: { app: 'greeter', description: 'a greeting page' } });
    const generate = createGenerateStep({ generator, workspace });
    const verify = createVerifyStep({ sandbox, generator, maxAttempts: 2 });
    const result = await executePipeline({
      run, store, logger: pino({ level: 'silent' }),
      pipeline: [
        entry(generate, () => ({ app: 'greeter', description: 'a greeting page', plan })),
        entry(verify, (s) => ({ app: 'greeter', description: 'a greeting page', plan, generated: s.output(generate) })),
      ],
    });
    expect(result.status).toBe('failed');
    const saved = (await store.getRun('run-9'))!;
    const step = saved.timeline.find((s) => s.stepId === 'source:verify')!;
    expect(step.status).toBe('failed');
    expect(JSON.stringify(saved.error)).toContain('did not pass verification after 2 attempts: start failed');
    expect(saved.error!.hint).toMatch(/^Attempt 1 failed at start; attempt 2 failed at start\./);
  });
});
