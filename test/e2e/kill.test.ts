import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli, tempHome } from '../support/cli.ts';
import { killWhen as killAt } from '../support/kill-at.ts';
import { commitsOf } from '../support/trailers.ts';

// `kill -9` at any moment of a run: the run then reads `interrupted` with the command that continues
// it, and `slipway resume` finishes it with exactly one commit per repository. One home for all
// cases (each its own app), so the base image, layers and repositories are warm.
const { home, cwd } = tempHome('slipway-kill-');
const config = join(cwd, 'kill.yaml');
writeFileSync(config, 'local:\n  runtime: process\n');
const opts = { home, cwd, env: { SLIPWAY_CONFIG: config } };
const apps: string[] = [];

afterAll(async () => {
  for (const app of apps) await runCli(['delete', app], opts);
  rmSync(cwd, { recursive: true, force: true });
});

const CREATE_STEPS: Array<[string, string]> = [
  ['version:next', 'Number the version'],
  ['app:plan', 'Plan the app'],
  ['source:generate', 'Generate the source'],
  ['source:verify', 'Verify the app starts'],
  ['source:provenance', 'Record how the app was made'],
  ['source:commit', 'Commit the source'],
  ['image:build', 'Build and push the image'],
  ['manifests:render', 'Render the manifests'],
  ['manifests:commit', 'Commit the manifests'],
  ['app:deploy', 'Start the app'],
  ['app:await', 'Wait until it answers'],
];
const DELETE_STEPS: Array<[string, string]> = [
  ['app:stop', 'Stop the app'],
  ['database:remove', "Delete the app's data"],
  ['source:remove', 'Remove the source'],
  ['manifests:remove', 'Remove the manifests'],
];

function killWhen(args: string[], line: RegExp): Promise<string> {
  return killAt(args, line, opts);
}

function lineBefore(steps: Array<[string, string]>, index: number): RegExp {
  return index === 0 ? /^Starting (create|delete) of / : new RegExp(`^✓ ${steps[index - 1]![1]} `);
}

/** Commits by app and run in a bare repository of this home, read from their trailers. */
function commits(bare: string, app: string): Array<{ sha: string; run: string }> {
  return commitsOf(home, bare, app);
}

async function json(args: string[]) {
  const result = await runCli([...args, '--json'], opts);
  expect(result.stderr).toBe('');
  return JSON.parse(result.stdout);
}

/** The interrupted run as `runs` shows it (text and JSON), its id. */
async function expectInterrupted(app: string, kind: string, steps: Array<[string, string]>, index: number): Promise<string> {
  const [run] = await json(['runs', app]);
  expect(run).toMatchObject({ kind, status: 'interrupted', error: { name: 'Interrupted', hint: `Continue it with: slipway resume ${run.id}` } });
  // Every step before the line finished. SIGKILL lands a little after the line: before the next
  // step starts, as it starts, or (a step of a few milliseconds) once it is done.
  const done = run.timeline.filter((s: { status: string }) => s.status === 'succeeded').map((s: { stepId: string }) => s.stepId);
  expect(done.length).toBeGreaterThanOrEqual(index);
  expect(done).toEqual(steps.slice(0, done.length).map(([id]) => id));
  const stopped = run.timeline.filter((s: { status: string }) => s.status !== 'succeeded');
  expect(stopped.map((s: { status: string }) => s.status)).toEqual(stopped.length ? ['interrupted'] : []);
  if (stopped.length) expect(run.error.stepId).toBe(stopped[0].stepId);
  const text = await runCli(['runs', app], opts);
  expect(text.stdout).toContain(`${run.id}  ${kind.padEnd(6)} ${app}  interrupted`);
  expect(text.stdout).toContain(`→ Continue it with: slipway resume ${run.id}`);
  return run.id;
}

