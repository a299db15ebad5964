import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempHome } from '../support/cli.ts';
import { problemOf } from '../support/problem.ts';
import { jsonOf, readEvents, startServer, type RunningServer } from '../support/serve.ts';

const { home, cwd } = tempHome('slipway-serve-');
// Apps run as processes here; test/e2e/podman.test.ts covers podman.
writeFileSync(join(cwd, 'slipway.yaml'), 'local:\n  runtime: process\n');
let server: RunningServer;

beforeAll(async () => {
  server = await startServer({ home, cwd });
});

afterAll(async () => {
  // Whatever a failed test left behind is stopped through the API, then the server itself.
  if (!server) return;
  const { apps } = await jsonOf(fetch(`${server.url}/v1/apps`));
  for (const { app } of apps) {
    const response = await fetch(`${server.url}/v1/apps/${app}`, { method: 'DELETE' });
    if (response.status === 202) await readEvents(`${server.url}${response.headers.get('location')}/events`);
  }
  expect(await server.stop()).toBe(0);
});

function post(path: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${server.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });
}

describe('slipway serve', () => {
  it('announces one address line and answers health, readiness and the OpenAPI document', async () => {
    expect(server.output().stdout.trim().split('\n')).toEqual([`Slipway listening on ${server.url}`]);
    expect(await jsonOf(fetch(`${server.url}/healthz`))).toEqual({ status: 'ok' });
    const ready = await fetch(`${server.url}/readyz`);
    const readiness = await jsonOf(ready);
    expect(ready.status, JSON.stringify(readiness)).toBe(200);
    expect(readiness.checks.map((check: { name: string }) => check.name)).toEqual(expect.arrayContaining(['store']));
    const document = await jsonOf(fetch(`${server.url}/openapi.json`));
    expect(document.openapi).toBe('3.1.0');
    expect(Object.keys(document.paths)).toContain('/v1/runs/{id}/events');
  });

  it('creates an app, streams its events to the end, serves its URL, lists it and deletes it', async () => {
    const created = await post('/v1/apps', { description: 'a landing page for my band', template: 'static-site', name: 'band-page' }, { 'idempotency-key': 'band-page-1' });
    const accepted = await jsonOf(created);
    expect(created.status, JSON.stringify(accepted)).toBe(202);
    expect(accepted).toEqual({ runId: expect.stringMatching(/^run-\d{14}-[a-z0-9]{6}$/), app: 'band-page', kind: 'create', status: 'queued' });
    expect(created.headers.get('location')).toBe(`/v1/runs/${accepted.runId}`);

    // The same Idempotency-Key gives the first run back, not a second app.
    const again = await post('/v1/apps', { description: 'a landing page for my band', template: 'static-site', name: 'band-page' }, { 'idempotency-key': 'band-page-1' });
    expect((await jsonOf(again)).runId).toBe(accepted.runId);

    const events = await readEvents(`${server.url}/v1/runs/${accepted.runId}/events`);
    expect(events.map((e) => Number(e.id))).toEqual(events.map((_, i) => i + 1));
    expect(events.every((e) => JSON.parse(e.data).type === e.event)).toBe(true);
    const stepEnds = events.filter((e) => e.event === 'step:end').map((e) => JSON.parse(e.data).stepId);
    expect(stepEnds).toEqual(['version:next', 'app:plan', 'source:generate', 'source:verify', 'source:provenance', 'source:commit', 'image:build', 'manifests:render', 'manifests:commit', 'app:deploy', 'app:await']);
    const end = events.at(-1)!;
    expect(end.event).toBe('run:end');
    expect(JSON.parse(end.data).status).toBe('succeeded');

    const run = await jsonOf(fetch(`${server.url}/v1/runs/${accepted.runId}`));
    expect(run).toMatchObject({ runId: accepted.runId, app: 'band-page', kind: 'create', status: 'succeeded', template: 'static-site' });
    expect(run.commits.source).toMatch(/^[0-9a-f]{40}$/);
    expect(run.timeline).toHaveLength(11);
    expect(run.events).toBe(events.length);
    const page = await fetch(run.url);
    expect(page.status).toBe(200);

    const { apps } = await jsonOf(fetch(`${server.url}/v1/apps`));
    expect(apps).toEqual([expect.objectContaining({ app: 'band-page', state: 'running', url: run.url, lastRunId: accepted.runId })]);
    const detail = await jsonOf(fetch(`${server.url}/v1/apps/band-page`));
    expect(detail.recentCommits.source[0].sha).toBe(run.commits.source);
    expect(detail).not.toHaveProperty('runtime');

    const { runs } = await jsonOf(fetch(`${server.url}/v1/runs?app=band-page&limit=5`));
    expect(runs.map((r: { runId: string }) => r.runId)).toEqual([accepted.runId]);

    const deleting = await fetch(`${server.url}/v1/apps/band-page`, { method: 'DELETE' });
    const deletion = await jsonOf(deleting);
    expect(deleting.status).toBe(202);
    expect(deletion).toMatchObject({ app: 'band-page', kind: 'delete', status: 'queued' });
    const deleteEvents = await readEvents(`${server.url}${deleting.headers.get('location')}/events`);
    expect(JSON.parse(deleteEvents.at(-1)!.data)).toMatchObject({ type: 'run:end', status: 'succeeded' });
    await problemOf(await fetch(`${server.url}/v1/apps/band-page`), 404);
    await expect(fetch(run.url)).rejects.toThrow();

    // The run's outcome and steps, the requests by route pattern, and the process are in /metrics.
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metrics).toMatch(/^slipway_runs_total\{kind="create",outcome="succeeded"\} 1$/m);
    expect(metrics).toMatch(/^slipway_runs_total\{kind="delete",outcome="succeeded"\} 1$/m);
    expect(metrics).toMatch(/^slipway_step_duration_seconds_count\{step="image:build",status="succeeded"\} 1$/m);
    expect(metrics).toMatch(/^slipway_queue_depth 0$/m);
    expect(metrics).toMatch(/^slipway_http_requests_total\{method="GET",route="\/v1\/apps\/:app",status="404"\} 1$/m);
    expect(metrics).toMatch(/^slipway_http_requests_total\{method="POST",route="\/v1\/apps",status="202"\} 2$/m);
    expect(metrics).toMatch(/^process_resident_memory_bytes \d+/m);
  });

  describe('answers bad requests with problems that say what to fix', () => {
    it('422 for a name that is not a DNS label', async () => {
      const body = await problemOf(await post('/v1/apps', { description: 'a timer', name: 'Bad_Name' }), 422);
      expect(body.detail).toContain('DNS-1123');
    });

    it('422 for a body with neither description nor template, and for unknown fields', async () => {
      expect((await problemOf(await post('/v1/apps', { name: 'lonely' }), 422)).detail).toMatch(/description/);
      expect((await problemOf(await post('/v1/apps', { description: 'a timer', colour: 'red' }), 422)).detail).toMatch(/colour/);
    });

    it('422 for an unknown template, with the known ones', async () => {
      expect((await problemOf(await post('/v1/apps', { template: 'no-such-template' }), 422)).detail).toMatch(/static-site/);
    });

    it('400 for a body that is not JSON', async () => {
      const body = await problemOf(await post('/v1/apps', '{"description": '), 400);
      expect(body.detail).toMatch(/not valid JSON/);
    });

    it('415 for a body that is not sent as JSON', async () => {
      const response = await fetch(`${server.url}/v1/apps`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{"template": "timer"}' });
      expect((await problemOf(response, 415)).hint).toMatch(/application\/json/);
    });

    it('413 for a body over the limit', async () => {
      const body = await problemOf(await post('/v1/apps', { description: 'x'.repeat(2 * 1024 * 1024) }), 413);
      expect(body.hint).toMatch(/bodyLimit/);
    });

    it('400 for a bad Idempotency-Key', async () => {
      await problemOf(await post('/v1/apps', { template: 'timer' }, { 'idempotency-key': 'x'.repeat(201) }), 400);
    });

    it('404 for an unknown app or run, 400 for a malformed name or id', async () => {
      expect((await problemOf(await fetch(`${server.url}/v1/apps/no-such-app`), 404)).detail).toMatch(/no-such-app/);
      await problemOf(await fetch(`${server.url}/v1/apps/no-such-app`, { method: 'DELETE' }), 404);
      await problemOf(await fetch(`${server.url}/v1/apps/Not_A_Name`), 400);
      await problemOf(await fetch(`${server.url}/v1/runs/run-20260101000000-aaaaaa`), 404);
      await problemOf(await fetch(`${server.url}/v1/runs/run-20260101000000-aaaaaa/events`), 404);
      await problemOf(await post('/v1/runs/run-20260101000000-aaaaaa/resume', {}), 404);
      await problemOf(await fetch(`${server.url}/v1/runs/not-a-run`), 400);
      await problemOf(await fetch(`${server.url}/v1/runs?limit=0`), 400);
      await problemOf(await fetch(`${server.url}/v1/runs?status=sleeping`), 400);
    });

    it('404 for the signed intake while server.hookSecret is not set', async () => {
      const body = await problemOf(await post('/v1/hooks/create', { template: 'timer' }), 404);
      expect(body.hint).toMatch(/server\.hookSecret/);
    });

    it('404 for an unknown route', async () => {
      const body = await problemOf(await fetch(`${server.url}/v2/apps`), 404);
      expect(body.detail).toContain('/v2/apps');
    });
  });
});
