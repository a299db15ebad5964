import { createHmac } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli, tempHome } from '../support/cli.ts';
import { jsonOf, readEvents, startServer, type RunningServer } from '../support/serve.ts';

const SECRET = 'the-intake-secret-of-this-test';
const { home, cwd } = tempHome('slipway-serve-access-');
writeFileSync(join(cwd, 'slipway.yaml'), 'local:\n  runtime: process\nserver:\n  hookSecret: { env: SLIPWAY_HOOK_SECRET }\n');
const opts = { home, cwd, env: { SLIPWAY_HOOK_SECRET: SECRET } };
const servers: RunningServer[] = [];

afterAll(async () => {
  for (const server of servers) await server.stop();
});

/** Signed as the README says: sha256= and the hex HMAC-SHA256 of "<timestamp>.<raw body>". */
function signed(body: string, timestamp = Math.floor(Date.now() / 1000)): Record<string, string> {
  const signature = createHmac('sha256', SECRET).update(`${timestamp}.${body}`).digest('hex');
  return { 'content-type': 'application/json', 'x-slipway-timestamp': String(timestamp), 'x-slipway-signature': `sha256=${signature}` };
}

describe('slipway serve and who may call it', () => {
  it('refuses to listen on another address than loopback while no API token exists', async () => {
    const result = await runCli(['serve', '--host', '0.0.0.0', '--port', '0'], opts);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('refusing to listen on 0.0.0.0 without API tokens');
    expect(result.stderr).toContain('slipway token create');
    expect(result.stdout).toBe('');
  });

  it('says which port is taken, and refuses a port that is not one', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as { port: number }).port;
    try {
      const result = await runCli(['serve', '--port', String(port)], opts);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(`port ${port} on 127.0.0.1 is in use`);
    } finally {
      taken.close();
    }
    const bad = await runCli(['serve', '--port', '70000'], opts);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--port must be a whole number from 0 to 65535');
  });

  it('creates an app from a signed request, and refuses the same signature again', async () => {
    const server = await startServer(opts);
    servers.push(server);
    const body = JSON.stringify({ template: 'static-site', name: 'signed-page' });
    const headers = signed(body);
    const response = await fetch(`${server.url}/v1/hooks/create`, { method: 'POST', headers, body });
    const accepted = await jsonOf(response);
    expect(response.status, JSON.stringify(accepted)).toBe(202);
    expect(accepted).toMatchObject({ app: 'signed-page', kind: 'create', status: 'queued' });
    expect(response.headers.get('location')).toBe(`/v1/runs/${accepted.runId}`);

    const replayed = await fetch(`${server.url}/v1/hooks/create`, { method: 'POST', headers, body });
    expect(replayed.status).toBe(403);
    expect(replayed.headers.get('content-type')).toBe('application/problem+json');
    const forged = await fetch(`${server.url}/v1/hooks/create`, { method: 'POST', headers: signed('{"template": "timer"}'), body: '{"template": "form"}' });
    expect(forged.status).toBe(403);

    const events = await readEvents(`${server.url}/v1/runs/${accepted.runId}/events`);
    expect(JSON.parse(events.at(-1)!.data)).toMatchObject({ type: 'run:end', status: 'succeeded' });
    const deleting = await fetch(`${server.url}/v1/apps/signed-page`, { method: 'DELETE' });
    expect(deleting.status).toBe(202);
    await readEvents(`${server.url}${deleting.headers.get('location')}/events`);
    expect(await server.stop()).toBe(0);
  });

  it('asks for a token once one exists, and then also listens on another address', async () => {
    const created = await runCli(['token', 'create', '--name', 'scripts', '--scope', 'write'], opts);
    expect(created.code, created.stderr).toBe(0);
    const token = created.stdout.trim();
    const server = await startServer({ ...opts, args: ['--host', '0.0.0.0'] });
    servers.push(server);
    expect(server.url).toMatch(/^http:\/\/0\.0\.0\.0:\d+$/);
    const url = server.url.replace('0.0.0.0', '127.0.0.1');

    const anonymous = await fetch(`${url}/v1/apps`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(anonymous.headers.get('content-type')).toBe('application/problem+json');
    const listed = await fetch(`${url}/v1/apps`, { headers: { authorization: `Bearer ${token}` } });
    expect(listed.status).toBe(200);
    expect(await jsonOf(listed)).toEqual({ apps: [] });
    // Health, readiness, metrics and the document stay open.
    for (const path of ['/healthz', '/readyz', '/metrics', '/openapi.json']) expect((await fetch(`${url}${path}`)).status, path).toBe(200);
    expect(await server.stop('SIGINT')).toBe(0);
  });
});
