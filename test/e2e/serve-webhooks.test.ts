import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { startReceiver, verifying, type Receiver } from '../../src/adapters/notify/receiver.test-support.ts';
import { tempHome } from '../support/cli.ts';
import { deleteAllApps, jsonOf, readEvents, startServer, type RunningServer } from '../support/serve.ts';

const SECRET = 'n8n-trigger-secret-0b7e5a2c';
const servers: RunningServer[] = [];
const receivers: Receiver[] = [];

afterAll(async () => {
  // The apps the runs started are processes of their own: deleted, so none outlives the test.
  for (const server of servers) {
    await deleteAllApps(server);
    await server.stop();
  }
  await Promise.all(receivers.map((r) => r.close()));
});

async function serverWith(yaml: string): Promise<RunningServer> {
  const { home, cwd } = tempHome('slipway-serve-webhooks-');
  writeFileSync(join(cwd, 'slipway.yaml'), yaml);
  const server = await startServer({ home, cwd });
  servers.push(server);
  return server;
}

async function receiver(answer: Parameters<typeof startReceiver>[0]): Promise<Receiver> {
  const started = await startReceiver(answer);
  receivers.push(started);
  return started;
}

function post(server: RunningServer, path: string, body: unknown): Promise<Response> {
  return fetch(`${server.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

async function subscribe(server: RunningServer, body: Record<string, unknown>): Promise<string> {
  const response = await post(server, '/v1/webhooks', body);
  const created = await jsonOf(response);
  expect(response.status, JSON.stringify(created)).toBe(201);
  return created.id;
}

/** Follows the run at `location` to its end, then waits for its notifications (sent after run:end). */
async function ended(server: RunningServer, location: string): Promise<Record<string, any>> {
  const events = await readEvents(`${server.url}${location}/events`);
  expect(events.at(-1)!.event).toBe('run:end');
  for (let i = 0; i < 100; i++) {
    const run = await jsonOf(fetch(`${server.url}${location}`));
    if (run.notifications) return run;
    await delay(100);
  }
  throw new Error(`run ${location} sent no notifications`);
}

describe('webhook subscriptions when runs end', () => {
  it('tells each subscription the events it asked for, signed with its secret, and no longer once it is deleted', async () => {
    const server = await serverWith('local:\n  runtime: process\n');
    const trigger = await receiver(verifying(SECRET));
    const failuresOnly = await receiver((_request, res) => res.writeHead(204).end());
    const trigger1 = await subscribe(server, { url: new URL('/webhook/slipway', trigger.url).href, secret: SECRET, name: 'n8n' });
    await subscribe(server, { url: failuresOnly.url.href, events: ['run.failed'] });

    const created = await post(server, '/v1/apps', { template: 'static-site', name: 'hooked' });
    expect(created.status).toBe(202);
    const run = await ended(server, created.headers.get('location')!);
    expect(run.status).toBe('succeeded');
    // The receiver checked the signature with the secret: ok means it answered 204.
    expect(run.notifications).toEqual([{ target: 'webhook:n8n', ok: true, attempts: 1 }]);
    expect(trigger.received).toHaveLength(1);
    const delivered = trigger.received[0]!;
    expect(delivered.path).toBe('/webhook/slipway');
    expect(delivered.headers['x-slipway-event']).toBe('run.succeeded');
    expect(JSON.parse(delivered.body)).toEqual({ type: 'run.succeeded', runId: run.runId, app: 'hooked', kind: 'create', status: 'succeeded', url: run.url, durationMs: expect.any(Number) });
    // A run.failed-only subscription is not told of a success.
    expect(failuresOnly.received).toHaveLength(0);

    // Unsubscribed: the delete run's end is not told to it, while one subscribed a moment before is.
    expect((await fetch(`${server.url}/v1/webhooks/${trigger1}`, { method: 'DELETE' })).status).toBe(204);
    const latecomer = await receiver((_request, res) => res.writeHead(200).end('ok'));
    await subscribe(server, { url: latecomer.url.href, name: 'latecomer', events: ['run.succeeded'] });
    const deleting = await fetch(`${server.url}/v1/apps/hooked`, { method: 'DELETE' });
    expect(deleting.status).toBe(202);
    const deletion = await ended(server, deleting.headers.get('location')!);
    expect(deletion).toMatchObject({ kind: 'delete', status: 'succeeded', notifications: [{ target: 'webhook:latecomer', ok: true, attempts: 1 }] });
    expect(JSON.parse(latecomer.received[0]!.body)).toMatchObject({ type: 'run.succeeded', app: 'hooked', kind: 'delete' });
    expect(trigger.received).toHaveLength(1);
    expect(failuresOnly.received).toHaveLength(0);
  });

  it('tells a run.failed subscription of a failure, with the step, the reason and the hint', async () => {
    // A base made from this machine's Node cannot serve linux/arm64: the run fails at image:build.
    const server = await serverWith('local:\n  runtime: process\nimage:\n  base: host\n  platforms: [linux/arm64]\n');
    const trigger = await receiver(verifying(SECRET));
    await subscribe(server, { url: trigger.url.href, events: ['run.failed'], secret: SECRET });

    const created = await post(server, '/v1/apps', { template: 'timer', name: 'doomed' });
    expect(created.status).toBe(202);
    const run = await ended(server, created.headers.get('location')!);
    expect(run.status).toBe('failed');
    expect(run.notifications).toEqual([{ target: `webhook:${trigger.url.host}`, ok: true, attempts: 1 }]);
    const body = JSON.parse(trigger.received[0]!.body);
    expect(body).toEqual({
      type: 'run.failed', runId: run.runId, app: 'doomed', kind: 'create', status: 'failed', durationMs: expect.any(Number),
      error: { message: run.error.message, hint: run.error.hint, stepId: 'image:build' },
    });
    expect(body.error.hint).toMatch(/multi-platform base/);
    expect(trigger.received[0]!.headers['x-slipway-event']).toBe('run.failed');
  });
});
