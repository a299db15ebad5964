import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probePodman } from '../../src/adapters/runtime/podman-probe.ts';
import { containerName } from '../../src/adapters/runtime/podman-runtime.ts';
import { runCli, SHARED_CACHE, tempHome } from '../support/cli.ts';

const podmanRuns = (await probePodman({ cacheDir: SHARED_CACHE, path: process.env.PATH! })).usable;
const { home, cwd } = tempHome('slipway-state-');
writeFileSync(join(cwd, 'slipway.yaml'), 'local:\n  runtime: process\n');
const opts = { home, cwd };
const stateFile = join(home, 'state.db');
const apps = ['timer', 'notes'];
const urls = new Map<string, string>();

const damages: Array<[string, () => void]> = [
  ['truncated to nothing', () => truncateSync(stateFile, 0)],
  ['truncated half-way', () => truncateSync(stateFile, Math.floor(statSync(stateFile).size / 2))],
  ['overwritten with garbage', () => writeFileSync(stateFile, 'this is not a database\n'.repeat(200))],
  ['deleted', () => rmSync(stateFile)],
];

function commitsFor(repo: string, app: string): number {
  const out = execFileSync('git', ['--git-dir', join(home, 'git', repo), 'log', '--format=%(trailers:key=Slipway-App,valueonly)%x1e', 'main'], { encoding: 'utf8' });
  return out.split('\x1e').map((r) => r.trim()).filter((a) => a === app).length;
}

beforeAll(async () => {
  for (const [name, description] of [['timer', 'a pomodoro timer'], ['notes', 'a notes api']] as const) {
    const result = await runCli(['create', description, '--name', name, '--json'], opts);
    expect(result.code, result.stderr).toBe(0);
    urls.set(name, JSON.parse(result.stdout).url);
  }
}, 300_000);

afterAll(async () => {
  for (const app of apps) await runCli(['delete', app], opts);
});

describe('a fresh home', () => {
  it('just works: no apps, no runs, doctor passes the state check', async () => {
    const fresh = tempHome('slipway-state-fresh-');
    writeFileSync(join(fresh.cwd, 'slipway.yaml'), 'local:\n  runtime: process\n');
    expect(await runCli(['list'], fresh)).toMatchObject({ code: 0, stdout: expect.stringContaining('No apps yet') });
    // The repos now exist, empty: still a fresh home.
    expect(existsSync(join(fresh.home, 'git', 'apps.git', 'HEAD'))).toBe(true);
    rmSync(join(fresh.home, 'state.db'));
    expect(await runCli(['runs'], fresh)).toMatchObject({ code: 0, stdout: expect.stringContaining('No runs yet') });
    expect((await runCli(['doctor'], fresh)).stdout).toMatch(/✓ state/);
  });
});

describe.each(damages)('a state file %s after real creates', (_kind, damage) => {
  it('is detected and named by every command that reads state, and by doctor', async () => {
    damage();
    for (const args of [['list'], ['runs'], ['status', 'timer'], ['delete', 'timer'], ['create', 'a pomodoro timer', '--name', 'timer']]) {
      const result = await runCli(args, opts);
      expect(result.code, `${args.join(' ')}: ${result.stdout}`).toBe(2);
      expect(result.stderr).toContain(stateFile);
      expect(result.stderr).toContain('slipway repair');
    }
    const doctor = await runCli(['doctor'], opts);
    expect(doctor.code).toBe(1);
    expect(doctor.stdout).toMatch(new RegExp(`✗ state .*${stateFile.replace(/[.]/g, '\\.')}`));
    expect(doctor.stdout).toContain('slipway repair');
  });

  it('is rebuilt by repair from the commits and the runtime; the damaged file is kept', async () => {
    const before = readdirSync(home).filter((f) => f.startsWith('state.db.damaged-'));
    const damagedBytes = existsSync(stateFile) ? readFileSync(stateFile) : undefined;
    const repair = await runCli(['repair', '--json'], opts);
    expect(repair.code, repair.stderr).toBe(0);
    const result = JSON.parse(repair.stdout);
    expect(result).toMatchObject({ file: stateFile, apps: ['notes', 'timer'], runs: 2 });
    const kept = readdirSync(home).filter((f) => f.startsWith('state.db.damaged-') && !f.endsWith('-wal') && !f.endsWith('-shm'));
    if (damagedBytes) {
      expect(result.movedTo).toMatch(/state\.db\.damaged-\d{8}T\d{6}\.\d{3}Z/);
      expect(readFileSync(result.movedTo)).toEqual(damagedBytes);
      expect(kept).toHaveLength(before.filter((f) => !f.endsWith('-wal') && !f.endsWith('-shm')).length + 1);
    } else {
      expect(result.movedTo).toBeUndefined();
    }

    const list = JSON.parse((await runCli(['list', '--json'], opts)).stdout) as Array<{ name: string; state: string; url: string; template: string; description: string }>;
    expect(list.map((a) => a.name)).toEqual(['notes', 'timer']);
    for (const app of list) {
      expect(app).toMatchObject({ state: 'running', url: urls.get(app.name), version: 'v1.0.0', env: 'prod' });
      expect((await fetch(new URL('/healthz', app.url))).status).toBe(200);
    }
    expect(list.find((a) => a.name === 'timer')).toMatchObject({ template: 'timer', description: 'a pomodoro timer' });

    const status = await runCli(['status', 'timer', '--json'], opts);
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({ name: 'timer', state: 'running', runtimeState: 'running' });
    // The versions are read from the GitOps history, as before the repair.
    const versions = JSON.parse((await runCli(['versions', 'timer', '--json'], opts)).stdout);
    expect(versions).toMatchObject({ app: 'timer', current: 'v1.0.0', versions: [{ version: 'v1.0.0', action: 'create', env: 'prod', request: 'a pomodoro timer', digest: expect.stringMatching(/^sha256:/) }] });
    const runs = JSON.parse((await runCli(['runs', '--json'], opts)).stdout) as Array<{ app: string; kind: string; status: string }>;
    expect(runs.map((r) => [r.app, r.kind, r.status]).sort()).toEqual([['notes', 'create', 'succeeded'], ['timer', 'create', 'succeeded']]);

    // The name is still taken: no second commit for it.
    const again = await runCli(['create', 'a pomodoro timer', '--name', 'timer'], opts);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain("an app named 'timer' exists already");
    expect(commitsFor('apps.git', 'timer')).toBe(1);
    expect(commitsFor('gitops.git', 'timer')).toBe(1);

    const doctor = await runCli(['doctor'], opts);
    expect(doctor.stdout).toMatch(/✓ state/);
    expect((await runCli(['repair'], opts)).stdout).toContain('nothing to repair');
  });
});

