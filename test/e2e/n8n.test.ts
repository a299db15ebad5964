import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, runCli, tempHome } from '../support/cli.ts';
import { createN8n, packN8nPackage, type N8n } from '../support/n8n.ts';
import { closedPort } from '../support/ports.ts';
import { deleteAllApps, jsonOf, startServer, type RunningServer } from '../support/serve.ts';

// A real n8n (scripts/install-n8n) with the n8n-nodes-slipway package installed from its packed
// tarball, talking to a real `slipway serve` that asks for a token. One n8n for the whole file:
// it takes seconds to start.

const { home, cwd } = tempHome('slipway-n8n-');
writeFileSync(join(cwd, 'slipway.yaml'), 'local:\n  runtime: process\n');
let server: RunningServer;
let token: string;
let n8n: N8n;
let receiver: Receiver;

// A second server whose runs fail at image:build: a base made from this machine's Node cannot serve
// linux/arm64. It has no tokens, so its credential has none either.
const failing = tempHome('slipway-n8n-arm64-');
writeFileSync(join(failing.cwd, 'slipway.yaml'), 'local:\n  runtime: process\nimage:\n  base: host\n  platforms: [linux/arm64]\n');
let failingServer: RunningServer;

const REQUEST_WORKFLOW_ID = 'slipwayRequestWf';
const ARM64_WORKFLOW_ID = 'slipwayArm64Wf';
const TRIGGER_WORKFLOW_ID = 'slipwayTriggerWf';
const TRIGGER_WEBHOOK_ID = '9c4e2b7a-61d3-4f0e-8a5b-3d7f1c2e6b90';

/** A workflow as n8n exports it. */
type WorkflowJson = { id: string } & Record<string, unknown>;

/** The workflow Slipway ships, as a user downloads it; import:workflow needs an id to publish it by. */
function requestToAppWorkflow(): WorkflowJson {
  const workflow = JSON.parse(readFileSync(join(REPO_ROOT, 'integrations', 'n8n', 'workflows', 'request-to-app.json'), 'utf8'));
  return { ...workflow, id: REQUEST_WORKFLOW_ID };
}

/**
 * The shipped workflow's webhook path alone, on its own path, with a credential for the server whose
 * runs fail.
 */
function arm64Workflow(): WorkflowJson {
  const workflow = requestToAppWorkflow() as WorkflowJson & { nodes: any[]; connections: Record<string, unknown> };
  const kept = ['Request (Webhook)', 'Create app', 'Succeeded?', 'Reply with the URL', 'Reply with the failure'];
  const nodes = workflow.nodes.filter((node) => kept.includes(node.name)).map((node) => {
    if (node.name === 'Request (Webhook)') return { ...node, webhookId: 'a1e5c3d7-2b4f-4a6e-8c0d-9f1b3e5a7c20', parameters: { ...node.parameters, path: 'slipway-request-arm64' } };
    if (node.name === 'Create app') return { ...node, credentials: { slipwayApi: { id: null, name: 'Slipway (arm64 only)' } } };
    return node;
  });
  const connections = Object.fromEntries(Object.entries(workflow.connections).filter(([from]) => kept.includes(from)));
  return { ...workflow, id: ARM64_WORKFLOW_ID, name: 'Slipway: request to app (arm64 only)', nodes, connections };
}

/** Slipway Trigger → HTTP Request posting what the trigger received to the test's receiver. */
function triggerWorkflow(receiverUrl: string): WorkflowJson {
  return {
    id: TRIGGER_WORKFLOW_ID,
    name: 'Slipway runs to the receiver',
    nodes: [
      {
        id: 'f1b7c9e2-0a4d-4c6b-9e3f-5a8d2c1b7e01',
        name: 'Slipway Trigger',
        type: 'n8n-nodes-slipway.slipwayTrigger',
        typeVersion: 1,
        position: [0, 0],
        webhookId: TRIGGER_WEBHOOK_ID,
        parameters: { events: ['run.succeeded', 'run.failed'] },
        credentials: { slipwayApi: { id: null, name: 'Slipway' } },
      },
      {
        id: 'f1b7c9e2-0a4d-4c6b-9e3f-5a8d2c1b7e02',
        name: 'Tell the receiver',
        type: 'n8n-nodes-base.httpRequest',
        typeVersion: 4.2,
        position: [260, 0],
        parameters: { method: 'POST', url: receiverUrl, sendBody: true, specifyBody: 'json', jsonBody: '={{ JSON.stringify($json) }}', options: {} },
      },
    ],
    connections: { 'Slipway Trigger': { main: [[{ node: 'Tell the receiver', type: 'main', index: 0 }]] } },
    settings: { executionOrder: 'v1' },
    active: false,
  };
}

