import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { DatabaseSync } from 'node:sqlite';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { runCli, spawnCli, tempHome } from '../support/cli.ts';

const { home, cwd } = tempHome();
// The process runtime here; test/e2e/podman.test.ts runs the same path with podman.
writeFileSync(join(cwd, 'slipway.yaml'), 'local:\n  runtime: process\n');
const opts = { home, cwd };
const created: string[] = [];

function gitLog(bare: string, path?: string): Array<{ sha: string; subject: string; app: string; run: string }> {
  const out = execFileSync('git', ['--git-dir', bare, 'log', '--format=%H%x1f%s%x1f%(trailers:key=Slipway-App,valueonly)%x1f%(trailers:key=Slipway-Run,valueonly)%x1e', 'main', ...(path ? ['--', path] : [])], { encoding: 'utf8' });
  return out.split('\x1e').map((r) => r.trim()).filter(Boolean).map((r) => {
    const [sha, subject, app, run] = r.split('\x1f');
    return { sha: sha!, subject: subject!, app: app!.trim(), run: run!.trim() };
  });
}

afterAll(async () => {
  for (const app of created) await runCli(['delete', app], opts);
});

describe('slipway CLI on the embedded default', () => {
  let app: string;
  let runId: string;

  it('creates a pomodoro timer, commits source and manifests with trailers, and serves it', async () => {
    const result = await runCli(['create', 'a pomodoro timer', '--json'], opts);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout);
    app = report.app;
    runId = report.runId;
    created.push(app);
    expect(report).toMatchObject({ app: 'pomodoro-timer', status: 'succeeded', template: 'timer' });
    expect(report.commits.source).toMatch(/^[0-9a-f]{40}$/);
    expect(report.commits.gitops).toMatch(/^[0-9a-f]{40}$/);
    expect(report.timeline.map((s: { stepId: string }) => s.stepId)).toEqual([
      'version:next', 'app:plan', 'source:generate', 'source:verify', 'source:provenance', 'source:commit', 'image:build', 'manifests:render', 'manifests:commit', 'app:deploy', 'app:await',
    ]);
    expect(report.timeline.every((s: { durationMs: number }) => s.durationMs >= 0)).toBe(true);

    const page = await fetch(report.url);
    expect(page.status).toBe(200);
    expect(await page.text()).toMatch(/Pomodoro/i);
    expect((await fetch(new URL('/healthz', report.url))).status).toBe(200);

    // The source carries its provenance.
    const provenance = execFileSync('git', ['--git-dir', join(home, 'git', 'apps.git'), 'show', `main:${app}/SLIPWAY.md`], { encoding: 'utf8' });
    expect(provenance).toContain(runId);
    expect(provenance).toContain('timer');

    const sourceLog = gitLog(join(home, 'git', 'apps.git'));
    expect(sourceLog).toHaveLength(1);
    expect(sourceLog[0]).toMatchObject({ sha: report.commits.source, app, run: runId });
    const gitopsLog = gitLog(join(home, 'git', 'gitops.git'));
    expect(gitopsLog[0]).toMatchObject({ sha: report.commits.gitops, app, run: runId });

    const files = execFileSync('git', ['--git-dir', join(home, 'git', 'gitops.git'), 'ls-tree', '-r', '--name-only', 'main'], { encoding: 'utf8' }).trim().split('\n');
    expect(files).toEqual(expect.arrayContaining([
      `kubernetes/apps/dynamic/kustomization.yaml`,
      `kubernetes/apps/dynamic/${app}/ks.yaml`,
      `kubernetes/apps/dynamic/${app}/app/deployment.yaml`,
      `kubernetes/apps/dynamic/${app}/app/service.yaml`,
      `kubernetes/apps/dynamic/${app}/app/httproute.yaml`,
      `kubernetes/apps/dynamic/${app}/app/kustomization.yaml`,
    ]));
    const parent = parse(execFileSync('git', ['--git-dir', join(home, 'git', 'gitops.git'), 'show', 'main:kubernetes/apps/dynamic/kustomization.yaml'], { encoding: 'utf8' }));
    expect(parent.resources).toContain(`./${app}/ks.yaml`);
    // The manifests pin the image Slipway built, by digest, tagged with the version, the short source commit and the environment.
    const deployment = parse(execFileSync('git', ['--git-dir', join(home, 'git', 'gitops.git'), 'show', `main:kubernetes/apps/dynamic/${app}/app/deployment.yaml`], { encoding: 'utf8' }));
    const image: string = deployment.spec.template.spec.containers[0].image;
    expect(image).toMatch(new RegExp(`/${app}:v1\\.0\\.0-${report.commits.source.slice(0, 7)}-prod@sha256:[0-9a-f]{64}$`));
    // One OCI layout holds every app's images, each tagged <app>_<image tag>.
    const layout = JSON.parse(readFileSync(join(home, 'images', 'index.json'), 'utf8'));
    expect(layout.manifests).toContainEqual(expect.objectContaining({
      digest: image.split('@')[1],
      annotations: { 'org.opencontainers.image.ref.name': `${app}_v1.0.0-${report.commits.source.slice(0, 7)}-prod` },
    }));
    expect(existsSync(join(home, 'logs', `${app}.log`))).toBe(true);
  });

  it('lists the app and shows its status with commit SHAs', async () => {
    const list = await runCli(['list', '--json'], opts);
    expect(list.code).toBe(0);
    const apps = JSON.parse(list.stdout);
    const entry = apps.find((a: { name: string }) => a.name === app);
    expect(entry).toMatchObject({ state: 'running', runtimeState: 'running', template: 'timer', lastRunId: runId });
    expect(entry.commits.source).toMatch(/^[0-9a-f]{40}$/);

    const status = await runCli(['status', app, '--json'], opts);
    expect(status.code).toBe(0);
    const s = JSON.parse(status.stdout);
    expect(s.recentCommits.source[0].trailers['Slipway-Run']).toBe(runId);
    expect(s.recentCommits.gitops[0].sha).toBe(entry.commits.gitops);

    const human = await runCli(['status', app], opts);
    expect(human.stdout).toContain(`${app}: running`);
    const runs = await runCli(['runs', app], opts);
    expect(runs.stdout).toContain(runId);
    expect(runs.stdout).toContain('source:commit');
  });

  it('gives a second app from the same description a unique name', async () => {
    const result = await runCli(['create', 'a pomodoro timer', '--template', 'static-site', '--json'], opts);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout);
    created.push(report.app);
    expect(report.app).toBe('pomodoro-timer-2');
    expect(report.template).toBe('static-site');
  });

  it.each([
    [['create', 'x', '--name', 'Bad_Name'], /DNS-1123/],
    [['create', 'x', '--name', 'kube-thing'], /reserved prefix 'kube-'/],
    [['create', 'x', '--name', 'slipway'], /reserved/],
    [['create', '   '], /description is empty/],
    [['create', 'x', '--template', 'nope'], /unknown template 'nope'; known templates: /],
    // The templates' shared parts sit in templates/_parts/, which is not a template.
    [['create', 'x', '--template', '_parts'], /unknown template '_parts'; known templates: (?!.*_parts)/],
    [['create', 'x', '--name', 'pomodoro-timer'], /exists already/],
    [['delete', 'no-such-app'], /no app named 'no-such-app'/],
    [['resume', 'nonsense'], /not a run id/],
    [['create'], /missing the description: say what the app should be/],
  ])('refuses bad input %j with exit 2 and a message naming the rule', async (args, message) => {
    const result = await runCli(args, opts);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
  });

  it('finishes a killed run with `resume`, without duplicate commits', async () => {
    const child = spawnCli(['create', 'a todo list', '--name', 'killed-todo', '--json'], opts);
    created.push('killed-todo');
    // Kill the CLI as soon as the source commit is recorded (the GitOps commit and start are still to come).
    const db = join(home, 'state.db');
    let killedRun: string | undefined;
    for (let i = 0; i < 400 && !killedRun; i++) {
      await new Promise((r) => setTimeout(r, 10));
      if (!existsSync(db)) continue;
      const store = new DatabaseSync(db, { readOnly: true, timeout: 5000 });
      try {
        const row = store.prepare("SELECT run_id FROM steps s JOIN runs r ON r.id = s.run_id WHERE r.app = 'killed-todo' AND s.step_id = 'source:commit' AND s.status = 'succeeded'").get() as { run_id: string } | undefined;
        if (row) killedRun = row.run_id;
      } finally {
        store.close();
      }
    }
    child.kill('SIGKILL');
    await new Promise((r) => child.once('close', r));
    expect(killedRun).toBeDefined();

    const before = await runCli(['runs', 'killed-todo', '--json'], opts);
    const interrupted = JSON.parse(before.stdout)[0];
    // Its process is gone: the run reads interrupted, with the command that continues it.
    expect(interrupted).toMatchObject({ status: 'interrupted', error: { hint: `Continue it with: slipway resume ${killedRun}` } });

    const resumed = await runCli(['resume', killedRun!, '--json'], opts);
    expect(resumed.code).toBe(0);
    const report = JSON.parse(resumed.stdout);
    expect(report).toMatchObject({ app: 'killed-todo', status: 'succeeded', runId: killedRun });
    expect((await fetch(report.url)).status).toBe(200);

    const source = gitLog(join(home, 'git', 'apps.git'), 'killed-todo');
    const gitops = gitLog(join(home, 'git', 'gitops.git'), 'kubernetes/apps/dynamic/killed-todo');
    expect(source.map((c) => c.run)).toEqual([killedRun]);
    expect(gitops.map((c) => c.run)).toEqual([killedRun]);

    // Resuming a finished run changes nothing.
    const again = await runCli(['resume', killedRun!, '--json'], opts);
    expect(again.code).toBe(0);
    expect(gitLog(join(home, 'git', 'apps.git'), 'killed-todo')).toHaveLength(1);
  });

  it('deletes an app: stops it, removes it from both repos in one commit each, forgets it', async () => {
    const status = JSON.parse((await runCli(['status', app, '--json'], opts)).stdout);
    const result = await runCli(['delete', app, '--json'], opts);
    expect(result.code).toBe(0);
    created.splice(created.indexOf(app), 1);
    await expect(fetch(status.url)).rejects.toThrow();
    const gitops = execFileSync('git', ['--git-dir', join(home, 'git', 'gitops.git'), 'ls-tree', '-r', '--name-only', 'main'], { encoding: 'utf8' });
    expect(gitops).not.toContain(`/${app}/`);
    const parent = parse(execFileSync('git', ['--git-dir', join(home, 'git', 'gitops.git'), 'show', 'main:kubernetes/apps/dynamic/kustomization.yaml'], { encoding: 'utf8' }));
    expect(parent.resources).not.toContain(`./${app}/ks.yaml`);
    const removal = gitLog(join(home, 'git', 'apps.git'), app);
    expect(removal[0]!.subject).toBe(`${app}: remove`);
    expect(removal).toHaveLength(2);
    expect((await runCli(['status', app], opts)).code).toBe(2);
    expect(readFileSync(join(home, 'logs', `${app}.log`), 'utf8')).toBeDefined();
  });

  it('reports a failing run with its stage, reason and next step, and exit 1', async () => {
    const broken = tempHome();
    writeFileSync(join(broken.cwd, 'slipway.yaml'), 'git:\n  gitops:\n    url: /nonexistent/gitops.git\n');
    const result = await runCli(['create', 'a timer', '--json'], broken);
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout);
    expect(report.status).toBe('failed');
    expect(report.error.stepId).toBe('manifests:commit');
    expect(report.error.message).toMatch(/git/);
    const human = await runCli(['resume', report.runId], broken);
    expect(human.code).toBe(1);
    expect(human.stderr).toContain('at step manifests:commit');
    expect(human.stderr).toContain(`slipway resume ${report.runId}`);
    const missing = await runCli(['create', 'a timer', '--json'], { ...tempHome(), env: { SLIPWAY_CONFIG: 'missing.yaml' } });
    expect(missing.code).toBe(2);
    expect(missing.stdout).toContain('does not exist');
  });

  it('doctor checks the parts and says how to fix them', async () => {
    const result = await runCli(['doctor', '--json'], opts);
    const report = JSON.parse(result.stdout);
    expect(report.checks.map((c: { name: string }) => c.name)).toEqual(expect.arrayContaining(['node', 'config', 'home', 'git', 'source repo', 'gitops repo', 'registry', 'podman']));
    expect(result.code).toBe(report.ok ? 0 : 1);
    const broken = tempHome();
    const unreachable = await runCli(['doctor'], { ...broken, env: { SLIPWAY_CONFIG: join(broken.cwd, 's.yaml') } });
    expect(unreachable.code).toBe(1);
    // A registry that is not there is named, with what to do.
    writeFileSync(join(broken.cwd, 'slipway.yaml'), 'registry:\n  host: 127.0.0.1:9\n  insecure: true\n');
    const noRegistry = await runCli(['doctor', '--json'], broken);
    expect(noRegistry.code).toBe(1);
    const check = JSON.parse(noRegistry.stdout).checks.find((c: { name: string }) => c.name === 'registry');
    expect(check).toMatchObject({ status: 'fail', fix: 'Is the registry running at 127.0.0.1:9?' });
  });
});

describe('slipway command line', () => {
  it.each([
    [['build', '.', '--image', 'oci:out:1', '--entrypiont', 'node x.js'], /error: unknown option '--entrypiont' \(did you mean --entrypoint\?\)/],
    [['stauts', 'x'], /error: unknown command 'stauts' \(did you mean status\?\)/],
    [['runs', '--limit', '0'], /--limit must be a whole number from 1 to 1000000, not "0"/],
  ])('refuses %j with exit 2, says why, and creates no home', async (args, message) => {
    const box = tempHome();
    const result = await runCli(args, box);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).toContain('(run with --help for usage)');
    expect(existsSync(box.home)).toBe(false);
  });

  it('shows each command its help, with its defaults, and exits 0', async () => {
    const result = await runCli(['init', '--help'], tempHome());
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Usage: slipway init [options]');
    expect(result.stdout).toMatch(/--receiver-token-env <name>\s+environment variable holding the Receiver token\s+\(default: "FLUX_RECEIVER_TOKEN"\)/);
  });
});
