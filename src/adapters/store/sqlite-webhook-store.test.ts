import { DatabaseSync } from 'node:sqlite';
import { describe, expect, it } from 'vitest';
import { WEBHOOK_ID_PATTERN } from '../../domain/index.ts';
import { openDatabase } from './sqlite-database.ts';
import { SqliteWebhookStore } from './sqlite-webhook-store.ts';
import { clock, stateFile } from './store.test-support.ts';

describe('SqliteWebhookStore', () => {
  it('adds subscriptions under fresh whk_ ids, lists them oldest first, gets and removes them', async () => {
    const file = stateFile();
    const time = clock();
    const store = new SqliteWebhookStore({ db: openDatabase(file), now: time.now });
    const first = await store.add({ url: 'http://127.0.0.1:5678/webhook/a', events: ['run.failed'], name: 'n8n', secret: 'a-secret-of-16-chars' });
    // Same millisecond: the order they were added in still holds.
    const second = await store.add({ url: 'https://hooks.example.org/b', events: ['run.succeeded', 'run.failed'] });
    time.set('2026-12-01T10:00:05.000Z');
    const third = await store.add({ url: 'https://hooks.example.org/c', events: ['run.cancelled'] });

    expect(first).toEqual({ id: expect.stringMatching(WEBHOOK_ID_PATTERN), url: 'http://127.0.0.1:5678/webhook/a', events: ['run.failed'], name: 'n8n', secret: 'a-secret-of-16-chars', createdAt: '2026-12-01T10:00:00.000Z' });
    expect(second).not.toHaveProperty('name');
    expect(second).not.toHaveProperty('secret');
    expect(new Set([first.id, second.id, third.id]).size).toBe(3);
    expect(await store.list()).toEqual([first, second, third]);
    expect(await store.get(second.id)).toEqual(second);
    expect(await store.get('whk_00000000000000000000000000')).toBeUndefined();

    // Another process sharing the file sees them, and what it removes is gone for this one too.
    const other = new SqliteWebhookStore({ db: openDatabase(file) });
    expect(await other.list()).toEqual([first, second, third]);
    expect(await other.remove(first.id)).toBe(true);
    expect(await other.remove(first.id)).toBe(false);
    expect((await store.list()).map((w) => w.id)).toEqual([second.id, third.id]);
    expect(await store.get(first.id)).toBeUndefined();
  });
});

describe('migration to schema 5', () => {
  it('adds the webhooks table to a state file of schema 4 and keeps its runs and tokens', async () => {
    const file = stateFile();
    const old = openDatabase(file);
    // A file as Slipway wrote it before subscriptions existed.
    old.exec(`DROP TABLE webhooks; PRAGMA user_version = 4;
      INSERT INTO runs (id, kind, app, status, request, created_at, updated_at) VALUES ('run-1', 'create', 'a', 'succeeded', '{}', '', '');
      INSERT INTO api_tokens (name, scope, hash, created_at) VALUES ('n8n', 'write', 'abc', '')`);
    old.close();
    const before = new DatabaseSync(file);
    expect(before.prepare("SELECT name FROM sqlite_master WHERE name = 'webhooks'").all()).toEqual([]);
    before.close();

    const db = openDatabase(file);
    expect(db.prepare('PRAGMA user_version').get()).toEqual({ user_version: 6 });
    expect(db.prepare('SELECT id FROM runs').all()).toEqual([{ id: 'run-1' }]);
    expect(db.prepare('SELECT name FROM api_tokens').all()).toEqual([{ name: 'n8n' }]);
    const store = new SqliteWebhookStore({ db });
    expect(await store.list()).toEqual([]);
    const added = await store.add({ url: 'http://127.0.0.1:5678/hook', events: ['run.succeeded'] });
    expect(await store.list()).toEqual([added]);
  });
});
