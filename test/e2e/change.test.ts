import { execFileSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempHome } from '../support/cli.ts';
import { killWhen } from '../support/kill-at.ts';
import { problemOf } from '../support/problem.ts';
import { jsonOf, readEvents, startServer, type RunningServer } from '../support/serve.ts';
import { commitsOf } from '../support/trailers.ts';

// Offline: no model is configured, so changes are the templates' own. One home for every case
// (each its own app), warm base image and layers.
const { home, cwd } = tempHome('slipway-change-');
writeFileSync(join(cwd, 'slipway.yaml'), 'local:\n  runtime: process\n');
const opts = { home, cwd };
const apps: string[] = [];

afterAll(async () => {
  for (const app of apps) await runCli(['delete', app], opts);
  rmSync(cwd, { recursive: true, force: true });
});

async function timer(name: string): Promise<string> {
  apps.push(name);
  const created = await runCli(['create', 'a pomodoro timer', '--name', name, '--json'], opts);
  expect(created.code, created.stdout + created.stderr).toBe(0);
  return JSON.parse(created.stdout).url;
}

const head = (repo: string) => execFileSync('git', ['--git-dir', join(home, 'git', repo), 'rev-parse', 'main'], { encoding: 'utf8' }).trim();

describe('slipway change without a model', () => {
  it('re-renders the template with a new title and colours: v1.1.0, and the page shows them', async () => {
    await timer('tomato');
    const result = await runCli(['change', 'tomato', 'set the title to "Deep Focus"', 'and make it dark with teal accents', '--json'], opts);
    expect(result.code, result.stdout + result.stderr).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report).toMatchObject({ kind: 'change', status: 'succeeded', version: 'v1.1.0' });
    expect(report.diff.files.map((f: { path: string; change: string }) => `${f.change} ${f.path}`)).toEqual(['changed README.md', 'changed public/index.html', 'changed public/styles.css']);
    const page = await (await fetch(report.url)).text();
    expect(page).toContain('<title>Deep Focus</title>');
    expect(page).toContain('<h1>Deep Focus</h1>');
    const styles = await (await fetch(new URL('styles.css', report.url))).text();
    expect(styles).toContain('#2dd4bf');

    // The next change starts from these parameters: the title stays, a patch is v1.1.1.
    const patched = JSON.parse((await runCli(['change', 'tomato', 'use orange', '--patch', '--json'], opts)).stdout);
    expect(patched).toMatchObject({ status: 'succeeded', version: 'v1.1.1' });
    expect(await (await fetch(patched.url)).text()).toContain('<title>Deep Focus</title>');
    expect(await (await fetch(new URL('styles.css', patched.url))).text()).toContain('#fb923c');
  });

  it('refuses a change only a model can make: exit 2, the reason and what to set, no run and no commit', async () => {
    const url = await timer('refused');
    const before = [head('apps.git'), head('gitops.git')];
    const runs = JSON.parse((await runCli(['runs', 'refused', '--json'], opts)).stdout).length;
    const result = await runCli(['change', 'refused', 'make the timer digits larger and add a reset button'], opts);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe([
      'error: the offline templates cannot make "make the timer digits larger" happen: they change an app\'s title, heading, description, theme and colours (and a timer\'s mode) only, so this change needs a model',
      '  → Configure a model: set `llm:` (provider and models) in slipway.yaml, or OPENAI_API_KEY (or another provider\'s variable, see "AI generation" in the README), then ask again.',
      '',
    ].join('\n'));
    expect([head('apps.git'), head('gitops.git')]).toEqual(before);
    expect(JSON.parse((await runCli(['runs', 'refused', '--json'], opts)).stdout)).toHaveLength(runs);
    expect((await fetch(url)).status).toBe(200);

    const unknown = await runCli(['change', 'no-such-app', 'make it dark'], opts);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("no app named 'no-such-app'");
    const both = await runCli(['change', 'refused', 'make it dark', '--patch', '--major'], opts);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('--patch and --major cannot both be given');
  });

  it('resumes a change killed while its image is built, to exactly one commit per repo', async () => {
    await timer('resumed');
    const printed = await killWhen(['change', 'resumed', 'make it dark'], /^✓ Commit the source /, opts);
    const runId = /Starting change of resumed \((run-[^)]+)\)/.exec(printed)?.[1];
    expect(runId, printed).toBeDefined();
    const [interrupted] = JSON.parse((await runCli(['runs', 'resumed', '--json'], opts)).stdout);
    expect(interrupted).toMatchObject({ id: runId, kind: 'change', status: 'interrupted' });

    const resumed = await runCli(['resume', runId!, '--json'], opts);
    expect(resumed.code, resumed.stdout + resumed.stderr).toBe(0);
    const report = JSON.parse(resumed.stdout);
    expect(report).toMatchObject({ status: 'succeeded', kind: 'change', version: 'v1.1.0' });
    expect(commitsOf(home, 'apps.git', 'resumed').filter((c) => c.run === runId)).toHaveLength(1);
    expect(commitsOf(home, 'gitops.git', 'resumed').filter((c) => c.run === runId)).toHaveLength(1);
    expect(await (await fetch(new URL('styles.css', report.url))).text()).toContain('color-scheme: dark');
  });
});

describe('POST /v1/apps/{app}/changes', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer({ home, cwd });
  });
  afterAll(async () => {
    expect(await server?.stop()).toBe(0);
  });
  const post = (path: string, body: unknown) => fetch(`${server.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

  it('accepts a change (202), runs it to a new version, and refuses what it cannot do with a problem', async () => {
    await timer('api-timer');
    const accepted = await post('/v1/apps/api-timer/changes', { request: 'set the heading to "Breathe"', bump: 'major' });
    const body = await jsonOf(accepted);
    expect(accepted.status, JSON.stringify(body)).toBe(202);
    expect(body).toMatchObject({ app: 'api-timer', kind: 'change', status: 'queued' });
    expect(accepted.headers.get('location')).toBe(`/v1/runs/${body.runId}`);
    const events = await readEvents(`${server.url}/v1/runs/${body.runId}/events`);
    expect(JSON.parse(events.at(-1)!.data)).toMatchObject({ type: 'run:end', status: 'succeeded' });
    const run = await jsonOf(fetch(`${server.url}/v1/runs/${body.runId}`));
    expect(run.version).toBe('v2.0.0');
    expect(await (await fetch(run.url)).text()).toContain('<h1>Breathe</h1>');

    const needsModel = await problemOf(await post('/v1/apps/api-timer/changes', { request: 'add a reset button' }), 422);
    expect(needsModel).toMatchObject({ detail: expect.stringContaining('this change needs a model'), hint: expect.stringContaining('OPENAI_API_KEY') });
    const fromFolder = await problemOf(await post('/v1/apps/api-timer/changes', { from: '/srv/code' }), 422);
    expect(fromFolder).toMatchObject({ detail: expect.stringContaining('from names a folder on the machine that runs the command') });
    await problemOf(await post('/v1/apps/nothing-here/changes', { request: 'make it dark' }), 404);
    expect((await problemOf(await post('/v1/apps/api-timer/changes', { request: 'make it dark', bump: 'huge' }), 422)).detail).toBe('bump: bump must be minor, patch or major');
  });

  it('is what `slipway change --server` calls', async () => {
    const result = await runCli(['--server', server.url, 'change', 'api-timer', 'make it light', '--json'], opts);
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ kind: 'change', status: 'succeeded', version: 'v2.1.0' });
    const refused = await runCli(['--server', server.url, 'change', 'api-timer', 'add a reset button'], opts);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('this change needs a model');
  });
});
