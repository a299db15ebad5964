import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConflictError, ExternalServiceError, InputError, NotFoundError } from '../../domain/errors.ts';
import { appNameProblem } from '../../domain/app-name.ts';
import { tempHome } from '../../../test/support/cli.ts';
import { startServer, type RunningServer } from '../../../test/support/serve.ts';
import { startTcpProxy, type TcpProxy } from '../../../test/support/tcp-proxy.ts';
import { HttpSlipway } from './http-slipway.ts';
import type { StoredRunEvent } from '../../pipeline/index.ts';
import { ServerClient } from './server-client.ts';
import { closedPort } from '../../../test/support/ports.ts';

/** The tests run against the real `slipway serve` on a throw-away home, as users run it. */
let server: RunningServer;
let slipway: HttpSlipway;
let proxy: TcpProxy;

const connect = (url: string) => new HttpSlipway(new ServerClient({ url: new URL(url) }));

async function collect(events: AsyncIterable<StoredRunEvent>, each?: (event: StoredRunEvent) => void): Promise<StoredRunEvent[]> {
  const all: StoredRunEvent[] = [];
  for await (const event of events) {
    all.push(event);
    each?.(event);
  }
  return all;
}

beforeAll(async () => {
  server = await startServer(tempHome('slipway-http-client-'));
  slipway = connect(server.url);
  const { hostname, port } = new URL(server.url);
  proxy = await startTcpProxy({ host: hostname, port: Number(port) });
});

afterAll(async () => {
  // Apps run as processes of this machine: deleting them stops them.
  for (const app of (await slipway.list().catch(() => [])).map((a) => a.name)) {
    const run = await slipway.start({ kind: 'delete', app });
    await collect(slipway.watch(run.id));
  }
  await proxy?.close();
  await server?.stop();
});

