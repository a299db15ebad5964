import type { DatabaseSync } from 'node:sqlite';
import type { AppRecord } from '../../domain/index.ts';
import type { AppStore } from '../../ports/index.ts';

/** App records in SQLite, one JSON document per app. */
export class SqliteAppStore implements AppStore {
  private readonly db: DatabaseSync;
  constructor(options: { db: DatabaseSync }) {
    this.db = options.db;
  }

  async get(name: string): Promise<AppRecord | undefined> {
    const row = this.db.prepare('SELECT record FROM apps WHERE name = ?').get(name) as { record: string } | undefined;
    return row ? (JSON.parse(row.record) as AppRecord) : undefined;
  }

  async list(): Promise<AppRecord[]> {
    const rows = this.db.prepare('SELECT record FROM apps ORDER BY name').all() as unknown as { record: string }[];
    return rows.map((r) => JSON.parse(r.record) as AppRecord);
  }

  async upsert(record: AppRecord): Promise<void> {
    this.db
      .prepare('INSERT INTO apps (name, record, updated_at) VALUES (?, ?, ?) ON CONFLICT(name) DO UPDATE SET record = excluded.record, updated_at = excluded.updated_at')
      .run(record.name, JSON.stringify(record), record.updatedAt);
  }

  async remove(name: string): Promise<void> {
    this.db.prepare('DELETE FROM apps WHERE name = ?').run(name);
  }
}
