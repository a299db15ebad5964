/** Test support: a sandbox over a fresh scratch root, and small apps to feed it. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AppSpec } from '../../domain/index.ts';
import type { GeneratedApp } from '../../ports/index.ts';
import { ProcessSandbox, type ProcessSandboxOptions } from './process-sandbox.ts';

export const spec: AppSpec = { name: 'probe', description: 'd', template: 'custom', templateVersion: '1', runtime: 'node', port: 8080, persistent: false, command: ['node', 'server.js'] };

/** A sandbox running apps with this Node binary, in a scratch root of its own. */
export function newSandbox(options: Partial<ProcessSandboxOptions> = {}) {
  const workDir = mkdtempSync(join(tmpdir(), 'slipway-sandbox-'));
  return { workDir, sandbox: new ProcessSandbox({ workDir, nodeBinary: process.execPath, ...options }) };
}

/** An ESM server.js whose request handler body is `handler`; it listens on $PORT/$HOST and stops on SIGTERM. */
export const server = (handler: string) => `import { createServer } from 'node:http';
const server = createServer((req, res) => { ${handler} });
server.listen(Number(process.env.PORT), process.env.HOST);
process.on('SIGTERM', () => server.close(() => process.exit(0)));
`;

/** Handler start that answers /healthz with 200. */
export const HEALTHY = `if (req.url === '/healthz') { res.writeHead(200, { 'content-type': 'application/json' }); res.end('{"status":"ok"}'); return; }`;

/** A healthy app whose page says `text`. */
export const healthyServer = (text = 'hello') => server(`${HEALTHY} res.writeHead(200, { 'content-type': 'text/plain' }); res.end(${JSON.stringify(text)});`);

export const app = (files: Record<string, string>, command = spec.command): GeneratedApp => ({
  spec: { ...spec, command },
  files: Object.entries(files).map(([path, content]) => ({ path, content })),
});

/** `name:ok` / `name:failed` per check, for compact assertions. */
export const names = (checks: { name: string; ok: boolean }[]) => checks.map((c) => `${c.name}:${c.ok ? 'ok' : 'failed'}`);
