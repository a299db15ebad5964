import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, runCliWithInput, tempHome } from '../support/cli.ts';
import { startServer, type RunningServer } from '../support/serve.ts';

/** Settings and secrets through `slipway serve`'s API and through the command line's --server. */
const serverSide = tempHome('slipway-settings-api-');
const client = tempHome('slipway-settings-client-');
const APP = 'api-cfg';
const VALUE = 'sk-api-61f0c9d2e7a84b35';
const NEXT = 'sk-api-next-0a9b8c7d6e5f4321';
let server: RunningServer;

const remote = (args: string[]) => runCli(['--server', server.url, ...args], client);

const remoteWithInput = (args: string[], input: string) => runCliWithInput(['--server', server.url, ...args], input, client);

async function call(method: string, path: string, body?: unknown): Promise<{ status: number; type: string; text: string }> {
  const response = await fetch(new URL(path, server.url), {
    method, ...(body !== undefined ? { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } } : {}),
  });
  return { status: response.status, type: response.headers.get('content-type') ?? '', text: await response.text() };
}

/** Waits for a run the API accepted to end, and returns it as the API shows it. */
async function ended(runId: string): Promise<{ status: string; text: string }> {
  for (let i = 0; i < 240; i++) {
    const { text } = await call('GET', `/v1/runs/${runId}`);
    const run = JSON.parse(text) as { status: string };
    if (['succeeded', 'failed', 'cancelled'].includes(run.status)) return { status: run.status, text };
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`run ${runId} did not end`);
}

beforeAll(async () => {
  writeFileSync(join(serverSide.cwd, 'slipway.yaml'), 'local:\n  runtime: process\n');
  server = await startServer(serverSide);
  const created = await remote(['create', 'a pomodoro timer', '--name', APP, '--json']);
  expect(created.code, created.stdout + created.stderr).toBe(0);
}, 180_000);

afterAll(async () => {
  await remote(['delete', APP]);
  await server?.stop();
  for (const side of [serverSide, client]) rmSync(side.cwd, { recursive: true, force: true });
});

describe('settings and secrets through the API', () => {
  it('PATCH sets and unsets settings, PUT sets a secret without echoing it, GET shows names only', async () => {
    const patched = await call('PATCH', `/v1/apps/${APP}/config`, { settings: { THEME: 'dark', OLD: 'x' } });
    expect(patched.status, patched.text).toBe(202);
    expect((await ended(JSON.parse(patched.text).runId)).status).toBe('succeeded');
    const unset = await call('PATCH', `/v1/apps/${APP}/config`, { settings: { OLD: null } });
    expect(unset.status, unset.text).toBe(202);
    expect((await ended(JSON.parse(unset.text).runId)).status).toBe('succeeded');

    const put = await call('PUT', `/v1/apps/${APP}/secrets/API_KEY`, { value: VALUE });
    expect(put.status, put.text).toBe(202);
    expect(put.text).not.toContain(VALUE);
    const run = await ended(JSON.parse(put.text).runId);
    expect(run.status).toBe('succeeded');
    expect(run.text).not.toContain(VALUE);
    expect(JSON.parse(run.text)).toMatchObject({ kind: 'configure' });

    const got = await call('GET', `/v1/apps/${APP}/config`);
    expect(got.status).toBe(200);
    expect(JSON.parse(got.text)).toEqual({ app: APP, env: 'prod', settings: { THEME: 'dark' }, secrets: ['API_KEY'] });
  }, 180_000);

  it.each([
    ['PUT', `/v1/apps/${APP}/secrets/lower_case`, { value: VALUE }, 422, /not a secret name/],
    ['PUT', `/v1/apps/${APP}/secrets/PORT`, { value: VALUE }, 422, /Slipway sets PORT/],
    ['PUT', `/v1/apps/${APP}/secrets/API_KEY`, { value: VALUE, extra: true }, 422, /extra|unrecognized/i],
    ['PUT', `/v1/apps/${APP}/secrets/API_KEY`, { value: '' }, 422, /value/],
    ['PATCH', `/v1/apps/${APP}/config`, { settings: { '9LIVES': 'x' } }, 422, /not a setting name/],
    ['DELETE', `/v1/apps/${APP}/secrets/NOT_SET`, undefined, 404, /has no secret NOT_SET/],
    ['PUT', '/v1/apps/no-such-app/secrets/API_KEY', { value: VALUE }, 404, /no app named/],
  ])('%s %s answers %s as problem+json, naming no value', async (method, path, body, status, detail) => {
    const answer = await call(method, path, body);
    expect(answer.status, answer.text).toBe(status);
    expect(answer.type).toContain('application/problem+json');
    expect(answer.text).toMatch(detail);
    expect(answer.text).not.toContain(VALUE);
  });

  it('the command line does the same through --server: env list shows no value, secret set reads stdin', async () => {
    const listed = await remote(['env', 'list', APP, '--json']);
    expect(listed.code, listed.stderr).toBe(0);
    expect(JSON.parse(listed.stdout)).toEqual({ app: APP, env: 'prod', settings: { THEME: 'dark' }, secrets: ['API_KEY'] });
    const set = await remoteWithInput(['secret', 'set', APP, 'API_KEY', '--json'], NEXT);
    expect(set.code, set.stdout + set.stderr).toBe(0);
    expect(JSON.parse(set.stdout)).toMatchObject({ kind: 'configure', status: 'succeeded' });
    const bad = await remote(['env', 'set', APP, 'bad-name=1']);
    expect(bad.code).toBe(2);
    const unset = await remote(['secret', 'unset', APP, 'API_KEY', '--json']);
    expect(unset.code, unset.stdout + unset.stderr).toBe(0);
    for (const text of [listed.stdout, set.stdout, set.stderr, unset.stdout, server.output().stdout, server.output().stderr]) {
      expect(text).not.toContain(VALUE);
      expect(text).not.toContain(NEXT);
    }
  }, 180_000);
});
