import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli, tempHome } from '../support/cli.ts';
import { jsonOf, startServer, type RunningServer } from '../support/serve.ts';
import { commitsOf } from '../support/trailers.ts';
import { waitForAnswer } from '../support/wait.ts';

// The durable queue behind the HTTP API, with the real server process: a `kill -9` while runs wait
// and run, then a start that finishes each exactly once; many requests at once, none lost or doubled.
const homes: string[] = [];
const servers: RunningServer[] = [];

afterAll(async () => {
  for (const server of servers) await server.stop();
  for (const dir of homes) rmSync(dir, { recursive: true, force: true });
});

function home(yaml: string[]) {
  const opts = tempHome('slipway-serve-queue-');
  homes.push(opts.cwd);
  writeFileSync(join(opts.cwd, 'slipway.yaml'), `${yaml.join('\n')}\n`);
  return opts;
}

async function serve(opts: { home: string; cwd: string }): Promise<RunningServer> {
  const server = await startServer(opts);
  servers.push(server);
  return server;
}

const post = (server: RunningServer, path: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${server.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

/** Polls `check` until it returns a value, or fails after `ms` saying what `state` shows then. */
async function until<T>(what: string, check: () => Promise<T | undefined>, ms = 120_000, state?: () => Promise<string>): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${state ? `\n${await state()}` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('slipway serve: a server killed with runs waiting and running', () => {
  it('finishes every run exactly once when it starts again', async () => {
    // Polled often here: the rate limit is raised so the polls are not refused.
    const opts = home(['local:', '  runtime: process', 'server:', '  concurrency: 2', '  rateLimit: { perMinute: 100000 }']);
    const first = await serve(opts);
    const names = ['crash-a', 'crash-b', 'crash-c', 'crash-d'];
    const accepted = await Promise.all(names.map(async (name) => {
      const response = await post(first, '/v1/apps', { template: 'timer', name });
      expect(response.status).toBe(202);
      return (await response.json()) as { runId: string; app: string };
    }));
    // Killed once a step has finished somewhere and runs still wait.
    await until('a finished step while runs wait', async () => {
      const runs = await Promise.all(accepted.map(async (a) => jsonOf(fetch(`${first.url}/v1/runs/${a.runId}`))));
      const stepDone = runs.some((r) => r.timeline.some((s: { status: string }) => s.status === 'succeeded'));
      return stepDone && runs.some((r) => r.status === 'queued') ? true : undefined;
    });
    first.child.kill('SIGKILL');
    await first.stop();

    // Without a server the runs read as interrupted, each with the command that continues it.
    const listed = JSON.parse((await runCli(['runs', '--json'], opts)).stdout) as Array<{ id: string; status: string }>;
    expect(listed.map((r) => r.status).sort()).toEqual(['interrupted', 'interrupted', 'interrupted', 'interrupted']);

    const second = await serve(opts);
    const ended = await until('every run to end', async () => {
      const runs = await Promise.all(accepted.map(async (a) => jsonOf(fetch(`${second.url}/v1/runs/${a.runId}`))));
      return runs.every((r) => ['succeeded', 'failed', 'cancelled'].includes(r.status)) ? runs : undefined;
    }, 120_000, async () => `${(await runCli(['runs'], opts)).stdout}\n${JSON.stringify(second.output())}`);
    expect(ended.map((r) => r.status)).toEqual(['succeeded', 'succeeded', 'succeeded', 'succeeded']);
    for (const [i, name] of names.entries()) {
      // One source commit and one GitOps commit per app, both by its one run.
      expect(commitsOf(opts.home, 'apps.git', name).map((c) => c.run)).toEqual([accepted[i]!.runId]);
      expect(commitsOf(opts.home, 'gitops.git', name).map((c) => c.run)).toEqual([accepted[i]!.runId]);
      expect((await waitForAnswer(`${ended[i].url.replace(/\/$/, '')}/healthz`)).status).toBe(200);
    }
    // The apps go, through the server.
    const removals = await Promise.all(names.map(async (name) => jsonOf(fetch(`${second.url}/v1/apps/${name}`, { method: 'DELETE' }))));
    await until('the deletes', async () => {
      const runs = await Promise.all(removals.map(async (r) => jsonOf(fetch(`${second.url}/v1/runs/${r.runId}`))));
      return runs.every((r) => r.status === 'succeeded') ? true : undefined;
    });
  }, 300_000);
});

describe('slipway serve: many requests at once', () => {
  it('turns 50 concurrent creates into 50 runs and 50 apps, and 10 requests with one Idempotency-Key into one run', async () => {
    // The cluster target without a cluster: each run ends once its manifests are committed, so
    // fifty apps do not stay running on the test machine.
    const opts = home([]);
    const gitops = join(opts.cwd, 'homelab.git');
    mkdirSync(gitops);
    execFileSync('git', ['init', '--bare', '--initial-branch', 'main', gitops]);
    writeFileSync(join(opts.cwd, 'slipway.yaml'), ['target: cluster', 'git:', '  gitops:', `    url: ${gitops}`, 'server:', '  concurrency: 4', '  rateLimit: { perMinute: 1000 }'].join('\n') + '\n');
    const server = await serve(opts);

    const names = Array.from({ length: 50 }, (_, i) => `many-${String(i).padStart(2, '0')}`);
    const responses = await Promise.all(names.map((name) => post(server, '/v1/apps', { template: 'static-site', name })));
    expect(responses.map((r) => r.status)).toEqual(names.map(() => 202));
    const accepted = await Promise.all(responses.map(async (r) => (await r.json()) as { runId: string; app: string; status: string }));
    expect(new Set(accepted.map((a) => a.runId)).size).toBe(50);
    expect(accepted.map((a) => a.app)).toEqual(names);

    const keyed = await Promise.all(Array.from({ length: 10 }, () => post(server, '/v1/apps', { template: 'static-site', name: 'many-keyed' }, { 'Idempotency-Key': 'n8n-execution-4711' })));
    const keyedRuns = await Promise.all(keyed.map(async (r) => ((await r.json()) as { runId: string }).runId));
    expect(keyed.map((r) => r.status)).toEqual(keyed.map(() => 202));
    expect(new Set(keyedRuns).size).toBe(1);

    const all = await until('all 51 runs to end', async () => {
      const page = await jsonOf(fetch(`${server.url}/v1/runs?limit=200`));
      return page.runs.length === 51 && page.runs.every((r: { status: string }) => r.status === 'succeeded') ? page.runs : undefined;
    }, 600_000);
    expect(all).toHaveLength(51);
    const apps = (await jsonOf(fetch(`${server.url}/v1/apps`))).apps as Array<{ app: string }>;
    expect(apps.map((a) => a.app).sort()).toEqual([...names, 'many-keyed'].sort());
    for (const name of [...names, 'many-keyed']) expect(commitsOf(opts.home, 'apps.git', name)).toHaveLength(1);
  }, 900_000);
});
