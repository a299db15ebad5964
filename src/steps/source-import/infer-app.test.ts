import { describe, expect, it } from 'vitest';
import { InputError } from '../../domain/index.ts';
import type { FolderFile } from './folder-reader.ts';
import { inferApp } from './infer-app.ts';

const server = { 'server.js': '// the file server\n' };
const app = { name: 'mine', description: 'my app' };
const files = (entries: Record<string, string>): FolderFile[] =>
  Object.entries(entries).map(([path, content]) => ({ path, content: Buffer.from(content), executable: false }));
const refusal = (entries: Record<string, string>): InputError => {
  try {
    inferApp(files(entries), app, server);
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    return error as InputError;
  }
  throw new Error('inferApp accepted the folder');
};

describe('inferApp', () => {
  it('honours a Dockerfile first: the port of its last EXPOSE, its ENTRYPOINT and CMD', () => {
    const dockerfile = 'FROM base AS build\nEXPOSE 9999\nFROM base\nexpose 3000/tcp\nENTRYPOINT ["node"]\nCMD ["server.js"]\n';
    const imported = inferApp(files({ Dockerfile: dockerfile, 'package.json': '{"scripts":{"start":"node x.js"}}' }), app, server);
    expect(imported.kind).toBe('dockerfile');
    expect(imported.spec).toMatchObject({ name: 'mine', template: 'dockerfile', port: 3000, command: ['node', 'server.js'] });
    expect(inferApp(files({ Dockerfile: 'FROM b\nEXPOSE 80\nCMD npm \\\n  start\n' }), app, server).spec.command).toEqual(['/bin/sh', '-c', 'npm    start']);
  });

  it('refuses a Dockerfile without EXPOSE or without a command', () => {
    expect(refusal({ Dockerfile: 'FROM b\nCMD ["node"]\n' }).message).toMatch(/the Dockerfile says no port/);
    expect(refusal({ Dockerfile: 'FROM b\nEXPOSE 8080\n' }).message).toMatch(/no CMD or ENTRYPOINT/);
  });

  it('runs a Node app with its start script on $PORT', () => {
    const imported = inferApp(files({ 'package.json': '{"scripts":{"start":"node src/main.js --quiet"}}', 'src/main.js': 'listen(process.env.PORT)' }), app, server);
    expect(imported).toMatchObject({ kind: 'node', spec: { template: 'folder', runtime: 'node', port: 8080, command: ['node', 'src/main.js', '--quiet'] } });
    expect(imported.files.map((f) => f.path)).toEqual(['package.json', 'src/main.js']);
  });

  it('refuses start scripts that need a shell, and apps that never read PORT', () => {
    expect(refusal({ 'package.json': '{"scripts":{"start":"npm run build && node x.js"}}', 'x.js': 'PORT' }).message).toMatch(/must read "node <file> \[arguments\]"/);
    expect(refusal({ 'package.json': '{"scripts":{"start":"node x.js"}}', 'x.js': 'listen(3000)' }).message).toMatch(/never reads PORT/);
    expect(refusal({ 'package.json': '{not json' }).message).toMatch(/package.json is not valid JSON/);
  });

  it('serves a folder with an index.html as a static site under public/', () => {
    const imported = inferApp(files({ 'index.html': '<h1>hi</h1>', 'css/site.css': 'h1{}' }), app, server);
    expect(imported.kind).toBe('static');
    expect(imported.spec).toMatchObject({ runtime: 'static', command: ['node', 'server.js'], port: 8080 });
    expect(imported.files.map((f) => f.path)).toEqual(['public/index.html', 'public/css/site.css', 'package.json', 'server.js']);
    expect(JSON.parse(imported.files[2]!.content.toString())).toMatchObject({ name: 'mine', type: 'module', scripts: { start: 'node server.js' } });
  });

  it('says what it looked for when the folder is no app', () => {
    const error = refusal({ 'notes.txt': 'hello' });
    expect(error.message).toBe('the folder holds no app Slipway can run: it looked for a Dockerfile, a package.json with a "start" script, or an index.html, and it has none of them');
    expect(refusal({ 'package.json': '{"scripts":{"test":"vitest"}}' }).message).toMatch(/its package.json has no "start" script$/);
  });
});
