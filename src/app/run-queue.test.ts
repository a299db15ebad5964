import { spawnSync } from 'node:child_process';
import { hostname } from 'node:os';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config/index.ts';
import type { Run } from '../domain/index.ts';
import type { StoredRunEvent } from '../pipeline/index.ts';
import { cliEnv, tempHome } from '../../test/support/cli.ts';
import { compose, type Slipway } from './compose.ts';

// The durable queue with the real parts of the embedded default: SQLite, bare git repos, the OCI
// layout store and apps run as processes, all under a throw-away home.
const { home, cwd } = tempHome('slipway-queue-');
const configFile = join(cwd, 'slipway.yaml');
writeFileSync(configFile, 'local:\n  runtime: process\n');
const env = { ...cliEnv(home), SLIPWAY_CONFIG: configFile };
const opened: Slipway[] = [];

async function open(mode?: { origin: 'cli' | 'server'; concurrency: number }): Promise<Slipway> {
  const config = loadConfig({ env, cwd, homedir: cwd });
  const slipway = await compose(config, { nodeBinary: process.execPath, path: process.env.PATH ?? '/usr/bin:/bin', vars: env, homedir: cwd }, mode ? { mode } : {});
  opened.push(slipway);
  return slipway;
}

async function collect(slipway: Slipway, runId: string, after = 0): Promise<StoredRunEvent[]> {
  const events: StoredRunEvent[] = [];
  for await (const event of slipway.service.watch(runId, { after })) events.push(event);
  return events;
}

const timer = (name: string) => ({ kind: 'create' as const, description: 'a pomodoro timer', template: 'timer', name });

afterAll(async () => {
  for (const slipway of opened) {
    await slipway.service.idle();
    for (const app of await slipway.service.list().catch(() => [])) {
      const run = await slipway.service.start({ kind: 'delete', app: app.name }).catch(() => undefined);
      if (run) await collect(slipway, run.id);
    }
    await slipway.service.idle();
    slipway.close();
  }
  rmSync(cwd, { recursive: true, force: true });
}, 120_000);

