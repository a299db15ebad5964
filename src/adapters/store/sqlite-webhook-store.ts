import { randomBytes } from 'node:crypto';
import type { DatabaseSync } from 'node:sqlite';
import { WEBHOOK_EVENTS, type NewWebhook, type Webhook, type WebhookEvent } from '../../domain/index.ts';
import type { WebhookStore } from '../../ports/index.ts';

interface WebhookRow {
  id: string;
  url: string;
  events: string;
  name: string | null;
  secret: string | null;
  created_at: string;
}

/** Webhook subscriptions in the state database (table webhooks). */
export class SqliteWebhookStore implements WebhookStore {
  private readonly db: DatabaseSync;
  private readonly now: () => Date;
  constructor(options: { db: DatabaseSync; now?: () => Date }) {
    this.db = options.db;
    this.now = options.now ?? (() => new Date());
  }

  async add(webhook: NewWebhook): Promise<Webhook> {
    // 104 random bits: ids are not guessable, and never collide in practice.
    const stored: Webhook = { id: `whk_${randomBytes(13).toString('hex')}`, ...webhook, createdAt: this.now().toISOString() };
    this.db
      .prepare('INSERT INTO webhooks (id, url, events, name, secret, created_at) VALUES (?, ?, ?, ?, ?, ?)')
      .run(stored.id, stored.url, JSON.stringify(stored.events), stored.name ?? null, stored.secret ?? null, stored.createdAt);
    return stored;
  }

  async list(): Promise<Webhook[]> {
    // Within one millisecond, the order of insertion decides.
    const rows = this.db.prepare('SELECT * FROM webhooks ORDER BY created_at, rowid').all() as unknown as WebhookRow[];
    return rows.map(fromRow);
  }

  async get(id: string): Promise<Webhook | undefined> {
    const row = this.db.prepare('SELECT * FROM webhooks WHERE id = ?').get(id) as WebhookRow | undefined;
    return row && fromRow(row);
  }

  async remove(id: string): Promise<boolean> {
    return Number(this.db.prepare('DELETE FROM webhooks WHERE id = ?').run(id).changes) > 0;
  }
}

function fromRow(row: WebhookRow): Webhook {
  // Events this version does not know (written by a newer one) are left out rather than failing every read.
  const events = (JSON.parse(row.events) as string[]).filter((event): event is WebhookEvent => (WEBHOOK_EVENTS as readonly string[]).includes(event));
  return {
    id: row.id, url: row.url, events,
    ...(row.name !== null ? { name: row.name } : {}),
    ...(row.secret !== null ? { secret: row.secret } : {}),
    createdAt: row.created_at,
  };
}
