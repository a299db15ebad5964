import { execFileSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { containerName } from '../../src/adapters/runtime/podman-runtime.ts';
import { runCli, tempHome } from '../support/cli.ts';
import { startServer, type RunningServer } from '../support/serve.ts';

// The embedded default with the process runtime: bare repos under the home, images in its OCI layout.
const { home, cwd } = tempHome('slipway-rollback-');
writeFileSync(join(cwd, 'slipway.yaml'), 'local:\n  runtime: process\n');
const opts = { home, cwd };
const gitops = join(home, 'git', 'gitops.git');

const git = (...args: string[]) => execFileSync('git', ['--git-dir', gitops, ...args], { encoding: 'utf8' });
const history = () => git('log', '--format=%H', 'main').trim().split('\n');
const trailer = (sha: string, key: string) => git('log', '-1', `--format=%(trailers:key=${key},valueonly)`, sha).trim();
const deployment = (rev: string) => git('show', `${rev}:kubernetes/apps/dynamic/focus/app/deployment.yaml`);

async function json(args: string[]) {
  const result = await runCli([...args, '--json'], opts);
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout);
}

async function page(url: string): Promise<string> {
  const response = await fetch(url);
  expect(response.status).toBe(200);
  return response.text();
}

let v1: { digest: string; gitopsCommit: string };
let v1Url: string;

beforeAll(async () => {
  const created = await json(['create', 'a focus timer', '--template', 'timer', '--name', 'focus']);
  expect(created.version).toBe('v1.0.0');
  v1Url = created.url;
  const changed = await json(['change', 'focus', 'set the title to "Deep Work"']);
  expect(changed.version).toBe('v1.1.0');
  expect(await page(changed.url)).toContain('Deep Work');
  const versions = await json(['versions', 'focus']);
  v1 = versions.versions.find((v: { version: string }) => v.version === 'v1.0.0');
  expect(v1.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
}, 120_000);

afterAll(async () => {
  await runCli(['delete', 'focus'], opts);
  rmSync(cwd, { recursive: true, force: true });
});

describe('slipway rollback on the embedded default', () => {
  it('refuses an unknown version and the current one with exit 2, listing the versions, and commits nothing', async () => {
    const before = history();
    const unknown = await runCli(['rollback', 'focus', '--to', 'v0.9.0'], opts);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('focus has no version v0.9.0 (its versions, newest first: v1.1.0 (current), v1.0.0)');
    expect(unknown.stderr).toContain('--to v1.0.0');
    const current = await runCli(['rollback', 'focus', '--to', 'v1.1.0'], opts);
    expect(current.code).toBe(2);
    expect(current.stderr).toContain('focus runs v1.1.0 already');
    const malformed = await runCli(['rollback', 'focus', '--to', '1.0'], opts);
    expect(malformed.code).toBe(2);
    expect(malformed.stderr).toContain("'1.0' is not a version");
    expect(history()).toEqual(before);
  });

  it('ships v1.0.0 again as v1.1.1: one new GitOps commit pinning its digest, history intact, the app answering as v1.0.0 did', async () => {
    const before = history();
    const report = await json(['rollback', 'focus']);
    expect(report).toMatchObject({ app: 'focus', kind: 'rollback', status: 'succeeded', version: 'v1.1.1', rollback: { to: 'v1.0.0' } });
    expect(report.timeline.map((s: { stepId: string }) => s.stepId)).toEqual([
      'version:next', 'version:pick', 'manifests:restore', 'manifests:commit', 'source:checkout', 'app:deploy', 'app:await',
    ]);

    // Exactly one commit on top of the history as it was: nothing rewritten.
    const after = history();
    expect(after.slice(1)).toEqual(before);
    expect(after[0]).toBe(report.commits.gitops);
    expect(trailer(after[0]!, 'Slipway-Action')).toBe('rollback');
    expect(trailer(after[0]!, 'Slipway-Version')).toBe('v1.1.1');
    expect(trailer(after[0]!, 'Slipway-Rollback-To')).toBe('v1.0.0');
    expect(trailer(after[0]!, 'Slipway-Image')).toContain(`@${v1.digest}`);
    // The Deployment pins v1.0.0's digest, exactly as v1.0.0's commit had it.
    expect(deployment('main')).toContain(`:v1.0.0-`);
    expect(deployment('main')).toContain(`@${v1.digest}`);
    expect(deployment('main')).toBe(deployment(v1.gitopsCommit));

    // What answers is v1.0.0's code again.
    const served = await page(report.url);
    expect(served).not.toContain('Deep Work');
    expect(served).toMatch(/<title>[^<]*Timer[^<]*<\/title>/i);

    const versions = await json(['versions', 'focus']);
    expect(versions.current).toBe('v1.1.1');
    expect(versions.versions[0]).toMatchObject({ version: 'v1.1.1', action: 'rollback', digest: v1.digest, runId: report.runId });
    const status = await json(['status', 'focus']);
    expect(status).toMatchObject({ state: 'running', version: 'v1.1.1' });
    const runs = await json(['runs', 'focus']);
    expect(runs[0]).toMatchObject({ id: report.runId, kind: 'rollback', status: 'succeeded', request: { app: 'focus' } });
    // Resuming a finished rollback changes nothing.
    expect((await runCli(['resume', report.runId], opts)).code).toBe(0);
    expect(history()).toEqual(after);
    expect(v1Url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
  });

  it('POST /v1/apps/{app}/rollback queues a rollback (202), refuses a malformed or unknown version (422) as problem+json, and serves slipway rollback --server', async () => {
    const server: RunningServer = await startServer(opts);
    try {
      const refused = await fetch(`${server.url}/v1/apps/focus/rollback`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ to: 'v3.0.0' }) });
      expect(refused.status).toBe(422);
      expect(refused.headers.get('content-type')).toContain('application/problem+json');
      expect(await refused.text()).toContain('focus has no version v3.0.0');
      const bad = await fetch(`${server.url}/v1/apps/focus/rollback`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ to: 'latest' }) });
      expect(bad.status).toBe(422);
      expect(await bad.text()).toContain('a version such as v1.0.0');
      const before = history();
      const accepted = await fetch(`${server.url}/v1/apps/focus/rollback`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ to: 'v1.1.0' }) });
      expect(accepted.status).toBe(202);
      const { runId } = await accepted.json();
      expect(accepted.headers.get('location')).toBe(`/v1/runs/${runId}`);
      const settled = async (id: string) => {
        let run: { status: string; version?: string; rollback?: { to: string } } = { status: 'queued' };
        for (let i = 0; i < 240 && !['succeeded', 'failed', 'cancelled'].includes(run.status); i++) {
          await new Promise((r) => setTimeout(r, 250));
          run = await (await fetch(`${server.url}/v1/runs/${id}`)).json();
        }
        return run;
      };
      expect(await settled(runId)).toMatchObject({ status: 'succeeded', version: 'v1.1.2', rollback: { to: 'v1.1.0' } });
      expect(history().slice(1)).toEqual(before);
      expect(deployment('main')).toContain(':v1.1.0-');

      // The command line through the server: the default target is the newest earlier version with another image.
      const remote = await runCli(['rollback', 'focus', '--server', server.url, '--json'], opts);
      expect(remote.code, remote.stderr).toBe(0);
      expect(JSON.parse(remote.stdout)).toMatchObject({ kind: 'rollback', status: 'succeeded', version: 'v1.1.3', rollback: { to: 'v1.1.1' } });
      expect(deployment('main')).toContain(`@${v1.digest}`);
      // No body at all is the default rollback, as {} is.
      const bare = await fetch(`${server.url}/v1/apps/focus/rollback`, { method: 'POST' });
      expect(bare.status).toBe(202);
      expect(await settled((await bare.json()).runId)).toMatchObject({ status: 'succeeded', version: 'v1.1.4', rollback: { to: 'v1.1.2' } });
    } finally {
      await server.stop();
    }
  });
});