describe('a create killed with SIGKILL', () => {
  it.each(CREATE_STEPS.map(([stepId], i) => [stepId, i] as const))('as %s starts: interrupted, then resumed with one commit per repo', async (_stepId, i) => {
    const app = `kill-create-${i}`;
    apps.push(app);
    await killWhen(['create', 'a pomodoro timer', '--name', app, '--template', 'timer'], lineBefore(CREATE_STEPS, i));
    const runId = await expectInterrupted(app, 'create', CREATE_STEPS, i);

    // `list` and `status` say so, with the commits the run has made so far.
    const listed = (await json(['list'])).find((a: { name: string }) => a.name === app);
    expect(listed).toMatchObject({ state: 'interrupted', next: `slipway resume ${runId}` });
    // What the run committed before it was killed (a commit may have landed as the kill did).
    expect(listed.commits.source).toBe(commits('apps.git', app)[0]?.sha);
    expect(listed.commits.gitops).toBe(commits('gitops.git', app)[0]?.sha);
    if (i > CREATE_STEPS.findIndex(([id]) => id === 'source:commit')) expect(listed.commits.source).toMatch(/^[0-9a-f]{40}$/);
    const table = await runCli(['list'], opts);
    expect(table.stdout).toMatch(new RegExp(`^${app}\\s+interrupted\\s`, 'm'));
    expect(table.stdout).toContain(`→ ${app}: continue with slipway resume ${runId}`);
    expect(await json(['status', app])).toMatchObject({ state: 'interrupted', next: `slipway resume ${runId}` });

    const resumed = await runCli(['resume', runId], opts);
    expect(resumed.stderr).toBe('');
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toContain(`Shipped ${app}`);
    expect(commits('apps.git', app).map((c) => c.run)).toEqual([runId]);
    expect(commits('gitops.git', app).map((c) => c.run)).toEqual([runId]);
    const [run] = await json(['runs', app]);
    expect(run).toMatchObject({ id: runId, status: 'succeeded' });
    expect((await json(['list'])).find((a: { name: string }) => a.name === app)).toMatchObject({ state: 'running' });
  });
});

describe('a delete killed with SIGKILL', () => {
  it.each(DELETE_STEPS.map(([stepId], i) => [stepId, i] as const))('as %s starts: interrupted, then resumed with one commit per repo', async (_stepId, i) => {
    const app = `kill-delete-${i}`;
    const created = await runCli(['create', 'a pomodoro timer', '--name', app, '--template', 'timer'], opts);
    expect(created.code).toBe(0);
    apps.push(app);
    await killWhen(['delete', app], lineBefore(DELETE_STEPS, i));
    const runId = await expectInterrupted(app, 'delete', DELETE_STEPS, i);
    expect((await json(['list'])).find((a: { name: string }) => a.name === app)).toMatchObject({ state: 'interrupted', next: `slipway resume ${runId}` });

    const resumed = await runCli(['resume', runId], opts);
    expect(resumed.stderr).toBe('');
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toContain(`Deleted ${app}`);
    apps.splice(apps.indexOf(app), 1);
    for (const bare of ['apps.git', 'gitops.git']) {
      const made = commits(bare, app);
      expect(made).toHaveLength(2);
      expect(made.filter((c) => c.run === runId)).toHaveLength(1);
    }
    expect((await json(['list'])).find((a: { name: string }) => a.name === app)).toBeUndefined();
  });
});

describe('a killed create whose app is deleted before it is resumed', () => {
  it('is not resumed: exit 2, naming the delete run', async () => {
    const app = 'kill-then-delete';
    await killWhen(['create', 'a pomodoro timer', '--name', app, '--template', 'timer'], /^✓ Commit the source /);
    const runId = await expectInterrupted(app, 'create', CREATE_STEPS, 5);
    const deleted = await runCli(['delete', app, '--json'], opts);
    expect(deleted.code).toBe(0);
    const resumed = await runCli(['resume', runId], opts);
    expect(resumed.code).toBe(2);
    expect(resumed.stderr).toContain(`error: app '${app}' was deleted by run ${JSON.parse(deleted.stdout).runId}`);
    expect(resumed.stdout).not.toContain('Shipped');
    expect((await json(['list'])).find((a: { name: string }) => a.name === app)).toBeUndefined();
  });
});
