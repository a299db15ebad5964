import { homedir } from 'node:os';
import { join } from 'node:path';
import { openCheckedDatabase } from '../../adapters/store/store-check.ts';
import { SqliteTokenStore } from '../../adapters/store/sqlite-token-store.ts';
import { localHistories, reposHoldApps } from '../../app/repo-history.ts';
import { loadConfig } from '../../config/index.ts';
import { assertTokenName, assertTokenScope } from '../../domain/api-token.ts';
import { NotFoundError } from '../../domain/index.ts';
import type { TokenStore } from '../../ports/token-store.ts';
import { printJson, reportError } from '../output.ts';

/**
 * Runs `fn` with the token store of this home's state database. Only the database is opened (checked
 * like every command that reads state), so managing tokens never starts the pipeline.
 */
async function withTokens(json: boolean, fn: (tokens: TokenStore) => Promise<number | void>): Promise<number> {
  try {
    const config = loadConfig({ env: process.env, cwd: process.cwd(), homedir: homedir() });
    const db = await openCheckedDatabase(join(config.home, 'state.db'), { reposHoldApps: () => reposHoldApps(localHistories(config)) });
    try {
      return (await fn(new SqliteTokenStore({ db }))) ?? 0;
    } finally {
      db.close();
    }
  } catch (error) {
    return reportError(error, json);
  }
}

/** `slipway token create`: the token is printed this once; only its hash is kept. */
export async function tokenCreateCommand(opts: { name: string; scope: string; json?: boolean }): Promise<number> {
  const json = Boolean(opts.json);
  try {
    // Checked before the state file is opened, so a typo creates nothing.
    assertTokenName(opts.name);
    assertTokenScope(opts.scope);
  } catch (error) {
    return reportError(error, json);
  }
  return withTokens(json, async (tokens) => {
    const issued = await tokens.create(opts.name, assertTokenScope(opts.scope));
    if (json) return printJson(issued);
    // The token alone on stdout, so `SLIPWAY_TOKEN=$(slipway token create …)` captures just it.
    process.stdout.write(`${issued.token}\n`);
    process.stderr.write(`Token '${issued.name}' (scope ${issued.scope}) is shown only now: Slipway keeps only its hash. Store it where its client keeps secrets.\n`);
  });
}

/** `slipway token list`: names, scopes and dates; never the tokens themselves. */
export function tokenListCommand(opts: { json?: boolean }): Promise<number> {
  return withTokens(Boolean(opts.json), async (tokens) => {
    const list = await tokens.list();
    if (opts.json) return printJson(list.map((t) => ({ name: t.name, scope: t.scope, createdAt: t.createdAt, lastUsedAt: t.lastUsedAt ?? null })));
    if (list.length === 0) {
      return void process.stdout.write('No API tokens: `slipway serve` on 127.0.0.1 answers anyone on this machine. Create one: slipway token create --name <name> --scope read|write|admin\n');
    }
    const rows = [['NAME', 'SCOPE', 'CREATED', 'LAST USED'], ...list.map((t) => [t.name, t.scope, t.createdAt, t.lastUsedAt ?? 'never'])];
    const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
    process.stdout.write(rows.map((r) => r.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n') + '\n');
  });
}

/** `slipway token revoke`: requests carrying the token are refused from now on. */
export function tokenRevokeCommand(name: string, opts: { json?: boolean }): Promise<number> {
  return withTokens(Boolean(opts.json), async (tokens) => {
    if (!(await tokens.revoke(name))) {
      throw new NotFoundError(`there is no token named '${name}'`, { hint: '`slipway token list` shows the tokens there are.' });
    }
    if (opts.json) return printJson({ name, revoked: true });
    process.stdout.write(`Revoked the token '${name}': requests carrying it now get 401.\n`);
    if ((await tokens.count()) === 0) {
      process.stdout.write('No token is left: `slipway serve` on 127.0.0.1 answers requests that carry no token again, until you create one.\n');
    }
  });
}
