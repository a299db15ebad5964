import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase } from './sqlite-database.ts';
import { SqliteExternalStore } from './sqlite-external-store.ts';

describe('SqliteExternalStore', () => {
  it('keeps externals per environment, by name, across a reopen', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'slipway-externals-')), 'state.db');
    const db = openDatabase(file);
    const store = new SqliteExternalStore({ db });
    await store.put('production', { name: 'printer', address: 'fd00::631', port: 631, protocol: 'UDP' });
    await store.put('production', { name: 'nas', address: '192.168.1.20', port: 445, protocol: 'TCP' });
    await store.put('dev', { name: 'nas', address: '10.0.0.9', port: 445, protocol: 'TCP' });
    // The same name again replaces it.
    await store.put('production', { name: 'nas', address: '192.168.1.21', port: 139, protocol: 'TCP' });
    db.close();

    const again = new SqliteExternalStore({ db: openDatabase(file) });
    expect((await again.list('production')).map((e) => `${e.name} ${e.address}:${e.port}/${e.protocol}`)).toEqual(['nas 192.168.1.21:139/TCP', 'printer fd00::631:631/UDP']);
    expect(await again.get('dev', 'nas')).toEqual({ name: 'nas', address: '10.0.0.9', port: 445, protocol: 'TCP' });
    expect(await again.get('dev', 'printer')).toBeUndefined();
    expect(await again.remove('production', 'nas')).toBe(true);
    expect(await again.remove('production', 'nas')).toBe(false);
    expect((await again.list('production')).map((e) => e.name)).toEqual(['printer']);
    expect(await again.list('staging')).toEqual([]);
  });

  it('migrates a state file from before externals', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'slipway-externals-')), 'state.db');
    const old = openDatabase(file);
    old.exec("DROP TABLE externals; PRAGMA user_version = 5; INSERT INTO runs (id, kind, app, status, request, created_at, updated_at) VALUES ('run-1', 'create', 'a', 'succeeded', '{}', '', '')");
    old.close();
    const db = openDatabase(file);
    expect(db.prepare('PRAGMA user_version').get()).toEqual({ user_version: 6 });
    expect(db.prepare('SELECT id FROM runs').all()).toEqual([{ id: 'run-1' }]);
    expect(await new SqliteExternalStore({ db }).list('production')).toEqual([]);
    db.close();
  });
});
