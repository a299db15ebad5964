import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli, tempHome } from '../support/cli.ts';
import { killWhen } from '../support/kill-at.ts';
import { problemOf } from '../support/problem.ts';
import { commitsOf } from '../support/trailers.ts';
import { jsonOf, startServer } from '../support/serve.ts';

// Apps run as Node processes here; a Dockerfile app runs under podman (from-folder-dockerfile.test.ts).
const opts = tempHome('slipway-from-');
writeFileSync(join(opts.cwd, 'slipway.yaml'), 'local:\n  runtime: process\n');
const created: string[] = [];

afterAll(async () => {
  for (const app of created) await runCli(['delete', app], opts);
  // Each home holds its own image store: leave no copies behind.
  rmSync(opts.cwd, { recursive: true, force: true });
});

/** A folder the test makes, from its files. */
function folder(name: string, files: Record<string, string>): string {
  const dir = join(opts.cwd, name);
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  return dir;
}

/** A Node app answering with its version, on $PORT, with /healthz as Slipway asks. */
function nodeApp(version: string): Record<string, string> {
  return {
    'package.json': JSON.stringify({ name: 'hello', version, type: 'module', scripts: { start: 'node server.js' } }),
    'server.js': [
      "import { createServer } from 'node:http';",
      'createServer((req, res) => {',
      "  if (req.url === '/healthz') { res.writeHead(200); return res.end('ok'); }",
      "  res.writeHead(200, { 'content-type': 'text/plain' });",
      `  res.end('hello from v${version}\\n');`,
      "}).listen(Number(process.env.PORT || 8080), process.env.HOST || '0.0.0.0');",
    ].join('\n'),
    '.gitignore': 'debug.log\n',
    'debug.log': 'not shipped',
    'node_modules/left-pad/index.js': 'not shipped either',
  };
}

