import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signBody } from '../../src/server/access/signature.ts';
import { tempHome } from '../support/cli.ts';
import { copyN8nPackage, runN8nNode } from '../support/n8n-package.ts';
import { jsonOf, readEvents, startServer } from '../support/serve.ts';

// The package as n8n installs it: built by @n8n/node-cli, loaded from dist/ with n8n-workflow.
let pkg: string;
const copies: string[] = [];
let manifest: { name: string; n8n: { credentials: string[]; nodes: string[] }; dependencies?: object; peerDependencies: object };
let load: NodeJS.Require;
let n8nWorkflow: any;

beforeAll(async () => {
  pkg = copyN8nPackage();
  copies.push(pkg);
  const built = await runN8nNode(pkg, ['build']);
  expect(built.output).toContain('Build successful');
  expect(built.code).toBe(0);
  manifest = JSON.parse(readFileSync(join(pkg, 'package.json'), 'utf8'));
  load = createRequire(join(pkg, 'package.json'));
  n8nWorkflow = load('n8n-workflow');
}, 240_000);

afterAll(() => {
  for (const dir of copies) rmSync(dir, { recursive: true, force: true });
});

/** A class the package's n8n block names, loaded from dist/ as n8n loads it. */
function loadClass(listed: string, className: string): any {
  const Class = load(join(pkg, listed))[className];
  return new Class();
}

