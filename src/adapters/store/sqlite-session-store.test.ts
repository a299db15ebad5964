import { readFileSync } from 'node:fs';
import { DatabaseSync } from 'node:sqlite';
import { describe, expect, it } from 'vitest';
import { openDatabase } from './sqlite-database.ts';
import { sessionHash, SqliteSessionStore } from './sqlite-session-store.ts';
import { SqliteTokenStore } from './sqlite-token-store.ts';
import { clock, stateFile } from './store.test-support.ts';

describe('SqliteSessionStore', () => {
  it('opens a session for a token and stores only the SHA-256 of its id', async () => {
    const file = stateFile();
    const db = openDatabase(file);
    const tokens = new SqliteTokenStore({ db });
    const sessions = new SqliteSessionStore({ db });
    await tokens.create('laptop', 'write');
    const opened = await sessions.open({ name: 'laptop', scope: 'write' });
    expect(opened.id).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(opened.csrf).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(opened.csrf).not.toBe(opened.id);
    expect(await sessions.find(opened.id)).toMatchObject({ caller: { name: 'laptop', scope: 'write' }, csrf: opened.csrf });
    db.close();
    const rows = new DatabaseSync(file).prepare('SELECT hash, token_name FROM web_sessions').all();
    expect(rows).toEqual([{ hash: sessionHash(opened.id), token_name: 'laptop' }]);
    // The id is nowhere in the file, nor in its write-ahead log.
    for (const part of [file, `${file}-wal`]) {
      let bytes = '';
      try { bytes = readFileSync(part, 'latin1'); } catch { /* no WAL once closed */ }
      expect(bytes).not.toContain(opened.id);
    }
  });

  it('ends a session after 12 hours, on sign-out, and when its token is revoked', async () => {
    const db = openDatabase(stateFile());
    const time = clock();
    const tokens = new SqliteTokenStore({ db });
    const sessions = new SqliteSessionStore({ db, now: time.now });
    await tokens.create('phone', 'read');
    await tokens.create('desk', 'admin');
    const aging = await sessions.open({ name: 'phone', scope: 'read' });
    expect(aging.expiresAt).toBe('2026-12-01T22:00:00.000Z');
    time.set('2026-12-01T21:59:59.000Z');
    expect(await sessions.find(aging.id)).toBeDefined();
    time.set('2026-12-01T22:00:00.000Z');
    expect(await sessions.find(aging.id)).toBeUndefined();

    const leaving = await sessions.open({ name: 'desk', scope: 'admin' });
    await sessions.end(leaving.id);
    expect(await sessions.find(leaving.id)).toBeUndefined();

    const revoked = await sessions.open({ name: 'desk', scope: 'admin' });
    const kept = await sessions.open({ name: 'phone', scope: 'read' });
    await tokens.revoke('desk');
    expect(await sessions.find(revoked.id)).toBeUndefined();
    expect(await sessions.find(kept.id)).toMatchObject({ caller: { name: 'phone' } });
    // A new token of the old name does not bring the old session back.
    await tokens.create('desk', 'admin');
    expect(await sessions.find(revoked.id)).toBeUndefined();
    // Opening a session cleared the expired one: only the kept session is left.
    expect(db.prepare('SELECT hash FROM web_sessions').all()).toEqual([{ hash: sessionHash(kept.id) }]);
  });

  it('finds nothing for text that is not a session id', async () => {
    const sessions = new SqliteSessionStore({ db: openDatabase(':memory:') });
    for (const id of ['', 'x', "' OR 1=1 --", 'a'.repeat(200)]) expect(await sessions.find(id)).toBeUndefined();
  });
});