describe('slipway create --from <dir>', () => {
  it('ships a Node app folder: verified, committed as its source, running, and its URL answers', async () => {
    const dir = folder('hello-node', nodeApp('1.0.0'));
    const result = await runCli(['create', '--from', dir, '--json'], opts);
    expect(result.code, result.stdout + result.stderr).toBe(0);
    const report = JSON.parse(result.stdout);
    created.push(report.app);
    expect(report).toMatchObject({ app: 'hello-node', status: 'succeeded' });
    expect(report.timeline.map((s: { stepId: string }) => s.stepId)).toEqual(expect.arrayContaining(['source:import', 'source:verify', 'image:build', 'app:deploy']));
    expect(await (await fetch(report.url)).text()).toBe('hello from v1.0.0\n');
    const shipped = execFileSync('git', ['-C', join(opts.home, 'git', 'apps.git'), 'ls-tree', '-r', '--name-only', report.commits.source], { encoding: 'utf8' });
    expect(shipped.trim().split('\n')).toEqual(['hello-node/.gitignore', 'hello-node/package.json', 'hello-node/server.js']);
    const message = execFileSync('git', ['-C', join(opts.home, 'git', 'apps.git'), 'log', '-1', '--format=%B', report.commits.source], { encoding: 'utf8' });
    expect(message).toContain("hello-node: the code in hello-node\n\nShipped from a folder of code: a Node app started by its package.json's start script.");
    expect(message).toContain('Slipway-Action: source');
  });

  it('change --from ships a folder as the next version: v1.0.0 is replaced by v1.1.0, one change commit in each repo', async () => {
    const first = await runCli(['create', '--from', folder('greeter-v1', nodeApp('1.0.0')), '--name', 'greeter', '--json'], opts);
    expect(first.code, first.stdout + first.stderr).toBe(0);
    created.push('greeter');
    expect(JSON.parse(first.stdout)).toMatchObject({ version: 'v1.0.0' });
    const result = await runCli(['change', 'greeter', 'say', 'hello', 'from', 'v1.1.0', '--from', folder('greeter-v2', nodeApp('1.1.0')), '--json'], opts);
    expect(result.code, result.stdout + result.stderr).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report).toMatchObject({ app: 'greeter', kind: 'change', status: 'succeeded', version: 'v1.1.0' });
    expect(await (await fetch(report.url)).text()).toBe('hello from v1.1.0\n');
    const git = (repo: string, ...args: string[]) => execFileSync('git', ['-C', join(opts.home, 'git', repo), ...args], { encoding: 'utf8' });
    const source = git('apps.git', 'log', '-1', '--format=%B', report.commits.source);
    expect(source).toContain('greeter: say hello from v1.1.0');
    expect(source).toMatch(/2 files changed: \+0 added, 2 changed, 0 removed \(\+2 −2 lines\)/);
    expect(source).toContain('Slipway-Action: change');
    const gitops = git('gitops.git', 'log', '-1', '--format=%B', report.commits.gitops);
    expect(gitops).toContain('Slipway-Action: change');
    expect(gitops).toContain('Slipway-Version: v1.1.0');
    const versions = JSON.parse((await runCli(['versions', 'greeter', '--json'], opts)).stdout);
    expect(versions).toMatchObject({ current: 'v1.1.0' });
    expect(versions.versions.map((v: { version: string }) => v.version)).toEqual(['v1.1.0', 'v1.0.0']);
  });

  it('resumes a create --from killed after its source commit, shipping the files it read, one commit per repo', async () => {
    const dir = folder('resumed-folder', nodeApp('1.0.0'));
    const printed = await killWhen(['create', '--from', dir, '--name', 'resumed-folder'], /^✓ Commit the source /, opts);
    const runId = /Starting create of resumed-folder \((run-[^)]+)\)/.exec(printed)?.[1];
    expect(runId, printed).toBeDefined();
    created.push('resumed-folder');
    // What the folder holds now is not what the run read: the stored import is what ships.
    writeFileSync(join(dir, 'server.js'), 'this is not JavaScript');
    const resumed = await runCli(['resume', runId!, '--json'], opts);
    expect(resumed.code, resumed.stdout + resumed.stderr).toBe(0);
    const report = JSON.parse(resumed.stdout);
    expect(report).toMatchObject({ status: 'succeeded', kind: 'create', version: 'v1.0.0' });
    expect(await (await fetch(report.url)).text()).toBe('hello from v1.0.0\n');
    expect(commitsOf(opts.home, 'apps.git', 'resumed-folder').filter((c) => c.run === runId)).toHaveLength(1);
    expect(commitsOf(opts.home, 'gitops.git', 'resumed-folder').filter((c) => c.run === runId)).toHaveLength(1);
  });

  it('ships a static site folder under public/, served by Slipway’s file server', async () => {
    const dir = folder('my-site', { 'index.html': '<!doctype html><title>Mine</title><h1>My own site</h1>\n', 'css/site.css': 'h1 { color: teal; }\n' });
    const result = await runCli(['create', 'my own little site', '--from', dir, '--name', 'own-site', '--json'], opts);
    expect(result.code, result.stdout + result.stderr).toBe(0);
    const report = JSON.parse(result.stdout);
    created.push('own-site');
    expect(await (await fetch(report.url)).text()).toContain('<h1>My own site</h1>');
    expect(await (await fetch(new URL('/css/site.css', report.url))).text()).toBe('h1 { color: teal; }\n');
  });

  it('refuses a folder with a symbolic link out of it, before any run, exit 2', async () => {
    const dir = folder('leaky', nodeApp('1.0.0'));
    writeFileSync(join(opts.cwd, 'secret.txt'), 'do not ship');
    symlinkSync(join(opts.cwd, 'secret.txt'), join(dir, 'secret.txt'));
    const result = await runCli(['create', '--from', dir], opts);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`refused "secret.txt": it is a symbolic link to ${join(opts.cwd, 'secret.txt')}, outside the folder`);
    expect(JSON.parse((await runCli(['runs', '--json'], opts)).stdout).filter((r: { app: string }) => r.app === 'leaky')).toEqual([]);
  });

  it('refuses a folder that is too big, naming the limit', async () => {
    const dir = folder('huge', nodeApp('1.0.0'));
    writeFileSync(join(dir, 'video.mp4'), '');
    truncateSync(join(dir, 'video.mp4'), 21 * 1024 * 1024);
    const result = await runCli(['create', '--from', dir], opts);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("the folder's files hold more than 20971520 bytes (20 MiB), the limit for an app's source; video.mp4 passed it");
  });

  it('refuses a folder that holds no app, saying what it looked for', async () => {
    const dir = folder('notes', { 'notes.txt': 'just notes\n' });
    const result = await runCli(['create', '--from', dir], opts);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('it looked for a Dockerfile, a package.json with a "start" script, or an index.html');
    expect((await runCli(['create', '--from', join(opts.cwd, 'missing')], opts)).stderr).toContain(`no folder at ${join(opts.cwd, 'missing')}`);
  });

  it('is CLI only: the API refuses "from" with a 422 saying to use the CLI, and queues nothing', async () => {
    const dir = folder('over-http', nodeApp('1.0.0'));
    const server = await startServer(opts);
    try {
      const response = await fetch(`${server.url}/v1/apps`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ from: dir, name: 'over-http' }) });
      const problem = await problemOf(response, 422);
      expect(problem.detail).toContain('a folder is read on the machine running the command; use the CLI: slipway create --from <dir>');
      expect((await jsonOf(fetch(`${server.url}/v1/apps`))).apps.map((a: { app: string }) => a.app)).not.toContain('over-http');
    } finally {
      expect(await server.stop()).toBe(0);
    }
  });

  it('refuses a Dockerfile when apps run as processes, saying how it could run', async () => {
    const dir = folder('boxed', { ...nodeApp('1.0.0'), Dockerfile: 'FROM scratch\nEXPOSE 8080\nCMD ["node", "server.js"]\n' });
    const result = await runCli(['create', '--from', dir], opts);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('this folder brings a Dockerfile, but apps here run as Node processes');
  });
});
