import type { DatabaseSync } from 'node:sqlite';
import { External } from '../../domain/external.ts';
import type { ExternalStore } from '../../ports/index.ts';

interface ExternalRow {
  name: string;
  address: string;
  port: number;
  protocol: string;
}

/** Services outside the cluster in the state database (table externals). */
export class SqliteExternalStore implements ExternalStore {
  private readonly db: DatabaseSync;
  constructor(options: { db: DatabaseSync }) {
    this.db = options.db;
  }

  async put(env: string, external: External): Promise<void> {
    this.db
      .prepare('INSERT OR REPLACE INTO externals (env, name, address, port, protocol) VALUES (?, ?, ?, ?, ?)')
      .run(env, external.name, external.address, external.port, external.protocol);
  }

  async get(env: string, name: string): Promise<External | undefined> {
    const row = this.db.prepare('SELECT name, address, port, protocol FROM externals WHERE env = ? AND name = ?').get(env, name) as ExternalRow | undefined;
    return row && fromRow(row);
  }

  async list(env: string): Promise<External[]> {
    const rows = this.db.prepare('SELECT name, address, port, protocol FROM externals WHERE env = ? ORDER BY name').all(env) as unknown as ExternalRow[];
    return rows.map(fromRow);
  }

  async remove(env: string, name: string): Promise<boolean> {
    return Number(this.db.prepare('DELETE FROM externals WHERE env = ? AND name = ?').run(env, name).changes) > 0;
  }
}

/** Parsed again: a row written by hand (or by a newer version) is checked like any input. */
function fromRow(row: ExternalRow): External {
  return External.parse({ name: row.name, address: row.address, port: row.port, protocol: row.protocol });
}
