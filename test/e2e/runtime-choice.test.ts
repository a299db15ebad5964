import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { setTimeout as delay } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { probePodman } from '../../src/adapters/runtime/podman-probe.ts';
import { containerName } from '../../src/adapters/runtime/podman-runtime.ts';
import { brokenPodman } from '../support/broken-podman.ts';
import { runCli, SHARED_CACHE, tempHome } from '../support/cli.ts';
import { processRunning } from '../support/wait.ts';

const podmanRuns = (await probePodman({ cacheDir: SHARED_CACHE, path: process.env.PATH! })).usable;

describe('the local runtime', () => {
  it.skipIf(!podmanRuns)('an app the process runtime started is stopped by delete after the choice moved to podman', async () => {
    const opts = tempHome('slipway-switch-');
    writeFileSync(join(opts.cwd, 'slipway.yaml'), 'local:\n  runtime: process\n');
    const created = await runCli(['create', 'a pomodoro timer', '--name', 'switched'], opts);
    expect(created.code, created.stdout + created.stderr).toBe(0);
    const { pid } = JSON.parse(readFileSync(join(opts.home, 'run', 'switched.json'), 'utf8')) as { pid: number };
    try {
      expect(processRunning(pid)).toBe(true);
      writeFileSync(join(opts.cwd, 'slipway.yaml'), 'local:\n  runtime: podman\n');
      const status = JSON.parse((await runCli(['status', 'switched', '--json'], opts)).stdout);
      expect(status).toMatchObject({ state: 'running', runtimeState: 'running' });

      const deleted = await runCli(['delete', 'switched'], opts);
      expect(deleted.code, deleted.stdout + deleted.stderr).toBe(0);
      for (let i = 0; i < 50 && processRunning(pid); i++) await delay(100);
      expect(processRunning(pid)).toBe(false);
    } finally {
      try { process.kill(-pid, 'SIGKILL'); } catch { /* stopped */ }
    }
  });

  it.skipIf(!podmanRuns)('a failed create resumed after the choice moved to podman stops the process its record names, then runs the app under podman', async () => {
    const opts = tempHome('slipway-switch-resume-');
    writeFileSync(join(opts.cwd, 'slipway.yaml'), 'local:\n  runtime: process\n');
    const created = await runCli(['create', 'a pomodoro timer', '--name', 'resumed', '--json'], opts);
    expect(created.code, created.stdout + created.stderr).toBe(0);
    const { runId, url: processUrl } = JSON.parse(created.stdout) as { runId: string; url: string };
    const { pid } = JSON.parse(readFileSync(join(opts.home, 'run', 'resumed.json'), 'utf8')) as { pid: number };
    try {
      // The run as one whose start failed, with the app's record naming the process runtime and its
      // handle: what a resume meets once the choice has moved.
      const db = new DatabaseSync(join(opts.home, 'state.db'));
      const error = JSON.stringify({ name: 'ExternalServiceError', message: 'the app could not be started' });
      db.prepare("UPDATE steps SET status = 'failed', output = NULL, error = ? WHERE run_id = ? AND step_id = 'app:deploy'").run(error, runId);
      db.prepare("DELETE FROM steps WHERE run_id = ? AND step_id = 'app:await'").run(runId);
      db.prepare("UPDATE runs SET status = 'failed', error = ? WHERE id = ?").run(error, runId);
      db.close();
      expect(processRunning(pid)).toBe(true);
      writeFileSync(join(opts.cwd, 'slipway.yaml'), 'local:\n  runtime: podman\n');

      const resumed = await runCli(['resume', runId], opts);
      expect(resumed.code, resumed.stdout + resumed.stderr).toBe(0);
      expect(resumed.stdout).toMatch(/Start the app .*http:\/\/127\.0\.0\.1:\d+\/ \(the instance process started was stopped\)/);
      for (let i = 0; i < 50 && processRunning(pid); i++) await delay(100);
      expect(processRunning(pid)).toBe(false);
      await expect(fetch(processUrl)).rejects.toThrow();
      const status = JSON.parse((await runCli(['status', 'resumed', '--json'], opts)).stdout) as { state: string; runtimeState: string; url: string };
      expect(status).toMatchObject({ state: 'running', runtimeState: 'running' });
      expect((await fetch(new URL('/healthz', status.url))).status).toBe(200);
      expect(JSON.parse(execFileSync('podman', ['container', 'inspect', containerName('resumed', opts.home)], { encoding: 'utf8' }))[0].State.Running).toBe(true);
    } finally {
      try { process.kill(-pid, 'SIGKILL'); } catch { /* stopped */ }
      await runCli(['delete', 'resumed'], opts);
    }
    expect(() => execFileSync('podman', ['container', 'inspect', containerName('resumed', opts.home)], { stdio: 'ignore' })).toThrow();
  });

  it('auto runs the app as a process when podman is installed but cannot run containers, and says why', async () => {
    const opts = tempHome('slipway-broken-podman-');
    const podman = brokenPodman(join(opts.cwd, 'bin'));
    const env = { PATH: podman.path };
    const created = await runCli(['create', 'a pomodoro timer', '--name', 'fallback'], { ...opts, env });
    try {
      expect(created.code, created.stdout + created.stderr).toBe(0);
      expect(created.stdout).toMatch(/Start the app .*http:\/\/127\.0\.0\.1:\d+\/ \(process: podman is installed but cannot run containers \(podman cannot run a container here: .*container-init binary not found/);
      const doctor = await runCli(['doctor'], { ...opts, env });
      expect(doctor.stdout).toMatch(/! podman\s+podman cannot run a container here: .*container-init binary not found.*; apps run as plain Node processes/);
      expect(doctor.stdout).toMatch(/apt-get install podman runc catatonit/);
    } finally {
      await runCli(['delete', 'fallback'], { ...opts, env });
    }
  });

  it('podman asked for, with a podman that cannot run containers, is a configuration error naming what to install', async () => {
    const opts = tempHome('slipway-broken-podman-');
    const podman = brokenPodman(join(opts.cwd, 'bin'));
    writeFileSync(join(opts.cwd, 'slipway.yaml'), 'local:\n  runtime: podman\n');
    const created = await runCli(['create', 'a pomodoro timer', '--name', 'nope'], { ...opts, env: { PATH: podman.path } });
    expect(created.code).toBe(2);
    expect(created.stderr).toMatch(/local.runtime is podman, but podman cannot run a container here: .*container-init binary not found/);
    expect(created.stderr).toMatch(/apt-get install podman runc catatonit/);
  });
});
