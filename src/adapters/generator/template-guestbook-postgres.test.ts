/**
 * The Postgres-backed template, generated for the request users type, its npm dependency installed
 * by Slipway's own installer, and run for real against a real local PostgreSQL.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalPostgres } from '../database/local-postgres.ts';
import { NpmDependencyInstaller, npmNetworkEnv, type PreparedContext } from '../sandbox/index.ts';
import { startApp, stopAllApps, writeApp } from './app-harness.ts';
import { TemplateGenerator } from './template-generator.ts';

const generator = new TemplateGenerator({ templatesDir: fileURLToPath(new URL('../../../templates/', import.meta.url)) });
const json = (body: unknown) => ({ method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });

interface Entry { id: string; name: string; message: string; createdAt: string }

describe('the guestbook-postgres template', () => {
  let work: string;
  let postgres: LocalPostgres;
  let app: PreparedContext;

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'slipway-guestbook-'));
    postgres = new LocalPostgres({ root: join(work, 'databases') });
    const plan = await generator.plan({ description: 'a guestbook that keeps entries in Postgres' });
    expect(plan.template.id).toBe('guestbook-postgres');
    const { spec, files } = await generator.generate(plan, { name: 'guestbook', description: 'a guestbook that keeps entries in Postgres' });
    expect(spec.needs).toEqual({ database: 'postgres' });
    const installer = new NpmDependencyInstaller({ workDir: join(work, 'npm'), npmCache: join(work, 'npm-cache'), env: npmNetworkEnv(process.env), path: process.env['PATH'] ?? '/usr/bin:/bin' });
    app = await installer.prepare(await writeApp(files));
    expect(app.dependencies).toEqual(['postgres']);
  }, 180_000);

  afterAll(async () => {
    await stopAllApps();
    await postgres.remove('guestbook').catch(() => {});
    await app?.cleanup();
    await rm(work, { recursive: true, force: true });
  });

  it('is what the offline generator picks for a guestbook kept in a database, and not for a plain RSVP form', async () => {
    expect((await generator.plan({ description: 'a guestbook backed by a PostgreSQL database' })).template.id).toBe('guestbook-postgres');
    expect((await generator.plan({ description: 'an rsvp form for my party' })).template.id).toBe('form');
  });

  it('creates its table, keeps entries across a restart of the app and of the database, and validates what it is sent', async () => {
    const { url: databaseUrl } = await postgres.start('guestbook');
    let running = await startApp(app.dir, { DATABASE_URL: databaseUrl });
    await expect.poll(async () => (await (await fetch(`${running.url}/healthz`)).json()), { timeout: 20_000 }).toEqual({ status: 'ok', database: 'up' });

    const hostile = '<img src=x onerror=alert(1)>';
    const created = await fetch(`${running.url}/api/entries`, json({ name: 'Ada', message: hostile }));
    expect(created.status).toBe(201);
    expect(await created.json()).toMatchObject({ name: 'Ada', message: hostile });
    expect((await fetch(`${running.url}/api/entries`, json({ name: '', message: 'x' }))).status).toBe(400);
    expect((await fetch(`${running.url}/api/entries`, json({ name: 'B', message: 'x'.repeat(501) }))).status).toBe(400);
    expect((await fetch(`${running.url}/api/entries`, { method: 'POST', body: 'name=x' })).status).toBe(415);
    expect((await fetch(`${running.url}/api/entries`, { method: 'DELETE' })).status).toBe(405);
    // The page only ever sets entries as text.
    expect(await (await fetch(`${running.url}/app.js`)).text()).not.toMatch(/innerHTML|insertAdjacentHTML/);
    expect(running.output()).not.toContain(databaseUrl.split('@')[0]!.split(':').at(-1));

    await running.stop();
    await postgres.stop('guestbook');
    const again = await postgres.start('guestbook');
    running = await startApp(app.dir, { DATABASE_URL: again.url });
    await expect.poll(async () => (await (await fetch(`${running.url}/healthz`)).json()), { timeout: 20_000 }).toMatchObject({ database: 'up' });
    const entries = (await (await fetch(`${running.url}/api/entries`)).json()) as Entry[];
    expect(entries.map((e) => [e.name, e.message])).toEqual([['Ada', hostile]]);
    await running.stop();
  }, 120_000);

  it('starts without a database and says so instead of failing', async () => {
    const running = await startApp(app.dir);
    expect(await (await fetch(`${running.url}/healthz`)).json()).toEqual({ status: 'ok', database: 'none' });
    const answer = await fetch(`${running.url}/api/entries`);
    expect(answer.status).toBe(503);
    expect(await answer.json()).toEqual({ error: 'this guestbook has no database (DATABASE_URL is not set)' });
    expect(await running.stop()).toEqual({ code: 0, signal: null });
  }, 30_000);
});
