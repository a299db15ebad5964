import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { describe, expect, it } from 'vitest';
import { ConflictError, InputError } from '../../domain/index.ts';
import { openDatabase } from './sqlite-database.ts';
import { SqliteReplayGuard } from './sqlite-replay-guard.ts';
import { SqliteTokenStore } from './sqlite-token-store.ts';
import { clock, stateFile } from './store.test-support.ts';

describe('SqliteTokenStore', () => {
  it('issues slw_ tokens of 32 random bytes and stores only their SHA-256', async () => {
    const file = stateFile();
    const db = openDatabase(file);
    const store = new SqliteTokenStore({ db });
    const issued = await store.create('n8n', 'write');
    const other = await store.create('ci', 'read');
    expect(issued).toMatchObject({ name: 'n8n', scope: 'write' });
    expect(issued.token).toMatch(/^slw_[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(issued.token.slice(4), 'base64url')).toHaveLength(32);
    expect(other.token).not.toBe(issued.token);
    const rows = db.prepare('SELECT name, hash FROM api_tokens ORDER BY name').all();
    expect(rows).toEqual([
      { name: 'ci', hash: createHash('sha256').update(other.token).digest('hex') },
      { name: 'n8n', hash: createHash('sha256').update(issued.token).digest('hex') },
    ]);
    db.close();
    // Neither the database nor its WAL holds the token's text.
    for (const name of readdirSync(join(file, '..'))) {
      const bytes = readFileSync(join(file, '..', name));
      expect(bytes.includes(issued.token.slice(4)), name).toBe(false);
      expect(bytes.includes(other.token.slice(4)), name).toBe(false);
    }
  });

  it('verifies a token to its name and scope, notes when it was used, and refuses anything else', async () => {
    const db = openDatabase(stateFile());
    const time = clock();
    const store = new SqliteTokenStore({ db, now: time.now });
    const { token } = await store.create('n8n', 'admin');
    expect(await store.list()).toEqual([{ name: 'n8n', scope: 'admin', createdAt: '2026-12-01T10:00:00.000Z' }]);
    time.set('2026-12-01T11:30:00.000Z');
    expect(await store.verify(token)).toEqual({ name: 'n8n', scope: 'admin' });
    expect(await store.list()).toEqual([{ name: 'n8n', scope: 'admin', createdAt: '2026-12-01T10:00:00.000Z', lastUsedAt: '2026-12-01T11:30:00.000Z' }]);
    // Noted to the minute, so a busy client does not write to the database on every request.
    time.set('2026-12-01T11:30:59.000Z');
    await store.verify(token);
    expect((await store.list())[0]!.lastUsedAt).toBe('2026-12-01T11:30:00.000Z');
    time.set('2026-12-01T11:31:00.000Z');
    await store.verify(token);
    expect((await store.list())[0]!.lastUsedAt).toBe('2026-12-01T11:31:00.000Z');
    const flipped = token.slice(0, -1) + (token.endsWith('A') ? 'B' : 'A');
    for (const wrong of [flipped, token.toUpperCase(), `${token} `, token.slice(4), '', 'slw_', `Bearer ${token}`]) {
      expect(await store.verify(wrong), wrong).toBeUndefined();
    }
  });

  it('refuses a name in use, bad names and unknown scopes, and says what a good one is', async () => {
    const store = new SqliteTokenStore({ db: openDatabase(':memory:') });
    await store.create('n8n', 'read');
    await expect(store.create('n8n', 'write')).rejects.toThrow(ConflictError);
    await expect(store.create('n8n', 'write')).rejects.toThrow(/'n8n' already exists/);
    for (const bad of ['', '-n8n', 'N8N', 'n8n_prod', 'n8n prod', 'n8n/prod', 'a'.repeat(41), 'ñ8n']) {
      await expect(store.create(bad, 'read'), bad).rejects.toThrow(InputError);
    }
    await expect(store.create('ok', 'owner' as never)).rejects.toThrow(/'owner' is not a token scope; the scopes are read, write, admin/);
    expect((await store.create('a'.repeat(40), 'read')).name).toHaveLength(40);
    expect((await store.create('0-ci-', 'read')).name).toBe('0-ci-');
    expect(await store.count()).toBe(3);
  });

  it('revokes a token at once and says whether there was one', async () => {
    const store = new SqliteTokenStore({ db: openDatabase(':memory:') });
    const { token } = await store.create('ci', 'write');
    await store.create('n8n', 'read');
    expect(await store.revoke('ci')).toBe(true);
    expect(await store.verify(token)).toBeUndefined();
    expect(await store.revoke('ci')).toBe(false);
    expect(await store.revoke('nobody')).toBe(false);
    expect((await store.list()).map((t) => t.name)).toEqual(['n8n']);
    expect(await store.count()).toBe(1);
  });

  it('sees tokens another process created in the same file', async () => {
    const file = stateFile();
    const { token } = await new SqliteTokenStore({ db: openDatabase(file) }).create('n8n', 'read');
    expect(await new SqliteTokenStore({ db: openDatabase(file) }).verify(token)).toEqual({ name: 'n8n', scope: 'read' });
  });
});

describe('migration to schema 3', () => {
  it('adds the token and replay tables to a state file of schema 2 and keeps its runs', () => {
    const file = stateFile();
    const old = openDatabase(file);
    old.exec("DROP TABLE api_tokens; DROP TABLE hook_replays; PRAGMA user_version = 2; INSERT INTO runs (id, kind, app, status, request, created_at, updated_at) VALUES ('run-1', 'create', 'a', 'succeeded', '{}', '', '')");
    old.close();
    const db = openDatabase(file);
    const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as Array<{ name: string }>).map((t) => t.name);
    expect(tables).toEqual(expect.arrayContaining(['api_tokens', 'hook_replays', 'runs']));
    expect(db.prepare('PRAGMA user_version').get()).toEqual({ user_version: 6 });
    expect(db.prepare('SELECT id FROM runs').all()).toEqual([{ id: 'run-1' }]);
    db.close();
    expect(new DatabaseSync(file).prepare('SELECT COUNT(*) AS n FROM api_tokens').get()).toEqual({ n: 0 });
  });
});

