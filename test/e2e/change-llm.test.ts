import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, runCli, tempHome } from '../support/cli.ts';
import { openAiFilesAnswer, startLlmServer, type LlmServer } from '../support/llm-server.ts';

const KEY = 'sk-local-test-key-0123456789';
let server: LlmServer;

beforeAll(async () => {
  server = await startLlmServer({ format: 'openai', apiKey: KEY });
});
const homes: string[] = [];
afterAll(async () => {
  await server?.close();
  for (const cwd of homes) rmSync(cwd, { recursive: true, force: true });
});

const fixture = (path: string) => readFileSync(join(REPO_ROOT, 'test', 'fixtures', 'llm', 'app', path), 'utf8');
const PAGE = fixture('public/index.html');
const SERVER = fixture('server.js');

/** A home whose model is the local OpenAI-format server, with a guestbook created (v1.0.0) by it. */
async function guestbook(name: string) {
  const opts = { ...tempHome('slipway-change-'), env: { SLIPWAY_LLM_BASE_URL: server.url, SLIPWAY_LLM_API_KEY: KEY, SLIPWAY_LLM_MODEL: 'gpt-4.1' } };
  homes.push(opts.cwd);
  writeFileSync(join(opts.cwd, 'slipway.yaml'), 'local:\n  runtime: process\n');
  server.reply({ fixture: 'openai/plan.json' }, { fixture: 'openai/files.json' });
  const created = await runCli(['create', 'a guestbook where visitors leave messages', '--name', name, '--json'], opts);
  expect(created.code, created.stdout + created.stderr).toBe(0);
  server.requests.length = 0;
  return { opts, url: JSON.parse(created.stdout).url as string };
}

/** The newest commit's Slipway trailers in one of the home's repos. */
function trailers(opts: { home: string }, repo: 'apps' | 'gitops'): Record<string, string> {
  const text = git(opts, repo, 'log', '-1', '--format=%(trailers:only,unfold)');
  return Object.fromEntries(text.trim().split('\n').map((line) => line.split(': ', 2) as [string, string]));
}

function git(opts: { home: string }, repo: 'apps' | 'gitops', ...args: string[]): string {
  return execFileSync('git', ['--git-dir', join(opts.home, 'git', `${repo}.git`), ...args], { encoding: 'utf8' });
}

