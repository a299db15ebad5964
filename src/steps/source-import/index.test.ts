import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InputError } from '../../domain/index.ts';
import { createImportStep } from './index.ts';

let work: string;
const server = { 'server.js': '// Slipway serves ./public\n' };
const context = { runId: 'run-1', logger: pino({ level: 'silent' }), signal: new AbortController().signal };

beforeEach(async () => {
  work = await mkdtemp(join(tmpdir(), 'slipway-import-'));
});
afterEach(async () => {
  await rm(work, { recursive: true, force: true });
});

async function folder(files: Record<string, string>, executable: string[] = []): Promise<string> {
  const dir = join(work, 'folder');
  for (const [path, content] of Object.entries(files)) {
    await mkdir(join(dir, path, '..'), { recursive: true });
    await writeFile(join(dir, path), content, { mode: executable.includes(path) ? 0o755 : 0o644 });
  }
  return dir;
}

describe('source:import', () => {
  it("writes the folder's files to the run's workspace, executable bits kept, with their digests in path order", async () => {
    const from = await folder({ 'package.json': '{"scripts":{"start":"node bin/serve.js"}}', 'bin/serve.js': 'listen(process.env.PORT)', 'logs/x.log': '', '.gitignore': 'logs/\n' }, ['bin/serve.js']);
    const step = createImportStep({ workspace: join(work, 'runs'), staticServer: server, runsImages: false });
    const output = await step.run({ ...context, input: { app: 'mine', description: 'my app', from } });
    expect(output).toMatchObject({ dir: join(work, 'runs', 'run-1', 'source'), kind: 'node', ignored: 1, spec: { name: 'mine', command: ['node', 'bin/serve.js'] } });
    expect(output.files.map((f) => [f.path, f.size])).toEqual([['.gitignore', 6], ['bin/serve.js', 24], ['package.json', 41]]);
    expect((await stat(join(output.dir, 'bin/serve.js'))).mode & 0o777).toBe(0o755);
    expect((await stat(join(output.dir, 'package.json'))).mode & 0o111).toBe(0);
  });

  it('writes a static site under public/ with the file server, afresh on a repeated run', async () => {
    const from = await folder({ 'index.html': '<h1>hi</h1>' });
    const step = createImportStep({ workspace: join(work, 'runs'), staticServer: server, runsImages: false });
    await mkdir(join(work, 'runs', 'run-1', 'source'), { recursive: true });
    await writeFile(join(work, 'runs', 'run-1', 'source', 'stale.txt'), 'from an earlier attempt');
    const output = await step.run({ ...context, input: { app: 'site', description: 'a site', from } });
    expect(output.files.map((f) => f.path)).toEqual(['package.json', 'public/index.html', 'server.js']);
    expect(await readFile(join(output.dir, 'server.js'), 'utf8')).toBe(server['server.js']);
    await expect(stat(join(output.dir, 'stale.txt'))).rejects.toThrow();
  });

  it('takes a Dockerfile only where images run', async () => {
    const from = await folder({ Dockerfile: 'FROM base\nEXPOSE 3000\nCMD ["node", "s.js"]\n', 's.js': '' });
    const input = { app: 'boxed', description: 'boxed', from };
    const refused = await createImportStep({ workspace: work, staticServer: server, runsImages: false }).run({ ...context, input }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(InputError);
    expect((refused as InputError).hint).toMatch(/podman/);
    const output = await createImportStep({ workspace: work, staticServer: server, runsImages: true }).run({ ...context, input });
    expect(output).toMatchObject({ kind: 'dockerfile', spec: { port: 3000, template: 'dockerfile' } });
  });
});
