import { spawn } from 'node:child_process';
import { chmodSync, existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { npmNetworkEnv } from '../../src/adapters/sandbox/index.ts';
import { BIN, cliEnv, runCli, tempHome } from '../support/cli.ts';
import { startServer } from '../support/serve.ts';

// The embedded default with the process runtime: the guestbook template against a real local
// PostgreSQL that Slipway creates under its home, started and stopped with the app.
const { home, cwd } = tempHome('slipway-database-');
// As root PostgreSQL runs as the postgres user, who must be able to pass through the test's folder.
chmodSync(cwd, 0o711);
writeFileSync(join(cwd, 'slipway.yaml'), 'local:\n  runtime: process\n');
// npm installs the template's driver: it needs the machine's way to the registry.
const opts = { home, cwd, env: npmNetworkEnv(process.env) };
const folder = join(home, 'databases', 'guestbook');
const json = (body: unknown) => ({ method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });

afterAll(async () => {
  await runCli(['delete', 'guestbook', '--delete-data'], opts);
  rmSync(cwd, { recursive: true, force: true });
});

async function entries(url: string): Promise<Array<{ name: string; message: string }>> {
  const answer = await fetch(new URL('api/entries', url));
  expect(answer.status).toBe(200);
  return (await answer.json()) as Array<{ name: string; message: string }>;
}

/** `slipway delete guestbook` at a terminal (script(1) gives it one), typing `answer`. */
function deleteAtTerminal(answer: string): Promise<{ code: number | null; output: string }> {
  const command = [process.execPath, BIN, 'delete', 'guestbook'].map((word) => `'${word.replaceAll("'", "'\\''")}'`).join(' ');
  const child = spawn('script', ['-qec', command, '/dev/null'], { cwd, env: cliEnv(home, opts.env), stdio: ['pipe', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString();
    // Answer once the question is on the screen, as a person would.
    if (output.includes('[y/N]') && !child.stdin.writableEnded) child.stdin.end(answer);
  });
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, output })));
}

async function create(): Promise<string> {
  const created = await runCli(['create', 'a guestbook that keeps entries in Postgres', '--name', 'guestbook', '--json'], opts);
  expect(created.code, created.stdout + created.stderr).toBe(0);
  const report = JSON.parse(created.stdout);
  expect(report.template).toBe('guestbook-postgres');
  // The table is created once the app reaches the database, a moment after it answers.
  await expect.poll(async () => (await (await fetch(new URL('healthz', report.url))).json()), { timeout: 30_000 }).toMatchObject({ database: 'up' });
  return report.url;
}

describe('an app with a database on the embedded default', () => {
  it('runs against its own PostgreSQL, keeps entries across restarts, and deletes the data only when told', async () => {
    let url = await create();
    expect(existsSync(join(folder, 'data', 'PG_VERSION'))).toBe(true);
    expect((await fetch(new URL('api/entries', url), json({ name: 'Ada', message: 'first!' }))).status).toBe(201);

    // A new version restarts the app; the database keeps what it had.
    const changed = await runCli(['change', 'guestbook', 'make it dark', '--json'], opts);
    expect(changed.code, changed.stdout + changed.stderr).toBe(0);
    url = JSON.parse(changed.stdout).url;
    await expect.poll(async () => (await entries(url)).map((e) => e.message), { timeout: 30_000 }).toEqual(['first!']);

    // No terminal and no flag: refused, nothing deleted, the app still runs.
    const refused = await runCli(['delete', 'guestbook'], opts);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('guestbook keeps data in its database');
    expect(refused.stderr).toContain('--delete-data');
    expect((await entries(url)).length).toBe(1);
    const both = await runCli(['delete', 'guestbook', '--keep-data', '--delete-data'], opts);
    expect(both.code).toBe(2);
    // The API asks the same: a 400 problem saying what to add.
    const server = await startServer(opts);
    try {
      const asked = await fetch(`${server.url}/v1/apps/guestbook`, { method: 'DELETE' });
      expect(asked.status).toBe(400);
      expect(asked.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(JSON.stringify(await asked.json())).toContain('guestbook keeps data in its database');
      expect((await fetch(`${server.url}/v1/apps/guestbook?data=maybe`, { method: 'DELETE' })).status).toBe(400);
    } finally {
      await server.stop();
    }

    // Kept: the app and its database stop, the data stays, and the app created again finds it.
    const kept = await runCli(['delete', 'guestbook', '--keep-data'], opts);
    expect(kept.code, kept.stdout + kept.stderr).toBe(0);
    expect(existsSync(join(folder, 'data', 'PG_VERSION'))).toBe(true);
    expect(existsSync(join(folder, 'data', 'postmaster.pid'))).toBe(false);
    url = await create();
    expect((await entries(url)).map((e) => [e.name, e.message])).toEqual([['Ada', 'first!']]);

    // At a terminal the question is asked; "y" deletes the data with the app.
    const answered = await deleteAtTerminal('y\n');
    expect(answered.output).toContain('Delete guestbook\'s data as well? [y/N]');
    expect(answered.code, answered.output).toBe(0);
    expect(existsSync(folder)).toBe(false);
  }, 600_000);
});

describe('create --database', () => {
  it('refuses an engine Slipway does not provide, and a folder of code, with exit 2 and what to use', async () => {
    const mysql = await runCli(['create', 'a guestbook', '--database', 'mysql'], opts);
    expect(mysql.code).toBe(2);
    expect(mysql.stderr).toContain('--database mysql is not a database Slipway provides');
    expect(mysql.stderr).toContain('--database postgres');
    const folder = await runCli(['create', '--from', cwd, '--database', 'postgres'], opts);
    expect(folder.code).toBe(2);
    expect(folder.stderr).toContain('--database works with a generated app');
  });
});
