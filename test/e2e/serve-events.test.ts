import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { setTimeout as delay } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { tempHome } from '../support/cli.ts';
import { deleteAllApps, jsonOf, readEvents, startServer, type RunningServer, type ServerSentEvent } from '../support/serve.ts';

const { home, cwd } = tempHome('slipway-serve-events-');
writeFileSync(join(cwd, 'slipway.yaml'), 'local:\n  runtime: process\n');
const servers: RunningServer[] = [];

afterAll(async () => {
  // Apps the tests left are deleted through a server of their home still running, then the servers stop.
  for (const server of servers.filter((s) => s.child.exitCode === null && s.child.signalCode === null)) await deleteAllApps(server);
  for (const running of servers) await running.stop();
});

async function serve(): Promise<RunningServer> {
  const server = await startServer({ home, cwd });
  servers.push(server);
  return server;
}

async function create(server: RunningServer, body: Record<string, string>): Promise<string> {
  const response = await fetch(`${server.url}/v1/apps`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  expect(response.status).toBe(202);
  return (await jsonOf(response)).runId;
}

/** The run's events as the store keeps them. */
function storedEvents(runId: string): Array<{ seq: number; event: unknown }> {
  const db = new DatabaseSync(join(home, 'state.db'), { readOnly: true });
  try {
    return db.prepare('SELECT seq, event FROM run_events WHERE run_id = ? ORDER BY seq').all(runId).map((row) => ({ seq: Number(row.seq), event: JSON.parse(String(row.event)) }));
  } finally {
    db.close();
  }
}

const seqs = (events: ServerSentEvent[]) => events.map((e) => Number(e.id));

describe('run events over SSE', () => {
  it('a client that disconnects mid-run and reconnects with Last-Event-ID sees every event exactly once', async () => {
    const server = await serve();
    const runId = await create(server, { template: 'static-site', name: 'reconnecting' });
    const url = `${server.url}/v1/runs/${runId}/events`;

    const before = await readEvents(url, { take: 3 });
    expect(before.map((e) => e.event)).toEqual(['run:queued', 'run:start', 'step:start']);
    const after = await readEvents(url, { headers: { 'Last-Event-ID': before.at(-1)!.id! } });
    const seen = [...before, ...after];
    expect(seen.at(-1)!.event).toBe('run:end');
    expect(seqs(seen)).toEqual(seen.map((_, i) => i + 1));

    // Exactly what the run stored, in its order, and what a late client replays.
    const stored = storedEvents(runId);
    expect(seen.map((e) => ({ seq: Number(e.id), event: JSON.parse(e.data) }))).toEqual(stored);
    expect(await readEvents(url)).toEqual(seen);
    // ?after= is the same as Last-Event-ID, for clients that cannot set headers.
    expect(await readEvents(`${url}?after=${before.at(-1)!.id}`)).toEqual(after);
    // After the last event of an ended run there is nothing to wait for; past it is a mistake.
    expect(await readEvents(`${url}?after=${stored.length}`)).toEqual([]);
    const past = await fetch(`${url}?after=${stored.length + 1}`);
    expect(past.status).toBe(400);
    expect((await jsonOf(past)).detail).toContain(`past the last event of run ${runId}`);
  });

  it('stops on SIGTERM with exit 0, and the next server continues a run that was under way', async () => {
    const first = await serve();
    const runId = await create(first, { template: 'static-site', name: 'continued' });
    const url = `${first.url}/v1/runs/${runId}/events`;
    // Disconnected once the image build starts: the run is then under way, halfway through.
    const events = await readEvents(url, { until: (e) => e.event === 'step:start' && JSON.parse(e.data).stepId === 'image:build' });
    // A client still following the run does not keep the server from stopping: its stream is closed.
    const following = readEvents(url).then(() => 'ended', () => 'closed');
    await delay(100);
    expect(await first.stop('SIGTERM')).toBe(0);
    expect(['ended', 'closed']).toContain(await following);
    await expect(fetch(`${first.url}/healthz`)).rejects.toThrow();

    const second = await serve();
    const rest = await readEvents(`${second.url}/v1/runs/${runId}/events`, { headers: { 'Last-Event-ID': events.at(-1)!.id! } });
    expect(JSON.parse(rest.at(-1)!.data)).toMatchObject({ type: 'run:end', status: 'succeeded' });
    // The run was under way when the first server stopped: the second one took it up again.
    expect(rest.map((e) => JSON.parse(e.data))).toContainEqual(expect.objectContaining({ type: 'log', message: expect.stringMatching(/continued after Slipway stopped/) }));
    expect(seqs([...events, ...rest])).toEqual([...events, ...rest].map((_, i) => i + 1));
    const run = await jsonOf(fetch(`${second.url}/v1/runs/${runId}`));
    expect(run.status).toBe('succeeded');
    // Each step finished once: the ones done before the stop are reused, not redone.
    const finished = run.timeline.filter((step: { status: string }) => step.status === 'succeeded').map((step: { stepId: string }) => step.stepId);
    expect(new Set(finished).size).toBe(finished.length);
    expect((await fetch(run.url)).status).toBe(200);
  });
});

describe('run events after the end', () => {
  let hook: Server;
  const received: string[] = [];

  afterAll(() => new Promise<void>((resolve) => (hook ? hook.close(() => resolve()) : resolve())));

  it('a client that saw run:end and reconnects gets the notifications that followed, and the stream ends', async () => {
    // A webhook target on loopback that takes every notification.
    hook = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk) => (body += chunk));
      request.on('end', () => {
        received.push(body);
        response.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => hook.listen(0, '127.0.0.1', resolve));
    const home = tempHome('slipway-serve-notify-');
    writeFileSync(join(home.cwd, 'slipway.yaml'), `local:\n  runtime: process\nnotify:\n  - type: webhook\n    url: http://127.0.0.1:${(hook.address() as AddressInfo).port}/hook\n`);
    const server = await startServer(home);
    servers.push(server);
    const runId = await create(server, { template: 'static-site', name: 'notified' });
    const url = `${server.url}/v1/runs/${runId}/events`;
    const events = await readEvents(url);
    const end = events.at(-1)!;
    expect(end.event).toBe('run:end');

    for (let i = 0; i < 100 && !(await jsonOf(fetch(`${server.url}/v1/runs/${runId}`))).notifications; i++) await delay(100);
    expect(received).toHaveLength(1);
    const after = await readEvents(url, { headers: { 'Last-Event-ID': end.id! } });
    expect(after.map((e) => e.event)).toEqual(['notify']);
    expect(JSON.parse(after[0]!.data)).toMatchObject({ type: 'notify', ok: true });
    expect(await readEvents(url, { headers: { 'Last-Event-ID': after[0]!.id! } })).toEqual([]);

    const deleting = await fetch(`${server.url}/v1/apps/notified`, { method: 'DELETE' });
    await readEvents(`${server.url}${deleting.headers.get('location')}/events`);
  });
});