describe('SqliteTokenStore.put, for tokens slipway.yaml reads from secrets', () => {
  const given = 'a'.repeat(64);
  const next = 'b'.repeat(64);

  it('keeps a given token hashed under its name; the same value again changes nothing, a new one replaces it', async () => {
    const db = openDatabase(stateFile());
    const time = clock();
    const store = new SqliteTokenStore({ db, now: time.now });
    await store.put('bootstrap', 'admin', given);
    expect(await store.verify(given)).toEqual({ name: 'bootstrap', scope: 'admin' });
    expect(db.prepare('SELECT hash FROM api_tokens').all()).toEqual([{ hash: createHash('sha256').update(given).digest('hex') }]);
    time.set('2026-12-01T12:00:00.000Z');
    await store.put('bootstrap', 'admin', given);
    expect((await store.list())[0]).toMatchObject({ createdAt: '2026-12-01T10:00:00.000Z' });
    await store.put('bootstrap', 'read', given);
    expect(await store.verify(given)).toEqual({ name: 'bootstrap', scope: 'read' });
    await store.put('bootstrap', 'admin', next);
    expect(await store.verify(given)).toBeUndefined();
    expect(await store.verify(next)).toEqual({ name: 'bootstrap', scope: 'admin' });
    expect(await store.count()).toBe(1);
  });

  it('refuses a short or odd token without echoing it, and one value under two names', async () => {
    const store = new SqliteTokenStore({ db: openDatabase(stateFile()) });
    const short = store.put('bootstrap', 'admin', 'hunter2hunter2');
    await expect(short).rejects.toBeInstanceOf(InputError);
    await expect(short).rejects.not.toThrow(/hunter2/);
    await expect(store.put('bootstrap', 'admin', `${given} `)).rejects.toBeInstanceOf(InputError);
    await store.put('bootstrap', 'admin', given);
    await expect(store.put('other', 'admin', given)).rejects.toBeInstanceOf(ConflictError);
    const issued = await store.create('n8n', 'write');
    await expect(store.put('bootstrap', 'admin', issued.token)).rejects.toThrow("already the token 'n8n'");
  });
});

describe('SqliteReplayGuard', () => {
  it('accepts a signature once, refuses it again within the window, and forgets it after', async () => {
    const file = stateFile();
    const guard = new SqliteReplayGuard({ db: openDatabase(file) });
    const t = 1_800_000_000;
    expect(await guard.firstSeen('sha256=aa', t)).toBe(true);
    expect(await guard.firstSeen('sha256=aa', t + 1)).toBe(false);
    expect(await guard.firstSeen('sha256=bb', t + 1)).toBe(true);
    // Another process sharing the file sees the same history.
    const other = new SqliteReplayGuard({ db: openDatabase(file) });
    expect(await other.firstSeen('sha256=aa', t + 600)).toBe(false);
    expect(await other.firstSeen('sha256=aa', t + 602)).toBe(true);
    // Old entries are pruned, so the table stays small.
    const db = new DatabaseSync(file);
    expect(db.prepare('SELECT signature FROM hook_replays ORDER BY signature').all()).toEqual([{ signature: 'sha256=aa' }]);
  });
});
