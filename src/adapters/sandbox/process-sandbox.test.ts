/**
 * The sandbox against real apps run with this Node binary: a bundled template, and small apps that
 * fail in each way a generated app can (crash, silence, a broken page, unsafe paths).
 */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { TemplateGenerator } from '../generator/index.ts';
import { app, HEALTHY, names, newSandbox, server } from './sandbox.test-support.ts';

describe('ProcessSandbox', () => {
  it('passes a bundled template app on every check and leaves no scratch folder behind', async () => {
    const generator = new TemplateGenerator({ templatesDir: fileURLToPath(new URL('../../../templates/', import.meta.url)) });
    const plan = await generator.plan({ description: 'notes with a json api', template: 'notes-api' });
    const generated = await generator.generate(plan, { name: 'notes', description: 'notes with a json api' });
    const { workDir, sandbox } = newSandbox();
    const result = await sandbox.verify(generated);
    expect(result.failure).toBeUndefined();
    expect(result.ok).toBe(true);
    expect(names(result.checks)).toEqual(['files:ok', 'package.json:ok', 'start:ok', 'GET /healthz:ok', 'GET /:ok']);
    for (const check of result.checks) expect(check.durationMs).toBeGreaterThanOrEqual(0);
    expect(readdirSync(workDir)).toEqual([]);
  });

  it('gives the app only PORT, HOST, DATA_DIR, NODE_ENV, PATH and HOME', async () => {
    const { sandbox } = newSandbox();
    // The page fails (and so shows its body) unless the environment is exactly what is promised.
    const result = await sandbox.verify(app({
      'server.js': server(`${HEALTHY}
        const keys = Object.keys(process.env).filter((k) => k !== 'PWD' && k !== 'SHLVL' && k !== '_').sort().join(',');
        res.writeHead(500); res.end(keys + ' data=' + process.env.DATA_DIR + ' env=' + process.env.NODE_ENV);`),
    }));
    expect(result.ok).toBe(false);
    expect(result.failure).toContain('answered 500');
    expect(result.failure).toContain('HOME,HOST,NODE_ENV,PATH,PORT');
    expect(result.failure).toMatch(/DATA_DIR,HOME/);
    expect(result.failure).toContain('data=<sandbox>/data env=production');
  });

  it('fails at start when the app crashes, with its stderr in the detail', async () => {
    const { workDir, sandbox } = newSandbox();
    const result = await sandbox.verify(app({ 'server.js': `console.log('booting');\nthrow new Error('missing configuration: DATABASE_URL');\n` }));
    expect(result.ok).toBe(false);
    expect(names(result.checks)).toEqual(['files:ok', 'package.json:ok', 'start:failed']);
    const detail = result.checks.at(-1)!.detail!;
    expect(detail).toMatch(/^the app exited with code 1 before answering \/healthz/);
    expect(detail).toContain('booting');
    expect(detail).toContain('Error: missing configuration: DATABASE_URL');
    // Paths are the app's own, not the scratch folder's.
    expect(detail).toContain('server.js:2');
    expect(detail).not.toContain(workDir);
    expect(result.failure).toBe(`start failed: ${detail}`);
  });

  it('fails at start with a timeout when the app never listens', async () => {
    const { sandbox } = newSandbox({ startTimeoutMs: 1500 });
    const started = Date.now();
    const result = await sandbox.verify(app({ 'server.js': `console.log('waiting forever'); setInterval(() => {}, 1000);\n` }));
    expect(Date.now() - started).toBeLessThan(8000);
    expect(names(result.checks).at(-1)).toBe('start:failed');
    expect(result.failure).toMatch(/did not listen on 127\.0\.0\.1:\d+ within 1\.5 s; it must listen on the port in \$PORT/);
    expect(result.failure).toContain('waiting forever');
  });

  it('fails at GET /healthz with a timeout when the app listens but never answers it', async () => {
    const { sandbox } = newSandbox({ startTimeoutMs: 1500 });
    const result = await sandbox.verify(app({ 'server.js': server(`if (req.url === '/healthz') return; res.end('page');`) }));
    expect(names(result.checks).slice(-2)).toEqual(['start:ok', 'GET /healthz:failed']);
    expect(result.failure).toMatch(/^GET \/healthz failed: \/healthz gave no 2xx answer within 1\.5 s; the last request sent no answer within/);
  });

  it('fails at GET /healthz with the status when /healthz answers 404', async () => {
    // Room for a busy machine: the app must have answered at least once before the time is up.
    const { sandbox } = newSandbox({ startTimeoutMs: 5000 });
    const result = await sandbox.verify(app({ 'server.js': server(`res.writeHead(req.url === '/' ? 200 : 404); res.end('no route ' + req.url);`) }));
    expect(result.failure).toMatch(/the last request answered 404 Not Found with body:\nno route \/healthz/);
  });

  it('fails at GET / when the page answers 500, with the body and the app output', async () => {
    const { sandbox } = newSandbox();
    const result = await sandbox.verify(app({ 'server.js': server(`${HEALTHY} console.error('render failed: template not found'); res.writeHead(500); res.end('Internal error');`) }));
    expect(names(result.checks).slice(-3)).toEqual(['start:ok', 'GET /healthz:ok', 'GET /:failed']);
    expect(result.failure).toMatch(/^GET \/ failed: GET \/ must answer 2xx or 3xx, but the app answered 500 Internal Server Error with body:\nInternal error/);
    expect(result.failure).toContain('render failed: template not found');
  });

  it('accepts a redirect from /', async () => {
    const { sandbox } = newSandbox();
    const result = await sandbox.verify(app({ 'server.js': server(`${HEALTHY} if (req.url === '/') { res.writeHead(302, { location: '/app/' }); res.end(); return; } res.end('app');`) }));
    expect(result.ok).toBe(true);
  });

  it('runs an app without a package.json as Node would in its image, whatever package.json lies above the scratch root', async () => {
    const { workDir, sandbox } = newSandbox();
    // An ES-module package.json above the sandbox must not turn the app's CommonJS into ESM.
    writeFileSync(join(workDir, 'package.json'), JSON.stringify({ type: 'module' }));
    const result = await sandbox.verify(app({
      'server.js': `const { createServer } = require('node:http');
const server = createServer((req, res) => res.end(typeof module === 'object' ? 'commonjs' : 'esm'));
server.listen(Number(process.env.PORT), process.env.HOST);\n`,
    }));
    expect(result.failure).toBeUndefined();
    expect(result.ok).toBe(true);
  });

  it('refuses unsafe paths without writing anything', async () => {
    const { workDir, sandbox } = newSandbox();
    const result = await sandbox.verify(app({ 'server.js': 'x', '../escape.js': 'x', '.git/config': 'x' }));
    expect(names(result.checks)).toEqual(['files:failed']);
    expect(result.failure).toContain('"../escape.js": it climbs out of the app directory');
    expect(result.failure).toContain('".git/config": it writes inside .git');
    expect(readdirSync(workDir)).toEqual([]);
  });

  it('refuses a command that is not node, and an invalid package.json', async () => {
    const { sandbox } = newSandbox();
    const python = await sandbox.verify(app({ 'app.py': 'print(1)' }, ['python3', 'app.py']));
    expect(python.failure).toMatch(/^start failed: the app's command must start with 'node'/);
    const broken = await sandbox.verify(app({ 'server.js': server(HEALTHY), 'package.json': '{ "name": "x", }' }));
    expect(names(broken.checks)).toEqual(['files:ok', 'package.json:failed']);
    expect(broken.failure).toMatch(/^package\.json failed: package\.json is not valid JSON/);
  });

  it('stops an app that ignores SIGTERM, and the processes it started', async () => {
    const { sandbox } = newSandbox();
    const marker = join(mkdtempSync(join(tmpdir(), 'slipway-sandbox-pid-')), 'child.pid');
    const result = await sandbox.verify(app({
      'server.js': `import { spawn } from 'node:child_process'; import { writeFileSync } from 'node:fs';
const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
writeFileSync(${JSON.stringify(marker)}, String(child.pid));
process.on('SIGTERM', () => {});
${server(HEALTHY + " res.end('ok');").replace(/process\.on\('SIGTERM'.*\n/, '')}`,
    }));
    expect(result.ok).toBe(true);
    const pid = Number(readFileSync(marker, 'utf8'));
    expect(pid).toBeGreaterThan(0);
    expect(() => process.kill(pid, 0)).toThrow();
  });

  it('stops the app and gives up with CancelledError when the run is cancelled', async () => {
    const { workDir, sandbox } = newSandbox({ startTimeoutMs: 30_000 });
    const marker = join(mkdtempSync(join(tmpdir(), 'slipway-sandbox-pid-')), 'app.pid');
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 500);
    const started = Date.now();
    const verifying = sandbox.verify(app({ 'server.js': `require('node:fs').writeFileSync(${JSON.stringify(marker)}, String(process.pid)); setInterval(() => {}, 1000);\n` }, ['node', 'server.js']), controller.signal);
    await expect(verifying).rejects.toMatchObject({ name: 'CancelledError' });
    expect(Date.now() - started).toBeLessThan(5000);
    expect(() => process.kill(Number(readFileSync(marker, 'utf8')), 0)).toThrow();
    expect(readdirSync(workDir)).toEqual([]);
  });
});