describe('the run queue', () => {
  it('stores a run as queued before start returns, runs two at once, and never two runs of one app at once', async () => {
    const slipway = await open({ origin: 'server', concurrency: 2 });
    const { service } = slipway;
    const first = await service.start(timer('q-one'));
    expect(first.status).toBe('queued');
    expect(first.events).toBe(1);
    const second = await service.start(timer('q-two'));
    const removal = await service.start({ kind: 'delete', app: 'q-one' });
    const runs = [first, second, removal];
    const streams = await Promise.all(runs.map((r) => collect(slipway, r.id)));
    for (const events of streams) {
      // Numbered 1, 2, 3… without a gap, from queued to the end.
      expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
      expect(events[0]!.event.type).toBe('run:queued');
      expect(events.at(-1)!.event).toMatchObject({ type: 'run:end', status: 'succeeded' });
      expect(events.some((e) => e.event.type === 'log')).toBe(true);
    }
    const stored = await Promise.all(runs.map(async (r) => (await service.report(r.id))));
    expect(stored.map((r) => r.status)).toEqual(['succeeded', 'succeeded', 'succeeded']);
    // The two creates overlapped; the delete of q-one started only after q-one's create ended.
    const span = (r: { timeline: Array<{ startedAt: string; endedAt?: string }> }) => [Date.parse(r.timeline[0]!.startedAt), Date.parse(r.timeline.at(-1)!.endedAt!)] as const;
    const [one, two, gone] = stored.map(span);
    expect(two![0]).toBeLessThan(one![1]);
    expect(gone![0]).toBeGreaterThanOrEqual(one![1]);
    expect((await service.list()).map((a) => [a.name, a.template, a.generator])).toEqual([['q-two', 'timer', 'templates']]);
  }, 120_000);

  it('gives the first run to every request with the same idempotency key, even at once', async () => {
    const { service } = await open({ origin: 'server', concurrency: 2 });
    const runs = await Promise.all(Array.from({ length: 10 }, () => service.start(timer('q-key'), { idempotencyKey: 'retry-7f3a' })));
    expect(new Set(runs.map((r) => r.id)).size).toBe(1);
    expect((await service.runs({ app: 'q-key' })).runs).toHaveLength(1);
    await service.idle();
    expect((await service.report(runs[0]!.id)).status).toBe('succeeded');
  }, 120_000);

  it('cancels a queued run at once, freeing its name, and a running one through its signal', async () => {
    const slipway = await open({ origin: 'server', concurrency: 1 });
    const { service } = slipway;
    const running = await service.start(timer('q-busy'));
    const waiting = await service.start(timer('q-later'));
    const cancelled = await service.cancel(waiting.id);
    expect(cancelled.status).toBe('cancelled');
    expect((await service.list()).map((a) => a.name)).not.toContain('q-later');
    expect((await collect(slipway, waiting.id)).at(-1)!.event).toMatchObject({ type: 'run:end', status: 'cancelled' });
    await expect(service.cancel(waiting.id)).rejects.toThrow(/already been cancelled/);

    // The running one: cancelled as soon as its first step has started.
    for await (const { event } of service.watch(running.id)) {
      if (event.type === 'step:start') break;
    }
    await service.cancel(running.id);
    const events = await collect(slipway, running.id);
    expect(events.at(-1)!.event).toMatchObject({ type: 'run:end', status: 'cancelled' });
    expect((await service.report(running.id)).status).toBe('cancelled');
  }, 120_000);

  it('continues, exactly once, the runs a server held when its process died', async () => {
    const crashed = await open({ origin: 'server', concurrency: 1 });
    // A process that is gone for sure holds two runs: one queued, one that got to its third step.
    const dead = spawnSync(process.execPath, ['-e', '0']).pid!;
    const runs = crashed.state.runs;
    const queued = await crashed.service.start(timer('q-crash-a'));
    await crashed.service.idle();
    const midway = (await runs.createRun({ id: 'run-20261206040000-crash1', kind: 'create', app: 'q-crash-b', request: { app: 'q-crash-b', description: 'a pomodoro timer', template: 'timer' }, origin: 'server', owner: { pid: dead, host: hostname() } }));
    await crashed.state.apps.upsert({ name: 'q-crash-b', description: 'a pomodoro timer', template: 'timer', state: 'deploying', target: 'local', commits: {}, lastRunId: midway.id, createdAt: midway.createdAt, updatedAt: midway.createdAt });
    const waiting = await runs.createRun({ id: 'run-20261206040001-crash2', kind: 'create', app: 'q-crash-c', request: { app: 'q-crash-c', description: 'a pomodoro timer', template: 'timer' }, origin: 'server', owner: { pid: dead, host: hostname() } });
    await crashed.state.apps.upsert({ name: 'q-crash-c', description: 'a pomodoro timer', template: 'timer', state: 'deploying', target: 'local', commits: {}, lastRunId: waiting.id, createdAt: waiting.createdAt, updatedAt: waiting.createdAt });
    // A run a command started and left: not the server's to continue.
    const byHand = await runs.createRun({ id: 'run-20261206040002-crash3', kind: 'delete', app: 'q-crash-a', request: { app: 'q-crash-a' }, origin: 'cli', owner: { pid: dead, host: hostname() } });
    expect((await runs.getRun(midway.id))!.status).toBe('interrupted');
    expect((await runs.getRun(waiting.id))!.status).toBe('interrupted');
    expect((await crashed.service.report(queued.id)).status).toBe('succeeded');

    const restarted = await open({ origin: 'server', concurrency: 2 });
    const recovered = await restarted.service.recover();
    expect(recovered.map((r: Run) => r.id).sort()).toEqual([midway.id, waiting.id]);
    await Promise.all([collect(restarted, midway.id), collect(restarted, waiting.id)]);
    await restarted.service.idle();
    for (const id of [midway.id, waiting.id]) expect((await restarted.service.report(id)).status).toBe('succeeded');
    for (const app of ['q-crash-b', 'q-crash-c']) {
      expect(await restarted.state.sourceRepo.log({ path: app })).toHaveLength(1);
      expect(await restarted.state.gitopsRepo.log({ path: `kubernetes/apps/dynamic/${app}` })).toHaveLength(1);
    }
    expect((await runs.getRun(byHand.id))!.status).toBe('interrupted');
    // A second start finds nothing to continue.
    expect(await (await open({ origin: 'server', concurrency: 1 })).service.recover()).toEqual([]);
  }, 120_000);

  it('replays a run’s events after the one a watcher saw last', async () => {
    const slipway = await open({ origin: 'server', concurrency: 1 });
    const run = await slipway.service.start(timer('q-replay'));
    const all = await collect(slipway, run.id);
    const rest = await collect(slipway, run.id, 5);
    expect(rest.map((e) => e.seq)).toEqual(all.slice(5).map((e) => e.seq));
    await expect(collect(slipway, 'run-20261206040000-nosuch')).rejects.toThrow(/no run run-20261206040000-nosuch/);
  }, 120_000);
});

describe('watching a run that was resumed', () => {
  it('follows the new attempt past the end of the earlier one', async () => {
    const slipway = await open({ origin: 'server', concurrency: 1 });
    const { service } = slipway;
    const run = await service.start(timer('q-again'));
    for await (const { event } of service.watch(run.id)) if (event.type === 'step:start') break;
    await service.cancel(run.id);
    await service.idle();
    const resumed = await service.resume(run.id);
    const events = await collect(slipway, run.id);
    const ends = events.filter((e) => e.event.type === 'run:end').map((e) => e.event);
    expect(ends).toEqual([expect.objectContaining({ status: 'cancelled' }), expect.objectContaining({ status: 'succeeded' })]);
    expect(resumed.events).toBe(events.findLastIndex((e) => e.event.type === 'run:queued') + 1);
  }, 120_000);
});

describe('watching a run that has ended', () => {
  it('ends at once for a watcher that has seen every event', async () => {
    const slipway = await open({ origin: 'server', concurrency: 1 });
    const run = await slipway.service.start(timer('q-seen'));
    const all = await collect(slipway, run.id);
    await slipway.service.idle();
    const last = (await slipway.service.report(run.id)).events;
    expect(last).toBeGreaterThanOrEqual(all.length);
    expect(await collect(slipway, run.id, last)).toEqual([]);
  }, 120_000);
});
