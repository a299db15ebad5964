import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempHome } from '../../../test/support/cli.ts';
import { problemOf } from '../../../test/support/problem.ts';
import { createApiTokens, jsonOf, startServer, type RunningServer } from '../../../test/support/serve.ts';

const { home, cwd } = tempHome('slipway-externals-api-');
writeFileSync(join(cwd, 'slipway.yaml'), 'local:\n  runtime: process\n');
let server: RunningServer;
let tokens: Record<'read' | 'write', string>;

beforeAll(async () => {
  tokens = await createApiTokens(home);
  server = await startServer({ home, cwd });
});

afterAll(async () => {
  if (server) expect(await server.stop()).toBe(0);
});

/** A request with a token of that scope (write unless said), and a JSON body when given. */
function call(method: string, path: string, options: { token?: 'read' | 'write'; body?: unknown } = {}): Promise<Response> {
  const headers = new Headers({ authorization: `Bearer ${tokens[options.token ?? 'write']}` });
  if (options.body !== undefined) headers.set('content-type', 'application/json');
  return fetch(new URL(path, server.url), { method, headers, ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}) });
}

const gitopsHead = () => execFileSync('git', ['--git-dir', join(home, 'git', 'gitops.git'), 'log', '-1', '--format=%H %s', 'main'], { encoding: 'utf8' }).trim();

describe('/v1/externals', () => {
  it('adds, lists and removes externals, each add and remove one GitOps commit', async () => {
    const added = await call('POST', '/v1/externals', { body: { name: 'printer', address: 'fd00::631', port: 631, protocol: 'UDP' } });
    const change = await jsonOf(added);
    expect(added.status, JSON.stringify(change)).toBe(201);
    expect(added.headers.get('location')).toBe('/v1/externals/printer');
    expect(change).toMatchObject({ external: { name: 'printer', address: 'fd00::631', port: 631, protocol: 'UDP' }, env: 'prod', kind: 'ip', file: 'kubernetes/apps/dynamic/externals/printer.yaml' });
    expect(gitopsHead()).toBe(`${change.commit} Add external printer: fd00::631:631/UDP`);

    expect((await call('POST', '/v1/externals', { body: { name: 'mail', address: 'smtp.example.com', port: 587 } })).status).toBe(201);
    const listed = await call('GET', '/v1/externals', { token: 'read' });
    expect(await jsonOf(listed)).toEqual({ externals: [
      { name: 'mail', address: 'smtp.example.com', port: 587, protocol: 'TCP' },
      { name: 'printer', address: 'fd00::631', port: 631, protocol: 'UDP' },
    ] });

    const removed = await call('DELETE', '/v1/externals/mail');
    expect(removed.status).toBe(200);
    expect((await jsonOf(removed)).kind).toBe('hostname');
    expect(gitopsHead()).toMatch(/ Remove external mail$/);
  });

  it('answers bad input as problem+json saying what to fix (422 for a body that does not validate), and needs a write token to change anything', async () => {
    const badPort = await problemOf(await call('POST', '/v1/externals', { body: { name: 'nas', address: '192.168.1.20', port: 70000 } }), 422);
    expect(badPort.detail).toMatch(/port is between 1 and 65535/);
    const badAddress = await problemOf(await call('POST', '/v1/externals', { body: { name: 'nas', address: 'not an address', port: 445 } }), 422);
    expect(badAddress.detail).toMatch(/IPv4 or IPv6 address/);
    await problemOf(await call('POST', '/v1/externals', { body: { name: 'nas', address: '192.168.1.20', port: 445, selector: { app: 'x' } } }), 422);
    const missing = await problemOf(await call('DELETE', '/v1/externals/nas'), 404);
    expect(missing.detail).toMatch(/there is no external 'nas'; known externals: printer/);
    const unknownUse = await problemOf(await call('POST', '/v1/apps', { body: { description: 'a pomodoro timer', uses: ['nas'] } }), 422);
    expect(unknownUse.detail).toMatch(/unknown external nas; known externals: printer/);
    expect((await call('POST', '/v1/externals', { token: 'read', body: { name: 'nas', address: '192.168.1.20', port: 445 } })).status).toBe(403);
  });
});