interface Receiver {
  url: string;
  bodies: any[];
  server: Server;
}

/** A local HTTP server keeping the JSON bodies posted to it (what the trigger's workflow sends). */
async function startReceiver(): Promise<Receiver> {
  const bodies: any[] = [];
  const server = createServer(async (request: IncomingMessage, response) => {
    let text = '';
    for await (const chunk of request) text += chunk;
    try {
      bodies.push(JSON.parse(text));
      response.writeHead(204).end();
    } catch {
      // Kept as it came, so a failing test shows it.
      bodies.push(text);
      response.writeHead(400).end();
    }
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/runs`, bodies, server };
}

/** The first body the receiver got that `match`es, waiting up to `seconds`. */
async function delivered(match: (body: any) => boolean, seconds = 60): Promise<any> {
  for (let i = 0; i < seconds * 4; i++) {
    const body = receiver.bodies.find(match);
    if (body) return body;
    await delay(250);
  }
  throw new Error(`the receiver got no such body in ${seconds} s; it got ${JSON.stringify(receiver.bodies)}\nn8n printed:\n${n8n.output()}`);
}

/** What curl prints for a POST with a JSON body: the body, then the status code on a line of its own. */
async function curlJson(url: string, body: unknown): Promise<{ status: number; json: any }> {
  const child = spawn('curl', ['-sS', '--max-time', '600', '-X', 'POST', '-H', 'content-type: application/json', '--data-binary', JSON.stringify(body), '-w', '\n%{http_code}', url], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const [code] = await once(child, 'close');
  if (code !== 0) throw new Error(`curl exited with ${code}: ${stderr}`);
  const newline = stdout.lastIndexOf('\n');
  return { status: Number(stdout.slice(newline + 1)), json: JSON.parse(stdout.slice(0, newline)) };
}

/**
 * Submits the shipped workflow's n8n form as its page does (multipart fields field-0, field-1 …
 * in the form's order), follows the form to its waiting page as the page's script does once the
 * run ended, and returns that page's HTML: the workflow's Form Ending.
 */
async function submitForm(fields: { description: string; template: string; name: string }): Promise<string> {
  const body = new FormData();
  [fields.description, fields.template, fields.name].forEach((value, i) => body.append(`field-${i}`, value));
  const submitted = await fetch(`${n8n.url}/form/slipway-request-form`, { method: 'POST', body });
  const { formWaitingUrl } = await jsonOf(submitted);
  expect(formWaitingUrl).toEqual(expect.stringContaining(`${n8n.url}/form-waiting/`));
  const waiting = new URL(formWaitingUrl);
  const status = new URL(`${waiting.pathname}/n8n-execution-status${waiting.search}`, n8n.url);
  for (let i = 0; i < 600; i++) {
    const text = (await (await fetch(status)).text()).trim();
    if (text === 'form-waiting' || text === 'success') break;
    if (['canceled', 'crashed', 'error', 'null'].includes(text)) throw new Error(`the form's execution ended with ${text}:\n${n8n.output()}`);
    await delay(250);
  }
  return (await fetch(waiting)).text();
}

function escapeHtml(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;').replaceAll("'", '&#39;');
}

function api(path: string, init: RequestInit = {}): Promise<Response> {
  return fetch(`${server.url}${path}`, { ...init, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...init.headers } });
}

interface Subscription {
  id: string;
  url: string;
  events: string[];
  name?: string;
}

/**
 * The subscriptions of the trigger's webhook the server keeps (GET /v1/webhooks), once they are
 * what `wanted` says, or as they are after 30 s.
 */
async function triggerSubscriptions(wanted: (found: Subscription[]) => boolean = () => true): Promise<Subscription[]> {
  let found: Subscription[] = [];
  for (let i = 0; i < 120; i++) {
    const { webhooks } = await jsonOf(api('/v1/webhooks'));
    found = (webhooks as Subscription[]).filter((s) => s.url.includes(TRIGGER_WEBHOOK_ID));
    if (wanted(found)) break;
    await delay(250);
  }
  return found;
}

