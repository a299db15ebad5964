import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config/index.ts';
import { cliEnv, tempHome } from '../../test/support/cli.ts';
import { compose, type Slipway } from './compose.ts';

// Notifications go out once a run's state is stored; each target's result is kept on the run, and a
// target that keeps failing is retried, reported, and never fails the run.
const { home, cwd } = tempHome('slipway-notify-');
const received: Array<{ body: Record<string, unknown>; signed: boolean }> = [];
let failures = 0;
let server: Server;
let slipway: Slipway;

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      if (req.url === '/down') {
        failures += 1;
        res.writeHead(500).end('down for maintenance');
        return;
      }
      const stamp = String(req.headers['x-slipway-timestamp']);
      const expected = `sha256=${createHmac('sha256', 'hook-secret-1').update(`${stamp}.${body}`).digest('hex')}`;
      received.push({ body: JSON.parse(body) as Record<string, unknown>, signed: req.headers['x-slipway-signature'] === expected });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  const configFile = join(cwd, 'slipway.yaml');
  writeFileSync(configFile, [
    'local:', '  runtime: process',
    'notify:',
    `  - { type: webhook, name: team-hook, url: "http://127.0.0.1:${port}/hook", secret: { env: TEAM_HOOK_SECRET }, on: [succeeded, failed, cancelled] }`,
    `  - { type: webhook, name: broken-hook, url: "http://127.0.0.1:${port}/down" }`,
  ].join('\n'));
  const env = { ...cliEnv(home), SLIPWAY_CONFIG: configFile, TEAM_HOOK_SECRET: 'hook-secret-1' };
  slipway = await compose(loadConfig({ env, cwd, homedir: cwd }), { nodeBinary: process.execPath, path: process.env.PATH ?? '/usr/bin:/bin', vars: env, homedir: cwd }, { mode: { origin: 'server', concurrency: 1 } });
});

afterAll(async () => {
  await slipway.service.idle();
  const removal = await slipway.service.start({ kind: 'delete', app: 'told-timer' }).catch(() => undefined);
  if (removal) for await (const _ of slipway.service.watch(removal.id)) { /* until it ends */ }
  await slipway.service.idle();
  slipway.close();
  server.close();
  rmSync(cwd, { recursive: true, force: true });
}, 60_000);

describe('notifications of a run', () => {
  it('are sent after the run is stored, signed, and each result is on the run; a failing target is retried and reported', async () => {
    const run = await slipway.service.start({ kind: 'create', template: 'timer', name: 'told-timer' });
    await slipway.service.idle();
    const report = await slipway.service.report(run.id);
    expect(report.status).toBe('succeeded');
    expect(received).toEqual([{ signed: true, body: expect.objectContaining({ type: 'run.succeeded', runId: run.id, app: 'told-timer', status: 'succeeded', url: report.url }) }]);
    expect(failures).toBe(3);
    expect(report.notifications).toEqual([
      { target: 'team-hook', ok: true, attempts: 1 },
      { target: 'broken-hook', ok: false, attempts: 3, error: expect.stringMatching(/500/) },
    ]);
    // The results come after the run's end, in its stored events.
    const types = (await slipway.state.runs.events(run.id)).map((e) => e.event.type);
    expect(types.indexOf('notify')).toBeGreaterThan(types.indexOf('run:end'));
  }, 60_000);

  it('tell of a run cancelled before it started, to the targets that asked for cancellations', async () => {
    received.length = 0;
    const busy = await slipway.service.start({ kind: 'create', template: 'timer', name: 'told-busy' });
    const waiting = await slipway.service.start({ kind: 'create', template: 'timer', name: 'told-waiting' });
    await slipway.service.cancel(waiting.id);
    await slipway.service.cancel(busy.id);
    await slipway.service.idle();
    expect(received.map((r) => [r.body.app, r.body.status])).toEqual(expect.arrayContaining([['told-waiting', 'cancelled'], ['told-busy', 'cancelled']]));
    expect((await slipway.service.report(waiting.id)).notifications).toEqual([{ target: 'team-hook', ok: true, attempts: 1 }]);
  }, 60_000);
});