const podman = (() => { try { execFileSync('podman', ['--version']); return true; } catch { return false; } })();

describe.skipIf(!podman)('slipway rollback on the embedded default with podman', () => {
  it("runs the earlier version's image again", async () => {
    const other = tempHome('slipway-rollback-podman-');
    const run = async (args: string[]) => {
      const result = await runCli([...args, '--json'], other);
      expect(result.code, result.stderr).toBe(0);
      return JSON.parse(result.stdout);
    };
    // The image the app's container runs, and whether it runs.
    const container = () => {
      const inspect = JSON.parse(execFileSync('podman', ['inspect', containerName('tick', other.home)], { encoding: 'utf8' }))[0];
      return { image: inspect.Image as string, running: inspect.State.Running as boolean };
    };
    try {
      const created = await run(['create', 'a focus timer', '--template', 'timer', '--name', 'tick']);
      const v1Page = await page(created.url);
      const v1Image = container().image;
      const changed = await run(['change', 'tick', 'set the title to "Deep Work"']);
      expect(await page(changed.url)).toContain('Deep Work');
      expect(container().image).not.toBe(v1Image);
      const rolledBack = await run(['rollback', 'tick']);
      expect(rolledBack).toMatchObject({ version: 'v1.1.1', rollback: { to: 'v1.0.0' } });
      expect(container()).toEqual({ image: v1Image, running: true });
      expect(await page(rolledBack.url)).toBe(v1Page);
    } finally {
      await runCli(['delete', 'tick'], other);
      rmSync(other.cwd, { recursive: true, force: true });
    }
  }, 180_000);
});
