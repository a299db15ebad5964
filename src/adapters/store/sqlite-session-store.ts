import { createHash, randomBytes } from 'node:crypto';
import type { DatabaseSync } from 'node:sqlite';
import { assertTokenScope, type Caller } from '../../domain/api-token.ts';
import type { OpenedSession, Session, SessionStore } from '../../ports/session-store.ts';

/** How long a session lives after sign-in. */
export const SESSION_LIFETIME_MS = 12 * 60 * 60 * 1000;
/** 32 random bytes in base64url. */
const ID_SHAPE = /^[A-Za-z0-9_-]{43}$/;

/** The SHA-256 of a session id, as stored: the database alone signs nobody in. */
export function sessionHash(id: string): string {
  return createHash('sha256').update(id).digest('hex');
}

interface SessionRow {
  token_name: string;
  scope: string;
  csrf: string;
  created_at: string;
  expires_at: string;
}

/**
 * Sessions in the state database (table web_sessions). A session reads its token's scope on each
 * lookup, and revoking the token deletes its sessions (a foreign key), so a session never outlives
 * or outranks the token it was opened with.
 */
export class SqliteSessionStore implements SessionStore {
  private readonly db: DatabaseSync;
  private readonly now: () => Date;
  private readonly lifetimeMs: number;
  constructor(options: { db: DatabaseSync; now?: () => Date; lifetimeMs?: number }) {
    this.db = options.db;
    this.now = options.now ?? (() => new Date());
    this.lifetimeMs = options.lifetimeMs ?? SESSION_LIFETIME_MS;
  }

  async open(caller: Caller): Promise<OpenedSession> {
    const id = randomBytes(32).toString('base64url');
    const csrf = randomBytes(32).toString('base64url');
    const now = this.now();
    const expiresAt = new Date(now.getTime() + this.lifetimeMs).toISOString();
    // Ended sessions are cleared as new ones open, so the table holds only the living.
    this.db.prepare('DELETE FROM web_sessions WHERE expires_at <= ?').run(now.toISOString());
    this.db.prepare('INSERT INTO web_sessions (hash, token_name, csrf, created_at, expires_at) VALUES (?, ?, ?, ?, ?)')
      .run(sessionHash(id), caller.name, csrf, now.toISOString(), expiresAt);
    return { id, csrf, expiresAt };
  }

  async find(id: string): Promise<Session | undefined> {
    if (!ID_SHAPE.test(id)) return undefined;
    const row = this.db.prepare(
      'SELECT s.token_name, t.scope, s.csrf, s.created_at, s.expires_at FROM web_sessions s JOIN api_tokens t ON t.name = s.token_name WHERE s.hash = ?',
    ).get(sessionHash(id)) as SessionRow | undefined;
    if (!row || Date.parse(row.expires_at) <= this.now().getTime()) return undefined;
    return { caller: { name: row.token_name, scope: assertTokenScope(row.scope) }, csrf: row.csrf, createdAt: row.created_at, expiresAt: row.expires_at };
  }

  async end(id: string): Promise<void> {
    this.db.prepare('DELETE FROM web_sessions WHERE hash = ?').run(sessionHash(id));
  }
}
