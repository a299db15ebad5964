import { createHash, randomBytes } from 'node:crypto';
import type { DatabaseSync } from 'node:sqlite';
import { assertTokenName, assertTokenScope, type Caller, type TokenScope } from '../../domain/api-token.ts';
import { ConflictError, InputError } from '../../domain/index.ts';
import type { IssuedToken, TokenInfo, TokenStore } from '../../ports/token-store.ts';

const PREFIX = 'slw_';
/**
 * What a token may look like: the `slw_` tokens Slipway issues (32 random bytes in base64url), and
 * tokens given in slipway.yaml (`server.tokens`, e.g. the hex one `slipway bootstrap` generates).
 */
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{32,256}$/;
const TOKEN_RULE = '32 to 256 letters, digits, - and _ (e.g. 32 random bytes in hex: openssl rand -hex 32)';
const LAST_USED_PRECISION_MS = 60_000;

/**
 * The SHA-256 of a token, as stored. Tokens carry 256 random bits, so a fast unsalted hash is enough:
 * nobody can guess a token from its hash, and a lookup by hash needs no per-row work.
 */
export function tokenHash(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

interface TokenRow {
  name: string;
  scope: string;
  created_at: string;
  last_used_at: string | null;
}

/** API tokens in the state database (table api_tokens); the token text itself is never written. */
export class SqliteTokenStore implements TokenStore {
  private readonly db: DatabaseSync;
  private readonly now: () => Date;
  constructor(options: { db: DatabaseSync; now?: () => Date }) {
    this.db = options.db;
    this.now = options.now ?? (() => new Date());
  }

  async create(name: string, scope: TokenScope): Promise<IssuedToken> {
    assertTokenName(name);
    assertTokenScope(scope);
    const token = PREFIX + randomBytes(32).toString('base64url');
    const inserted = this.db
      .prepare('INSERT INTO api_tokens (name, scope, hash, created_at) VALUES (?, ?, ?, ?) ON CONFLICT(name) DO NOTHING')
      .run(name, scope, tokenHash(token), this.now().toISOString());
    if (Number(inserted.changes) === 0) {
      throw new ConflictError(`a token named '${name}' already exists`, {
        hint: `Choose another name, or replace it: \`slipway token revoke ${name}\` and create it again.`,
      });
    }
    return { name, scope, token };
  }

  async put(name: string, scope: TokenScope, token: string): Promise<void> {
    assertTokenName(name);
    assertTokenScope(scope);
    if (!TOKEN_SHAPE.test(token)) {
      throw new InputError(`the token given for '${name}' is not one Slipway accepts: it must have ${TOKEN_RULE}`, {
        hint: 'Put a long random value in the secret it is read from.',
      });
    }
    const hash = tokenHash(token);
    const owner = this.db.prepare('SELECT name FROM api_tokens WHERE hash = ?').get(hash) as { name: string } | undefined;
    if (owner && owner.name !== name) {
      throw new ConflictError(`the token given for '${name}' is already the token '${owner.name}'`, { hint: 'Give each name its own token.' });
    }
    const row = this.db.prepare('SELECT scope, hash FROM api_tokens WHERE name = ?').get(name) as { scope: string; hash: string } | undefined;
    if (row?.hash === hash) {
      if (row.scope !== scope) this.db.prepare('UPDATE api_tokens SET scope = ? WHERE name = ?').run(scope, name);
      return;
    }
    // A new value replaces the old one entirely: deleting it also ends the web sessions opened with it.
    this.db.exec('BEGIN IMMEDIATE');
    try {
      this.db.prepare('DELETE FROM api_tokens WHERE name = ?').run(name);
      this.db.prepare('INSERT INTO api_tokens (name, scope, hash, created_at) VALUES (?, ?, ?, ?)').run(name, scope, hash, this.now().toISOString());
      this.db.exec('COMMIT');
    } catch (error) {
      this.db.exec('ROLLBACK');
      throw error;
    }
  }

  async list(): Promise<TokenInfo[]> {
    const rows = this.db.prepare('SELECT name, scope, created_at, last_used_at FROM api_tokens ORDER BY name').all() as unknown as TokenRow[];
    return rows.map((row) => ({
      name: row.name,
      scope: assertTokenScope(row.scope),
      createdAt: row.created_at,
      ...(row.last_used_at ? { lastUsedAt: row.last_used_at } : {}),
    }));
  }

  async revoke(name: string): Promise<boolean> {
    return Number(this.db.prepare('DELETE FROM api_tokens WHERE name = ?').run(name).changes) > 0;
  }

  async verify(token: string): Promise<Caller | undefined> {
    // Text that cannot be a token costs no query.
    if (!TOKEN_SHAPE.test(token)) return undefined;
    const hash = tokenHash(token);
    const row = this.db.prepare('SELECT name, scope, last_used_at FROM api_tokens WHERE hash = ?').get(hash) as Omit<TokenRow, 'created_at'> | undefined;
    if (!row) return undefined;
    // Noted to the minute: a write (and a sync to disk) on every request would cost more than it tells.
    const now = this.now();
    if (!row.last_used_at || now.getTime() - Date.parse(row.last_used_at) >= LAST_USED_PRECISION_MS) {
      this.db.prepare('UPDATE api_tokens SET last_used_at = ? WHERE hash = ?').run(now.toISOString(), hash);
    }
    return { name: row.name, scope: assertTokenScope(row.scope) };
  }

  async count(): Promise<number> {
    return Number((this.db.prepare('SELECT COUNT(*) AS n FROM api_tokens').get() as { n: number }).n);
  }
}
