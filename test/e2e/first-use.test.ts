import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli, tempHome } from '../support/cli.ts';

const { home, cwd } = tempHome('slipway-first-use-');
const config = join(cwd, 'concurrent.yaml');
writeFileSync(config, 'local:\n  runtime: process\n');
const opts = { home, cwd, env: { SLIPWAY_CONFIG: config } };
const requests = [
  ['timer-1', 'a pomodoro timer'], ['timer-2', 'a countdown timer with a dark theme'],
  ['notes-1', 'a notes api'], ['notes-2', 'a json api to keep notes'],
  ['form-1', 'a contact form'], ['form-2', 'a signup form for a newsletter'],
  ['site-1', 'a static landing page'], ['site-2', 'a static site about cats'],
] as const;

/** The Slipway-App trailer of every commit on main, oldest last. */
function appTrailers(bare: string): string[] {
  const out = execFileSync('git', ['--git-dir', bare, 'log', '--format=%(trailers:key=Slipway-App,valueonly)%x1e', 'main'], { encoding: 'utf8' });
  return out.split('\x1e').map((r) => r.trim()).filter(Boolean);
}

afterAll(async () => {
  await Promise.all(requests.map(([name]) => runCli(['delete', name], opts)));
});

describe('first use under concurrency', () => {
  it('runs eight creates at once in a fresh home: eight apps, eight succeeded runs, one commit each per repo', async () => {
    const results = await Promise.all(requests.map(([name, description]) => runCli(['create', description, '--name', name, '--json'], opts)));
    for (const result of results) {
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
    }
    const reports = results.map((r) => JSON.parse(r.stdout) as { app: string; status: string });
    expect(reports.map((r) => r.app).sort()).toEqual(requests.map(([name]) => name).sort());
    expect(reports.every((r) => r.status === 'succeeded')).toBe(true);

    const list = await runCli(['list', '--json'], opts);
    expect(list.code).toBe(0);
    expect((JSON.parse(list.stdout) as Array<{ name: string }>).map((a) => a.name).sort()).toEqual(requests.map(([name]) => name).sort());
    const runs = await runCli(['runs', '--json'], opts);
    const recorded = JSON.parse(runs.stdout) as Array<{ kind: string; status: string }>;
    expect(recorded.filter((r) => r.kind === 'create' && r.status === 'succeeded')).toHaveLength(8);

    for (const repo of ['apps.git', 'gitops.git']) {
      const apps = appTrailers(join(home, 'git', repo));
      expect(apps.sort()).toEqual(requests.map(([name]) => name).sort());
    }
  }, 600_000);
});
