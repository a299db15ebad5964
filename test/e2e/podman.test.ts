import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { containerName } from '../../src/adapters/runtime/podman-runtime.ts';
import { runCli, tempHome } from '../support/cli.ts';

const podman = (() => { try { execFileSync('podman', ['--version']); return true; } catch { return false; } })();

describe.skipIf(!podman)('slipway on the embedded default with podman', () => {
  it('builds the image, runs it under podman, answers, and deletes it', async () => {
    const opts = tempHome('slipway-podman-');
    const created = await runCli(['create', 'a contact form for my band', '--name', 'band-form', '--json'], opts);
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);
    const report = JSON.parse(created.stdout);
    try {
      expect(report).toMatchObject({ app: 'band-form', status: 'succeeded', template: 'form' });
      const inspect = JSON.parse(execFileSync('podman', ['inspect', containerName('band-form', opts.home)], { encoding: 'utf8' }))[0];
      expect(inspect.State.Running).toBe(true);
      expect(inspect.Config.User).toBe('1000:1000');
      expect(inspect.HostConfig.ReadonlyRootfs).toBe(true);

      const page = await fetch(report.url);
      expect(page.status).toBe(200);
      const submit = await fetch(new URL('/api/submissions', report.url), {
        method: 'POST', headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'Ada', email: 'ada@example.org', message: 'Hello from the test' }),
      });
      expect(submit.status).toBeLessThan(300);

      const status = JSON.parse((await runCli(['status', 'band-form', '--json'], opts)).stdout);
      expect(status).toMatchObject({ state: 'running', runtimeState: 'running' });
    } finally {
      const deleted = await runCli(['delete', 'band-form', '--json'], opts);
      expect(deleted.code).toBe(0);
    }
    expect(() => execFileSync('podman', ['inspect', containerName('band-form', opts.home)], { stdio: 'ignore' })).toThrow();
  });

  it('runs an app of the same name from two homes side by side; deleting one leaves the other running', async () => {
    const [first, second] = [tempHome('slipway-podman-a-'), tempHome('slipway-podman-b-')];
    const reports: Array<{ url: string }> = [];
    try {
      for (const opts of [first, second]) {
        const created = await runCli(['create', 'a pomodoro timer', '--name', 'twin', '--json'], opts);
        expect(created.code, created.stdout + created.stderr).toBe(0);
        reports.push(JSON.parse(created.stdout));
      }
      for (const report of reports) expect((await fetch(report.url)).status).toBe(200);
      expect((await runCli(['delete', 'twin'], first)).code).toBe(0);
      await expect(fetch(reports[0]!.url)).rejects.toThrow();
      expect((await fetch(reports[1]!.url)).status).toBe(200);
      const status = JSON.parse((await runCli(['status', 'twin', '--json'], second)).stdout);
      expect(status).toMatchObject({ state: 'running', runtimeState: 'running' });
    } finally {
      await runCli(['delete', 'twin'], first);
      await runCli(['delete', 'twin'], second);
    }
    expect(() => execFileSync('podman', ['inspect', containerName('twin', second.home)], { stdio: 'ignore' })).toThrow();
  });

  it('runs two apps from the one image store, both tagged in its index', async () => {
    const opts = tempHome('slipway-podman-shared-');
    const apps = [['shared-timer', 'a pomodoro timer'], ['shared-notes', 'a notes api']] as const;
    try {
      for (const [name, description] of apps) {
        const created = await runCli(['create', description, '--name', name, '--json'], opts);
        expect(created.code, created.stderr).toBe(0);
        expect((await fetch(new URL('/healthz', JSON.parse(created.stdout).url))).status).toBe(200);
      }
      const index = JSON.parse(readFileSync(join(opts.home, 'images', 'index.json'), 'utf8'));
      const tags = index.manifests.map((m: { annotations: Record<string, string> }) => m.annotations['org.opencontainers.image.ref.name']);
      expect(tags).toEqual([expect.stringMatching(/^shared-notes_v1\.0\.0-[0-9a-f]{7}-prod$/), expect.stringMatching(/^shared-timer_v1\.0\.0-[0-9a-f]{7}-prod$/)]);
      for (const [name] of apps) expect(JSON.parse(execFileSync('podman', ['inspect', containerName(name, opts.home)], { encoding: 'utf8' }))[0].State.Running).toBe(true);
    } finally {
      for (const [name] of apps) await runCli(['delete', name], opts);
    }
  });
});