describe('HttpSlipway against slipway serve', () => {
  let created: string;

  it('starts a create, follows its events from the first to run:end, and reports the run', async () => {
    const run = await slipway.start({ kind: 'create', template: 'static-site', name: 'remote-site' });
    created = run.id;
    expect(run).toMatchObject({ kind: 'create', app: 'remote-site', request: { template: 'static-site', name: 'remote-site' } });
    expect(['queued', 'running']).toContain(run.status);
    const events = await collect(slipway.watch(run.id));
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    expect(events[0]!.event).toMatchObject({ type: 'run:queued', runId: run.id, app: 'remote-site' });
    expect(events.at(-1)!.event).toMatchObject({ type: 'run:end', status: 'succeeded' });
    const ended = events.filter((e) => e.event.type === 'step:end').map((e) => e.event);
    expect(ended.length).toBeGreaterThan(5);
    expect(ended.every((e) => e.type === 'step:end' && e.status === 'succeeded')).toBe(true);
    const report = await slipway.report(run.id);
    expect(report).toMatchObject({ runId: run.id, app: 'remote-site', kind: 'create', status: 'succeeded', template: 'static-site' });
    expect(report.commits.source).toMatch(/^[0-9a-f]{40}$/);
    expect(report.timeline.map((s) => s.stepId)).toEqual(ended.map((e) => (e.type === 'step:end' ? e.stepId : '')));
    expect((await fetch(report.url!)).status).toBe(200);
  });

  it('replays only what a reader missed when it names the last event it has', async () => {
    const all = await collect(slipway.watch(created));
    const rest = await collect(slipway.watch(created, { after: 3 }));
    expect(rest).toHaveLength(all.length - 3);
    expect(rest.map((e) => [e.seq, e.event])).toEqual(all.slice(3).map((e) => [e.seq, e.event]));
  });

  it('lists apps, shows one with its commits, and lists its runs', async () => {
    const apps = await slipway.list();
    expect(apps).toEqual([expect.objectContaining({ name: 'remote-site', state: 'running', template: 'static-site', lastRunId: created })]);
    expect(apps[0]!.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const status = await slipway.status('remote-site');
    expect(status.recentCommits.source[0]!.sha).toBe(status.commits.source);
    expect(status.recentCommits.gitops[0]!.sha).toBe(status.commits.gitops);
    const { runs } = await slipway.runs({ app: 'remote-site' });
    expect(runs.map((r) => [r.id, r.status])).toEqual([[created, 'succeeded']]);
    expect(runs[0]!.timeline.length).toBeGreaterThan(5);
  });

  it('keeps following a run through a dropped connection, without missing or repeating an event', async () => {
    const throughProxy = connect(proxy.url);
    const run = await throughProxy.start({ kind: 'create', template: 'timer', name: 'remote-timer' });
    let cuts = 0;
    const events = await collect(throughProxy.watch(run.id, { retryMs: 50 }), (e) => {
      // Cut after the first finished step and again after the fourth: the stream is mid-run both times.
      if (e.event.type === 'step:end' && (cuts === 0 || (cuts === 1 && e.seq > 8))) {
        cuts++;
        proxy.cut();
      }
    });
    expect(cuts).toBe(2);
    expect(proxy.connections()).toBeGreaterThanOrEqual(3);
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    expect(events.at(-1)!.event).toMatchObject({ type: 'run:end', status: 'succeeded' });
  });

  it('returns the first run for a repeated idempotency key', async () => {
    const request = { kind: 'create' as const, template: 'static-site', name: 'remote-keyed' };
    const first = await slipway.start(request, { idempotencyKey: 'keyed-site-1' });
    const again = await slipway.start(request, { idempotencyKey: 'keyed-site-1' });
    expect(again.id).toBe(first.id);
    expect((await collect(slipway.watch(first.id))).at(-1)!.event).toMatchObject({ type: 'run:end', status: 'succeeded' });
    // Without the key the same request is a second create of a name now taken.
    await expect(slipway.start(request)).rejects.toThrow(ConflictError);
  });

  it('cancels a run, which then ends cancelled; cancelling it again is a conflict', async () => {
    const run = await slipway.start({ kind: 'create', template: 'form', name: 'remote-cancelled' });
    const cancelled = await slipway.cancel(run.id);
    expect(cancelled.id).toBe(run.id);
    expect((await collect(slipway.watch(run.id))).at(-1)!.event).toMatchObject({ type: 'run:end', status: 'cancelled' });
    expect((await slipway.report(run.id)).status).toBe('cancelled');
    await expect(slipway.cancel(run.id)).rejects.toThrow(ConflictError);
    // Resume queues it again; its `events` is where this attempt's events start, so following it
    // from there shows this attempt only, from run:queued to its own run:end.
    const stored = (await collect(slipway.watch(run.id))).at(-1)!.seq;
    const resumed = await slipway.resume(run.id);
    expect(resumed).toMatchObject({ id: run.id, events: stored });
    expect(['queued', 'running']).toContain(resumed.status);
    const attempt = await collect(slipway.watch(run.id, { after: resumed.events }));
    expect(attempt[0]).toMatchObject({ seq: stored + 1, event: { type: 'run:queued' } });
    expect(attempt.at(-1)!.event).toMatchObject({ type: 'run:end', status: 'succeeded' });
    expect(attempt.filter((e) => e.event.type === 'run:end')).toHaveLength(1);
  });

  it('reads runs a page at a time, newest first, with the cursor the server gives', async () => {
    const all = (await slipway.runs({ limit: 50 })).runs.map((r) => r.id);
    expect(all.length).toBeGreaterThanOrEqual(2);
    const first = await slipway.runs({ limit: 1 });
    expect(first.runs.map((r) => r.id)).toEqual(all.slice(0, 1));
    expect(first.nextCursor).toEqual(expect.any(String));
    const second = await slipway.runs({ limit: 1, cursor: first.nextCursor! });
    expect(second.runs.map((r) => r.id)).toEqual(all.slice(1, 2));
    await expect(slipway.runs({ status: 'succeeded', app: 'remote-site' })).resolves.toMatchObject({ runs: [{ id: created }] });
  });

  it('gives the errors the service gives in-process: bad input, not found, conflict', async () => {
    const badName = slipway.start({ kind: 'create', template: 'timer', name: 'Bad_Name' });
    await expect(badName).rejects.toThrow(InputError);
    await expect(badName).rejects.toThrow(appNameProblem('Bad_Name')!);
    await expect(slipway.start({ kind: 'create', template: 'no-such-template' })).rejects.toThrow(/unknown template 'no-such-template'/);
    await expect(slipway.start({ kind: 'create', name: 'remote-site' })).rejects.toThrow(InputError);
    await expect(slipway.start({ kind: 'create', template: 'timer', name: 'remote-site' })).rejects.toThrow(ConflictError);
    await expect(slipway.report('run-20260101000000-abcdef')).rejects.toThrow(NotFoundError);
    await expect(slipway.report('run-20260101000000-abcdef')).rejects.toThrow('no run run-20260101000000-abcdef');
    await expect(collect(slipway.watch('run-20260101000000-abcdef'))).rejects.toThrow(NotFoundError);
    await expect(slipway.status('no-such-app')).rejects.toThrow(NotFoundError);
    await expect(slipway.start({ kind: 'delete', app: 'no-such-app' })).rejects.toThrow("no app named 'no-such-app'");
    await expect(slipway.resume('..')).rejects.toThrow(InputError);
  });

  it('calls only routes the server publishes in its OpenAPI document', async () => {
    const document = (await (await fetch(new URL('/openapi.json', server.url))).json()) as { paths: Record<string, Record<string, unknown>> };
    const called = [
      ['post', '/v1/apps'], ['get', '/v1/apps'], ['get', '/v1/apps/{app}'], ['delete', '/v1/apps/{app}'], ['get', '/v1/runs'],
      ['get', '/v1/runs/{id}'], ['post', '/v1/runs/{id}/resume'], ['post', '/v1/runs/{id}/cancel'], ['get', '/v1/runs/{id}/events'],
    ];
    for (const [method, path] of called) expect(document.paths[path!]?.[method!], `${method} ${path}`).toBeDefined();
  });

  it('names the server when it cannot be reached', async () => {
    const port = await closedPort();
    const unreachable = connect(`http://127.0.0.1:${port}`);
    await expect(unreachable.list()).rejects.toThrow(ExternalServiceError);
    await expect(unreachable.list()).rejects.toThrow(`Slipway server http://127.0.0.1:${port}: cannot be reached (connection refused)`);
  });
});