describe('after a repair', () => {
  it('deletes a rebuilt app: stopped, removed from both repos, forgotten', async () => {
    const url = urls.get('notes')!;
    const result = await runCli(['delete', 'notes', '--json'], opts);
    expect(result.code, result.stderr).toBe(0);
    expect(commitsFor('apps.git', 'notes')).toBe(2);
    expect(commitsFor('gitops.git', 'notes')).toBe(2);
    await expect(fetch(url)).rejects.toThrow();
    const list = JSON.parse((await runCli(['list', '--json'], opts)).stdout) as Array<{ name: string }>;
    expect(list.map((a) => a.name)).toEqual(['timer']);
    apps.splice(apps.indexOf('notes'), 1);
  });

  it('rebuilds without an app that was deleted, and records its delete run', async () => {
    truncateSync(stateFile, 0);
    const repair = JSON.parse((await runCli(['repair', '--json'], opts)).stdout);
    expect(repair).toMatchObject({ apps: ['timer'], runs: 3 });
    // The versions are read from the GitOps history, as before the repair.
    const versions = JSON.parse((await runCli(['versions', 'timer', '--json'], opts)).stdout);
    expect(versions).toMatchObject({ app: 'timer', current: 'v1.0.0', versions: [{ version: 'v1.0.0', action: 'create', env: 'prod', request: 'a pomodoro timer', digest: expect.stringMatching(/^sha256:/) }] });
    const runs = JSON.parse((await runCli(['runs', '--json'], opts)).stdout) as Array<{ app: string; kind: string; status: string }>;
    expect(runs.map((r) => [r.app, r.kind, r.status]).sort()).toEqual([['notes', 'create', 'succeeded'], ['notes', 'delete', 'succeeded'], ['timer', 'create', 'succeeded']]);
    // The name is free again.
    const created = await runCli(['create', 'a notes api', '--name', 'notes'], opts);
    expect(created.code, created.stderr).toBe(0);
    apps.push('notes');
  });
});

describe.skipIf(!podmanRuns)('a lost state file of an app podman runs', () => {
  it('is repaired with the URL and container podman reports; the app answers there, and delete removes the container', async () => {
    const podmanHome = tempHome('slipway-state-podman-');
    writeFileSync(join(podmanHome.cwd, 'slipway.yaml'), 'local:\n  runtime: podman\n');
    const container = containerName('boxed', podmanHome.home);
    const inspect = () => JSON.parse(execFileSync('podman', ['container', 'inspect', container], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }))[0] as { Id: string; State: { Running: boolean } };
    try {
      const created = await runCli(['create', 'a pomodoro timer', '--name', 'boxed', '--json'], podmanHome);
      expect(created.code, created.stdout + created.stderr).toBe(0);
      const { url } = JSON.parse(created.stdout) as { url: string };
      const { Id: id } = inspect();

      rmSync(join(podmanHome.home, 'state.db'));
      const repair = await runCli(['repair', '--json'], podmanHome);
      expect(repair.code, repair.stderr).toBe(0);
      expect(JSON.parse(repair.stdout)).toMatchObject({ apps: ['boxed'], runs: 1 });

      const list = JSON.parse((await runCli(['list', '--json'], podmanHome)).stdout) as Array<{ name: string; url?: string }>;
      expect(list).toMatchObject([{ name: 'boxed', state: 'running', url }]);
      // The record names the container as a run would, so status and delete reach it by its runtime.
      const db = new DatabaseSync(join(podmanHome.home, 'state.db'), { readOnly: true });
      const row = db.prepare('SELECT record FROM apps WHERE name = ?').get('boxed') as { record: string };
      db.close();
      expect(JSON.parse(row.record).runtime).toMatchObject({ runtime: 'podman', container, id });
      expect((await fetch(new URL('/healthz', list[0]!.url))).status).toBe(200);
      const status = JSON.parse((await runCli(['status', 'boxed', '--json'], podmanHome)).stdout);
      expect(status).toMatchObject({ state: 'running', runtimeState: 'running', url });

      const deleted = await runCli(['delete', 'boxed', '--json'], podmanHome);
      expect(deleted.code, deleted.stdout + deleted.stderr).toBe(0);
      expect(() => inspect()).toThrow();
      await expect(fetch(url)).rejects.toThrow();
    } finally {
      await runCli(['delete', 'boxed'], podmanHome);
    }
  }, 300_000);
});
