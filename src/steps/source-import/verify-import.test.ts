/** The import's verify step with the real ProcessSandbox: a folder's app really starts. */
import { mkdtempSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { ProcessSandbox } from '../../adapters/sandbox/index.ts';
import { createImportStep, createVerifyImportStep } from './index.ts';

const sandbox = new ProcessSandbox({ workDir: mkdtempSync(join(tmpdir(), 'slipway-verify-import-sandbox-')), nodeBinary: process.execPath, startTimeoutMs: 5000 });
const context = { runId: 'run-1', logger: pino({ level: 'silent' }), signal: new AbortController().signal };

const serverWith = (metrics: string) => `import { createServer } from 'node:http';
const server = createServer((req, res) => {
  if (req.url === '/healthz') { res.writeHead(200); res.end('ok'); return; }
  ${metrics}
  res.writeHead(200, { 'content-type': 'text/html' }); res.end('<h1>mine</h1>');
});
server.listen(Number(process.env.PORT), process.env.HOST);
process.on('SIGTERM', () => server.close(() => process.exit(0)));
`;
const METRICS = `if (req.url === '/metrics') { res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }); res.end('http_requests_total{code="200"} 4\\n'); return; }`;

async function imported(serverJs: string) {
  const work = mkdtempSync(join(tmpdir(), 'slipway-verify-import-'));
  const from = join(work, 'folder');
  await mkdir(from, { recursive: true });
  await writeFile(join(from, 'package.json'), JSON.stringify({ type: 'module', scripts: { start: 'node server.js' } }));
  await writeFile(join(from, 'server.js'), serverJs);
  const step = createImportStep({ workspace: join(work, 'runs'), staticServer: { 'server.js': '' }, runsImages: false });
  return step.run({ ...context, input: { app: 'mine', description: 'my app', from } });
}

describe('source:verify of a folder', () => {
  it('records metrics in the spec of an app that serves them, and none for one that does not', async () => {
    const verify = createVerifyImportStep({ sandbox });
    const withMetrics = await verify.run({ ...context, input: { app: 'mine', source: await imported(serverWith(METRICS)) } });
    expect(withMetrics.spec.metrics).toEqual({ path: '/metrics' });
    const without = await verify.run({ ...context, input: { app: 'mine', source: await imported(serverWith('')) } });
    expect(without.attempts[0]!.ok).toBe(true);
    expect(without.spec).not.toHaveProperty('metrics');
  });
});
