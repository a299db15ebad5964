import { writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { serve } from '@hono/node-server';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { SHARED_CACHE, tempHome } from '../../../test/support/cli.ts';
import { jsonOf, readEvents } from '../../../test/support/serve.ts';
import { compose, type Slipway } from '../../app/compose.ts';
import { loadConfig } from '../../config/index.ts';
import { createServerApp } from '../app.ts';
import { ServerMetrics } from '../metrics.ts';

// A real Slipway (temp home, SQLite, bare repos, app processes) behind the real routes on a loopback
// port, with a heartbeat short enough to see during one run.
const HEARTBEAT_MS = 25;
let slipway: Slipway;
let server: Server;
let url: string;

beforeAll(async () => {
  const { home, cwd } = tempHome('slipway-events-');
  writeFileSync(join(cwd, 'slipway.yaml'), 'local:\n  runtime: process\n');
  const vars = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: cwd, SLIPWAY_HOME: home, SLIPWAY_CACHE: SHARED_CACHE };
  const config = loadConfig({ env: vars, cwd, homedir: cwd });
  slipway = await compose(config, { nodeBinary: process.execPath, path: vars.PATH, vars, homedir: cwd }, { mode: { origin: 'server', concurrency: 1 } });
  const app = createServerApp({
    service: slipway.service, metrics: new ServerMetrics({ queueDepth: async () => 0 }), logger: pino({ level: 'silent' }),
    bodyLimit: 1024 * 1024, version: '0.0.0-test', heartbeatMs: HEARTBEAT_MS,
  });
  await new Promise<void>((resolve) => {
    server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, () => resolve()) as Server;
  });
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await slipway?.service.idle();
  server?.closeAllConnections();
  server?.close();
  slipway?.close();
});

async function start(body: Record<string, string>, method = 'POST', path = '/v1/apps'): Promise<string> {
  const response = await fetch(`${url}${path}`, { method, headers: { 'content-type': 'application/json' }, ...(method === 'POST' ? { body: JSON.stringify(body) } : {}) });
  expect(response.status).toBe(202);
  return (await jsonOf(response)).runId;
}

describe('GET /v1/runs/{id}/events', () => {
  it('sends heartbeat comments while a run is quiet, and ends after run:end', async () => {
    const runId = await start({ template: 'static-site', name: 'heartbeats' });
    const comments: string[] = [];
    const events = await readEvents(`${url}/v1/runs/${runId}/events`, { comments: (text) => comments.push(text) });
    expect(events.at(-1)!.event).toBe('run:end');
    expect(JSON.parse(events.at(-1)!.data).status).toBe('succeeded');
    expect(comments.length).toBeGreaterThan(0);
    expect(new Set(comments.map((c) => c.trim()))).toEqual(new Set(['heartbeat']));
  });

  it('stops watching the run when the client goes away', async () => {
    const watch = vi.spyOn(slipway.service, 'watch');
    const runId = await start({}, 'DELETE', '/v1/apps/heartbeats');
    const first = await readEvents(`${url}/v1/runs/${runId}/events`, { take: 1 });
    expect(first.map((e) => e.event)).toEqual(['run:queued']);
    const signal = watch.mock.calls.at(-1)![1]!.signal!;
    for (let i = 0; i < 100 && !signal.aborted; i++) await delay(20);
    expect(signal.aborted).toBe(true);
    watch.mockRestore();
    // The run itself goes on to its end.
    const rest = await readEvents(`${url}/v1/runs/${runId}/events`, { headers: { 'Last-Event-ID': '1' } });
    expect(JSON.parse(rest.at(-1)!.data)).toMatchObject({ type: 'run:end', status: 'succeeded' });
  });

  it('follows a run resumed after it ended past its earlier run:end', async () => {
    // A create cancelled while queued ends at once; resumed, it runs and its stream shows both attempts.
    const runId = await start({ template: 'static-site', name: 'resumed-later' });
    const cancelled = await fetch(`${url}/v1/runs/${runId}/cancel`, { method: 'POST' });
    expect(cancelled.status).toBe(200);
    const beforeResume = await readEvents(`${url}/v1/runs/${runId}/events`);
    expect(JSON.parse(beforeResume.at(-1)!.data)).toMatchObject({ type: 'run:end', status: 'cancelled' });
    expect((await fetch(`${url}/v1/runs/${runId}/resume`, { method: 'POST' })).status).toBe(202);
    const all = await readEvents(`${url}/v1/runs/${runId}/events`);
    const ends = all.filter((e) => e.event === 'run:end').map((e) => JSON.parse(e.data).status);
    expect(ends).toEqual(['cancelled', 'succeeded']);
    await start({}, 'DELETE', '/v1/apps/resumed-later');
  });
});