beforeAll(async () => {
  const created = await runCli(['token', 'create', '--name', 'n8n', '--scope', 'write'], { home, cwd });
  expect(created.code, created.stderr).toBe(0);
  token = created.stdout.trim();
  let tarball: string;
  [server, failingServer, tarball, receiver] = await Promise.all([startServer({ home, cwd }), startServer(failing), packN8nPackage(), startReceiver()]);

  n8n = await createN8n();
  await n8n.installPackage(tarball);
  // The credential a user creates in n8n's UI, named as the shipped workflow expects it.
  await n8n.importCredentials([
    { id: 'slipwayCredential', name: 'Slipway', type: 'slipwayApi', data: { url: server.url, token } },
    { id: 'slipwayArm64Cred', name: 'Slipway (arm64 only)', type: 'slipwayApi', data: { url: failingServer.url, token: '' } },
  ]);
  await n8n.importWorkflows([requestToAppWorkflow(), arm64Workflow(), triggerWorkflow(receiver.url)]);
  for (const id of [REQUEST_WORKFLOW_ID, ARM64_WORKFLOW_ID, TRIGGER_WORKFLOW_ID]) await n8n.publish(id);
  await n8n.start();
  await n8n.setUpOwner();
  await n8n.waitForWebhook('slipway-request');
  await n8n.waitForWebhook('slipway-request-arm64');
  await n8n.waitForWebhook(`${TRIGGER_WEBHOOK_ID}/webhook`);
  // n8n serves a trigger's webhook before the trigger has subscribed it: runs must wait for that.
  expect(await triggerSubscriptions((found) => found.length > 0)).toHaveLength(1);
}, 600_000);

afterAll(async () => {
  const n8nExit = await n8n?.stop();
  receiver?.server.close();
  if (server) {
    // Whatever the tests created is stopped through the API, then the server itself.
    await deleteAllApps(server, { authorization: `Bearer ${token}` });
    expect(await server.stop()).toBe(0);
  }
  if (failingServer) {
    await deleteAllApps(failingServer);
    expect(await failingServer.stop()).toBe(0);
  }
  expect(n8nExit ?? 0).toBe(0);
}, 120_000);

