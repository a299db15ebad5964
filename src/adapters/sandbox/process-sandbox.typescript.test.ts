/**
 * TypeScript apps: type-checked with Slipway's own compiler and Node types (the apps install
 * nothing), then run by Node's type stripping.
 */
import { describe, expect, it } from 'vitest';
import { app, HEALTHY, names, newSandbox } from './sandbox.test-support.ts';

const TSCONFIG = JSON.stringify({
  compilerOptions: { target: 'es2022', module: 'nodenext', moduleResolution: 'nodenext', strict: true, noEmit: true, erasableSyntaxOnly: true, skipLibCheck: true },
});
const PACKAGE = JSON.stringify({ name: 'typed', version: '1.0.0', private: true, type: 'module' });

const serverTs = (extra = '') => `import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
interface Greeting { text: string }
const greeting: Greeting = { text: 'typed hello' };
${extra}
const server = createServer((req: IncomingMessage, res: ServerResponse) => { ${HEALTHY} res.end(greeting.text); });
server.listen(Number(process.env.PORT), process.env.HOST);
process.on('SIGTERM', () => server.close(() => process.exit(0)));
`;

const ts = ['node', 'server.ts'];

describe('ProcessSandbox with TypeScript apps', () => {
  it('type-checks a correct app, then starts it with Node', async () => {
    const { sandbox } = newSandbox();
    const result = await sandbox.verify(app({ 'package.json': PACKAGE, 'tsconfig.json': TSCONFIG, 'server.ts': serverTs() }, ts));
    expect(result.failure).toBeUndefined();
    expect(names(result.checks)).toEqual(['files:ok', 'package.json:ok', 'typecheck:ok', 'start:ok', 'GET /healthz:ok', 'GET /:ok']);
  });

  it("fails at typecheck with tsc's message, before the app is started", async () => {
    const { workDir, sandbox } = newSandbox();
    const result = await sandbox.verify(app({
      'package.json': PACKAGE,
      'tsconfig.json': TSCONFIG,
      'server.ts': serverTs('const port: number = process.env.PORT;\nconst missing = greeting.txt;'),
    }, ts));
    expect(names(result.checks)).toEqual(['files:ok', 'package.json:ok', 'typecheck:failed']);
    expect(result.failure).toMatch(/^typecheck failed: tsc --noEmit found errors \(it exited with code 2\):\n/);
    expect(result.failure).toMatch(/server\.ts\(4,7\): error TS2322: Type 'string \| undefined' is not assignable to type 'number'/);
    expect(result.failure).toMatch(/server\.ts\(5,26\): error TS2551: Property 'txt' does not exist on type 'Greeting'/);
    expect(result.failure).not.toContain(workDir);
  });

  it('type-checks TypeScript sources without a tsconfig.json with strict defaults', async () => {
    const { sandbox } = newSandbox();
    const good = await sandbox.verify(app({ 'package.json': PACKAGE, 'server.ts': serverTs() }, ts));
    expect(names(good.checks)).toContain('typecheck:ok');
    expect(good.ok).toBe(true);
    const bad = await sandbox.verify(app({ 'package.json': PACKAGE, 'server.ts': serverTs('function twice(n) { return n * 2; }') }, ts));
    expect(bad.failure).toMatch(/server\.ts\(4,16\): error TS7006: Parameter 'n' implicitly has an 'any' type/);
  });
});