describe('slipway change with a model', () => {
  it('sends the app and the request, and ships the one file the model edits as v1.1.0 in one source commit', async () => {
    const { opts } = await guestbook('guestbook');
    try {
      const edited = PAGE.replace('<h1>Guestbook</h1>', '<h1>Guestbook</h1>\n    <p class="welcome">Welcome, visitor!</p>');
      server.reply({ body: openAiFilesAnswer({ files: [{ path: 'public/index.html', content: edited }] }) });
      const sourceBefore = git(opts, 'apps', 'rev-list', '--count', 'main').trim();
      const result = await runCli(['change', 'guestbook', 'add a welcome line under the heading', '--json'], opts);
      expect(result.code, result.stdout + result.stderr).toBe(0);
      const report = JSON.parse(result.stdout);
      expect(report).toMatchObject({ kind: 'change', status: 'succeeded', version: 'v1.1.0' });
      expect(report.diff).toEqual({ files: [{ path: 'public/index.html', change: 'changed', linesAdded: 1, linesRemoved: 0 }], added: 0, changed: 1, removed: 0, linesAdded: 1, linesRemoved: 0 });
      expect(server.problems).toEqual([]);
      expect(server.requests).toHaveLength(1);
      const sent = JSON.stringify(server.requests[0]!.body);
      expect(sent).toContain('add a welcome line under the heading');
      expect(sent).toContain('<h1>Guestbook</h1>');
      expect(sent).not.toContain('SLIPWAY.md');

      // One source commit, saying what changed; the manifests commit says it is a change.
      expect(Number(git(opts, 'apps', 'rev-list', '--count', 'main'))).toBe(Number(sourceBefore) + 1);
      const message = git(opts, 'apps', 'log', '-1', '--format=%B');
      expect(message).toContain('guestbook: add a welcome line under the heading\n\nadd a welcome line under the heading\n\n1 file changed: +0 added, 1 changed, 0 removed (+1 −0 lines)\n  changed  public/index.html  +1 −0\n');
      expect(trailers(opts, 'apps')).toMatchObject({ 'Slipway-App': 'guestbook', 'Slipway-Run': report.runId, 'Slipway-Action': 'change' });
      expect(trailers(opts, 'gitops')).toMatchObject({ 'Slipway-Action': 'change', 'Slipway-Source': report.commits.source, 'Slipway-Version': 'v1.1.0' });
      expect(git(opts, 'apps', 'show', 'main:guestbook/public/index.html')).toBe(edited);
      expect(git(opts, 'apps', 'show', 'main:guestbook/server.js')).toBe(SERVER);

      const page = await (await fetch(report.url)).text();
      expect(page).toContain('Welcome, visitor!');
      const runs = JSON.parse((await runCli(['runs', 'guestbook', '--json'], opts)).stdout);
      expect(runs[0].timeline.find((s: { stepId: string }) => s.stepId === 'source:diff').status).toBe('succeeded');
      const versions = JSON.parse((await runCli(['versions', 'guestbook', '--json'], opts)).stdout);
      expect(versions.current).toBe('v1.1.0');
      expect(versions.versions.map((v: { version: string; action: string; request: string; generator: string }) => [v.version, v.action, v.request, v.generator])).toEqual([
        ['v1.1.0', 'change', 'add a welcome line under the heading', 'model gpt-4.1'],
        ['v1.0.0', 'create', 'a guestbook where visitors leave messages', 'model gpt-4.1'],
      ]);
    } finally {
      await runCli(['delete', 'guestbook'], opts);
    }
  });

  it('repairs a change that breaks the app, and ships the repaired version', async () => {
    const { opts } = await guestbook('guestbook-repaired');
    try {
      const broken = SERVER.replace("'node:http'", "'node:htp'");
      server.reply(
        { body: openAiFilesAnswer({ files: [{ path: 'server.js', content: broken }, { path: 'public/index.html', content: PAGE.replace('Guestbook</h1>', 'Guest Book</h1>') }] }) },
        { body: openAiFilesAnswer({ files: [{ path: 'server.js', content: SERVER }] }) },
      );
      const result = await runCli(['change', 'guestbook-repaired', 'write Guest Book in two words', '--json'], opts);
      expect(result.code, result.stdout + result.stderr).toBe(0);
      const report = JSON.parse(result.stdout);
      expect(report.version).toBe('v1.1.0');
      expect(server.requests).toHaveLength(2);
      expect(JSON.stringify(server.requests[1]!.body)).toContain('node:htp');
      expect(report.diff.files.map((f: { path: string }) => f.path)).toEqual(['public/index.html']);
      expect(await (await fetch(report.url)).text()).toContain('Guest Book</h1>');
    } finally {
      await runCli(['delete', 'guestbook-repaired'], opts);
    }
  });

  it('fails a change the model never repairs, leaving v1.0.0 running and answering, and commits nothing', async () => {
    const { opts, url } = await guestbook('guestbook-kept');
    try {
      const crash = (n: number) => ({ body: openAiFilesAnswer({ files: [{ path: 'server.js', content: `throw new Error('boom ${n}');\n` }] }) });
      server.reply(crash(1), crash(2), crash(3));
      const commits = [git(opts, 'apps', 'rev-parse', 'main'), git(opts, 'gitops', 'rev-parse', 'main')];
      const result = await runCli(['change', 'guestbook-kept', 'make it faster', '--json'], opts);
      expect(result.code).toBe(1);
      const report = JSON.parse(result.stdout);
      expect(report.error.stepId).toBe('source:verify');
      expect(report.error.message).toMatch(/after 3 attempts.*boom 3/s);
      expect([git(opts, 'apps', 'rev-parse', 'main'), git(opts, 'gitops', 'rev-parse', 'main')]).toEqual(commits);
      expect((await fetch(url)).status).toBe(200);
      const status = JSON.parse((await runCli(['status', 'guestbook-kept', '--json'], opts)).stdout);
      expect(status).toMatchObject({ state: 'running', url });
    } finally {
      await runCli(['delete', 'guestbook-kept'], opts);
    }
  });
});