describe('n8n with the Slipway nodes', () => {
  let created: { app: string; url: string; runId: string };

  it("creates the app a request to the shipped workflow's webhook describes, and answers with its URL", async () => {
    const { status, json } = await curlJson(`${n8n.url}/webhook/slipway-request`, { description: 'a pomodoro timer with a dark theme' });
    expect({ status, json }).toEqual({ status: 200, json: { ok: true, app: 'pomodoro-timer-dark-theme', url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/$/), runId: expect.stringMatching(/^run-/) } });
    created = json;

    const { apps } = await jsonOf(api('/v1/apps'));
    expect(apps).toEqual([expect.objectContaining({ app: 'pomodoro-timer-dark-theme', state: 'running', url: json.url, lastRunId: json.runId })]);
    const run = await jsonOf(api(`/v1/runs/${json.runId}`));
    expect(run).toMatchObject({ app: 'pomodoro-timer-dark-theme', kind: 'create', status: 'succeeded', template: 'timer' });
    const page = await fetch(json.url);
    expect(page.status).toBe(200);
  }, 600_000);

  it("answers a reserved name through the workflow's failure branch with Slipway's reason and hint, and creates nothing", async () => {
    const request = { description: 'a pomodoro timer with a dark theme', name: 'slipway' };
    // What Slipway itself answers to this request, which the workflow passes on.
    const refused = await api('/v1/apps', { method: 'POST', body: JSON.stringify(request) });
    const problem = await jsonOf(refused);
    expect(refused.status).toBe(422);
    expect(problem.hint).toEqual(expect.any(String));

    const { status, json } = await curlJson(`${n8n.url}/webhook/slipway-request`, request);
    expect(status).toBe(422);
    expect(json).toMatchObject({ ok: false, hint: problem.hint });
    expect(json.reason).toContain("'slipway' is reserved");

    const { apps } = await jsonOf(api('/v1/apps'));
    expect(apps.map((a: { app: string }) => a.app)).toEqual(['pomodoro-timer-dark-theme']);
  }, 120_000);

  it("answers a run that failed through the failure branch with the run's stage, reason and hint", async () => {
    const { status, json } = await curlJson(`${n8n.url}/webhook/slipway-request-arm64`, { description: 'a pomodoro timer', template: 'timer', name: 'doomed' });
    const { runs } = await jsonOf(fetch(`${failingServer.url}/v1/runs?app=doomed`));
    expect(runs).toHaveLength(1);
    const run = await jsonOf(fetch(`${failingServer.url}/v1/runs/${runs[0].runId}`));
    expect(run).toMatchObject({ status: 'failed', error: { stepId: 'image:build', hint: expect.stringMatching(/multi-platform base/) } });
    expect({ status, json }).toEqual({
      status: 422,
      json: { ok: false, app: 'doomed', stage: expect.stringMatching(/^image:build\b/), reason: run.error.message, hint: run.error.hint },
    });
  }, 600_000);

  it("the shipped workflow's form creates the app and its ending page shows the URL, or the failure with Slipway's hint", async () => {
    const page = await fetch(`${n8n.url}/form/slipway-request-form`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Ship a webapp');

    const shown = await submitForm({ description: 'a landing page for my band', template: 'static-site', name: 'band-form' });
    const { apps } = await jsonOf(api('/v1/apps'));
    const app = apps.find((a: { app: string }) => a.app === 'band-form');
    expect(app).toMatchObject({ state: 'running', template: 'static-site' });
    expect(shown).toContain('<h1>Your app is running</h1>');
    expect(shown).toContain(`band-form runs at ${app.url}`);

    const refused = await submitForm({ description: 'a landing page for my band', template: '', name: 'slipway' });
    expect(refused).toContain('<h1>Slipway could not create the app</h1>');
    const problem = await jsonOf(api('/v1/apps', { method: 'POST', body: JSON.stringify({ description: 'a landing page for my band', name: 'slipway' }) }));
    expect(refused).toContain(escapeHtml(problem.hint));
  }, 600_000);

  it("the Slipway Trigger subscribed on activation, and starts its workflow with the run's outcome when a run ends", async () => {
    const [subscription, ...more] = await triggerSubscriptions();
    expect(more).toEqual([]);
    expect(subscription).toMatchObject({ url: `${n8n.url}/webhook/${TRIGGER_WEBHOOK_ID}/webhook`, events: ['run.succeeded', 'run.failed'] });

    // The create run of the first test ended after the trigger subscribed.
    const told = await delivered((body) => body.runId === created.runId);
    expect(told).toEqual({ type: 'run.succeeded', runId: created.runId, app: created.app, kind: 'create', status: 'succeeded', durationMs: expect.any(Number), url: created.url });
    const run = await jsonOf(api(`/v1/runs/${created.runId}`));
    expect(run.notifications).toContainEqual(expect.objectContaining({ target: `webhook:${subscription!.name}`, ok: true }));

    // A delivery without Slipway's signature is refused, and starts no execution.
    const forged = await fetch(subscription!.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ...told, runId: 'run-forged' }) });
    expect(forged.status).toBe(401);

    // A delete is a run too: its end reaches the workflow while it runs.
    const deleting = await api(`/v1/apps/${created.app}`, { method: 'DELETE' });
    expect(deleting.status).toBe(202);
    const { runId } = await jsonOf(deleting);
    expect(await delivered((body) => body.runId === runId)).toMatchObject({ type: 'run.succeeded', app: created.app, kind: 'delete', status: 'succeeded' });
    expect(receiver.bodies.some((body) => body.runId === 'run-forged')).toBe(false);
  }, 120_000);

  it("the credential's test asks the server: its token passes, a wrong one is refused", async () => {
    const test = async (data: object) => jsonOf(n8n.rest('POST', '/credentials/test', { credentials: { id: 'slipwayCredential', name: 'Slipway', type: 'slipwayApi', data } }));
    expect(await test({ url: server.url, token })).toEqual({ data: { status: 'OK', message: expect.any(String) } });
    expect(await test({ url: server.url, token: 'slw_not-a-token' })).toEqual({ data: { status: 'Error', message: 'Unauthorized' } });
    expect(await test({ url: `http://127.0.0.1:${await closedPort()}`, token })).toEqual({ data: { status: 'Error', message: 'ECONNREFUSED' } });
  });

  it("deactivating the Trigger's workflow removes its subscription", async () => {
    expect(await triggerSubscriptions()).toHaveLength(1);
    const deactivated = await n8n.rest('POST', `/workflows/${TRIGGER_WORKFLOW_ID}/deactivate`, {});
    expect(deactivated.status, await deactivated.clone().text()).toBe(200);
    // n8n takes a trigger down after it answered the deactivation.
    expect(await triggerSubscriptions((found) => found.length === 0)).toEqual([]);
  }, 120_000);
});
