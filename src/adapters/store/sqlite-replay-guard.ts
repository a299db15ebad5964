import type { DatabaseSync } from 'node:sqlite';
import type { ReplayGuard } from '../../ports/replay-guard.ts';

/**
 * Signatures of accepted signed requests in the state database (table hook_replays), so a replay is
 * refused even after a restart or when several processes share the file. The window must outlast the
 * timestamps a request may carry (±5 minutes): 10 minutes by default.
 */
export class SqliteReplayGuard implements ReplayGuard {
  private readonly db: DatabaseSync;
  private readonly windowSeconds: number;
  constructor(options: { db: DatabaseSync; windowSeconds?: number }) {
    this.db = options.db;
    this.windowSeconds = options.windowSeconds ?? 600;
  }

  async firstSeen(signature: string, nowSeconds: number): Promise<boolean> {
    this.db.prepare('DELETE FROM hook_replays WHERE seen_at < ?').run(nowSeconds - this.windowSeconds);
    // One statement decides: of two processes given the same request at once, only one inserts.
    const inserted = this.db.prepare('INSERT INTO hook_replays (signature, seen_at) VALUES (?, ?) ON CONFLICT(signature) DO NOTHING').run(signature, nowSeconds);
    return Number(inserted.changes) === 1;
  }
}