describe('the n8n community node package', () => {
  it('builds every file its n8n block names, with runtime dependencies left to n8n', () => {
    const listed = [...manifest.n8n.credentials, ...manifest.n8n.nodes];
    expect(listed).toEqual([
      'dist/credentials/SlipwayApi.credentials.js',
      'dist/nodes/Slipway/Slipway.node.js',
      'dist/nodes/SlipwayTrigger/SlipwayTrigger.node.js',
    ]);
    for (const file of [...listed, 'dist/icons/slipway.svg', 'dist/icons/slipway.dark.svg']) expect(existsSync(join(pkg, file)), file).toBe(true);
    expect(manifest.name).toBe('n8n-nodes-slipway');
    expect(manifest.dependencies).toBeUndefined();
    expect(manifest.peerDependencies).toEqual({ 'n8n-workflow': '*' });
  });

  it('passes n8n-node lint without a problem', async () => {
    const linted = await runN8nNode(pkg, ['lint']);
    expect(linted.output).not.toMatch(/problems?\b|warning/);
    expect(linted.code).toBe(0);
  }, 120_000);

  it("fails n8n-node lint, naming the rules, when a node breaks n8n's conventions", async () => {
    const broken = copyN8nPackage('slipway-n8n-broken-');
    copies.push(broken);
    const node = join(broken, 'nodes', 'Slipway', 'Slipway.node.ts');
    writeFileSync(node, readFileSync(node, 'utf8').replace(/^\s*subtitle: .*\n/m, ''));
    const runs = join(broken, 'nodes', 'Slipway', 'helpers', 'runs.ts');
    writeFileSync(runs, readFileSync(runs, 'utf8').replace('await sleep(', 'await new Promise((resolve) => setTimeout(resolve, 1));\n\t\tawait sleep('));
    const linted = await runN8nNode(broken, ['lint']);
    expect(linted.code).not.toBe(0);
    expect(linted.output).toContain('@n8n/community-nodes/require-node-description-fields');
    expect(linted.output).toContain('n8n-nodes-base/node-class-description-missing-subtitle');
    expect(linted.output).toMatch(/restricted global 'setTimeout'.*@n8n\/community-nodes\/no-restricted-globals/);
  }, 120_000);

  it('describes the Slipway API credential: server URL, a password token, a Bearer header and a test of GET /v1/apps', () => {
    const credential = loadClass('dist/credentials/SlipwayApi.credentials.js', 'SlipwayApi');
    expect(credential.name).toBe('slipwayApi');
    expect(credential.properties.map((p: any) => p.name)).toEqual(['url', 'token']);
    expect(credential.properties[1].typeOptions).toEqual({ password: true });
    expect(credential.authenticate.properties.headers.Authorization).toContain('"Bearer " + $credentials.token');
    expect(credential.test.request.url).toBe('/v1/apps');
  });

  it('describes the Slipway node: resources App and Run with their operations, each showing its own parameters', () => {
    const { description, methods } = loadClass('dist/nodes/Slipway/Slipway.node.js', 'Slipway');
    expect(`${manifest.name}.${description.name}`).toBe('n8n-nodes-slipway.slipway');
    expect(description.credentials).toEqual([{ name: 'slipwayApi', required: true }]);
    const options = (name: string, resource: string) =>
      description.properties.find((p: any) => p.name === name && (p.displayOptions?.show?.resource ?? [resource]).includes(resource)).options.map((o: any) => o.value);
    expect(options('resource', 'app')).toEqual(['app', 'run']);
    expect(options('operation', 'app')).toEqual(['create', 'delete', 'get', 'list']);
    expect(options('operation', 'run')).toEqual(['get', 'list', 'resume']);
    const shown = (values: object) => n8nWorkflow.NodeHelpers.getNodeParameters(description.properties, values, true, false, { typeVersion: 1 }, description);
    expect(shown({ resource: 'app', operation: 'create' })).toEqual({
      resource: 'app', operation: 'create', description: '', template: '', name: '', waitForCompletion: true, options: {},
    });
    expect(shown({ resource: 'app', operation: 'create', waitForCompletion: false })).not.toHaveProperty('options');
    expect(shown({ resource: 'app', operation: 'delete' })).toMatchObject({ app: '', waitForCompletion: true });
    expect(shown({ resource: 'run', operation: 'list' })).toEqual({ resource: 'run', operation: 'list', limit: 50, filters: {} });
    expect(shown({ resource: 'run', operation: 'resume' })).toMatchObject({ runId: '', waitForCompletion: true });
    const timeout = description.properties.find((p: any) => p.name === 'options').options.find((o: any) => o.name === 'timeout');
    expect(timeout.default).toBe(900);
    const template = description.properties.find((p: any) => p.name === 'template');
    expect(typeof methods.loadOptions[template.typeOptions.loadOptionsMethod]).toBe('function');
  });

  it('describes the Slipway Trigger: a POST webhook, run events to choose, and a subscription kept with the server', () => {
    const trigger = loadClass('dist/nodes/SlipwayTrigger/SlipwayTrigger.node.js', 'SlipwayTrigger');
    const { description } = trigger;
    expect(`${manifest.name}.${description.name}`).toBe('n8n-nodes-slipway.slipwayTrigger');
    expect(description.inputs).toEqual([]);
    expect(description.webhooks).toEqual([{ name: 'default', httpMethod: 'POST', responseMode: 'onReceived', path: 'webhook' }]);
    const events = description.properties.find((p: any) => p.name === 'events');
    expect(events.type).toBe('multiOptions');
    expect(events.options.map((o: any) => o.value).sort()).toEqual(['run.cancelled', 'run.failed', 'run.succeeded']);
    expect(events.default).toEqual(['run.succeeded', 'run.failed']);
    expect(Object.keys(trigger.webhookMethods.default).sort()).toEqual(['checkExists', 'create', 'delete']);
    expect(typeof trigger.webhook).toBe('function');
  });

  it('accepts a delivery signed as Slipway signs its webhooks, and refuses a wrong secret, a changed body and a stale one', () => {
    const { refuseDelivery } = load(join(pkg, 'dist/nodes/SlipwayTrigger/signature.js'));
    const secret = 'a-secret-of-sixteen-or-more';
    const body = Buffer.from('{"type":"run.succeeded","runId":"run-20261206061500-ab12cd","app":"pomodoro-timer","status":"succeeded"}');
    const now = Date.UTC(2026, 11, 6, 6, 15);
    const timestamp = String(now / 1000);
    const delivery = { secret, timestamp, signature: signBody(secret, timestamp, body), rawBody: body, nowMs: now };
    expect(refuseDelivery(delivery)).toBeUndefined();
    expect(refuseDelivery({ ...delivery, signature: signBody('another-secret-entirely', timestamp, body) })).toMatch(/does not match/);
    expect(refuseDelivery({ ...delivery, rawBody: Buffer.from(body.toString().replace('succeeded', 'failed')) })).toMatch(/does not match/);
    expect(refuseDelivery({ ...delivery, nowMs: now + 301_000 })).toMatch(/not within 300 seconds/);
    expect(refuseDelivery({ ...delivery, signature: undefined })).toMatch(/not signed/);
    expect(refuseDelivery({ ...delivery, secret: undefined })).toMatch(/holds no secret/);
  });

  it('turns a run that failed on a real slipway serve into an error with its stage and hint, or with Continue On Fail an item to branch on', async () => {
    // A base made from this machine's Node cannot serve linux/arm64: the run fails at image:build, with a hint.
    const { home, cwd } = tempHome('slipway-n8n-failed-run-');
    copies.push(cwd);
    writeFileSync(join(cwd, 'slipway.yaml'), 'local:\n  runtime: process\nimage:\n  base: host\n  platforms: [linux/arm64]\n');
    const server = await startServer({ home, cwd });
    try {
      const accepted = await fetch(`${server.url}/v1/apps`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ template: 'timer', name: 'doomed' }) });
      expect(accepted.status).toBe(202);
      await readEvents(`${server.url}${accepted.headers.get('location')}/events`);
      const report = await jsonOf(fetch(`${server.url}${accepted.headers.get('location')}`));
      expect(report.status).toBe('failed');

      const { finishedRun } = load(join(pkg, 'dist/nodes/Slipway/helpers/runs.js'));
      const { failureItem } = load(join(pkg, 'dist/nodes/Slipway/transport/index.js'));
      const node = { id: 'create', name: 'Create app', type: 'n8n-nodes-slipway.slipway', typeVersion: 1, position: [0, 0], parameters: {} };
      let thrown: any;
      try {
        finishedRun(node, report);
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(n8nWorkflow.NodeApiError);
      expect(thrown.message).toBe(report.error.message);
      expect(thrown.description).toBe(`Stage: image:build (Build and push the image)\nHint: ${report.error.hint}`);
      expect(failureItem(thrown)).toEqual({
        status: 'failed', app: 'doomed', runId: report.runId,
        error: { message: report.error.message, stage: 'image:build (Build and push the image)', hint: report.error.hint },
      });
    } finally {
      await server.stop();
    }
  }, 180_000);

  it('ships a request-to-app workflow: webhook and form paths through the built Slipway node, with only parameters it declares', () => {
    const workflow = JSON.parse(readFileSync(join(pkg, 'workflows', 'request-to-app.json'), 'utf8'));
    const names = workflow.nodes.map((n: any) => n.name);
    expect(new Set(workflow.nodes.map((n: any) => n.id)).size).toBe(names.length);
    for (const [from, { main }] of Object.entries<any>(workflow.connections)) {
      expect(names).toContain(from);
      for (const target of main.flat()) expect(names).toContain(target.node);
    }
    const byType = (type: string) => workflow.nodes.filter((n: any) => n.type === type);
    const downstream = (name: string) => n8nWorkflow.getChildNodes(workflow.connections, name, 'main').map((child: string) => workflow.nodes.find((n: any) => n.name === child));
    const [webhook] = byType('n8n-nodes-base.webhook');
    expect(webhook.parameters).toMatchObject({ httpMethod: 'POST', path: 'slipway-request', responseMode: 'responseNode' });
    const fromWebhook = downstream(webhook.name);
    expect(fromWebhook.filter((n: any) => n.type === 'n8n-nodes-base.respondToWebhook').map((n: any) => n.parameters.options.responseCode).sort()).toEqual([200, 422]);
    // n8n refuses to start a Form Trigger's workflow that reaches a Respond to Webhook node: the form ends with Form Ending pages.
    const [form] = byType('n8n-nodes-base.formTrigger');
    const fromForm = downstream(form.name);
    expect(fromForm.map((n: any) => n.type)).not.toContain('n8n-nodes-base.respondToWebhook');
    expect(fromForm.filter((n: any) => n.type === 'n8n-nodes-base.form').map((n: any) => n.parameters.operation)).toEqual(['completion', 'completion']);
    const { description } = loadClass('dist/nodes/Slipway/Slipway.node.js', 'Slipway');
    const creates = byType('n8n-nodes-slipway.slipway');
    expect(creates.map((n: any) => [fromWebhook.includes(n), fromForm.includes(n)])).toEqual([[true, false], [false, true]]);
    for (const create of creates) {
      expect(create).toMatchObject({ onError: 'continueRegularOutput', credentials: { slipwayApi: { name: 'Slipway' } } });
      expect(n8nWorkflow.NodeHelpers.getNodeParametersIssues(description.properties, create, description)).toBeNull();
      const declared = n8nWorkflow.NodeHelpers.getNodeParameters(description.properties, create.parameters, true, false, create, description);
      expect(declared).toEqual(create.parameters);
    }
  });
});
