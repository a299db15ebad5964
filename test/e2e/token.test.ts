import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { describe, expect, it } from 'vitest';
import { runCli, tempHome } from '../support/cli.ts';

const TOKEN = /^slw_[A-Za-z0-9_-]{43}$/;

/** Every byte Slipway keeps under its home (the database, its WAL, anything else), as one buffer. */
function homeBytes(home: string): Buffer {
  const files = readdirSync(home, { recursive: true, withFileTypes: true }).filter((e) => e.isFile());
  return Buffer.concat(files.map((e) => readFileSync(join(e.parentPath, e.name))));
}

describe('slipway token', () => {
  it('creates a token shown once, lists it without its text, and revokes it', async () => {
    const opts = tempHome('slipway-token-');
    const created = await runCli(['token', 'create', '--name', 'n8n', '--scope', 'write'], opts);
    expect(created.code, created.stderr).toBe(0);
    // stdout is the token alone, so a script can capture it; the note for people is on stderr.
    const lines = created.stdout.split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(TOKEN);
    expect(lines[1]).toBe('');
    expect(created.stderr).toMatch(/Token 'n8n' \(scope write\) is shown only now/);
    const token = lines[0]!;

    const listed = await runCli(['token', 'list'], opts);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(/^NAME\s+SCOPE\s+CREATED\s+LAST USED\nn8n\s+write\s+\d{4}-\d\d-\d\dT[\d:.]+Z\s+never\n$/);
    expect(listed.stdout + listed.stderr).not.toContain(token.slice(4));
    const json = await runCli(['token', 'list', '--json'], opts);
    expect(JSON.parse(json.stdout)).toEqual([{ name: 'n8n', scope: 'write', createdAt: expect.any(String), lastUsedAt: null }]);

    const revoked = await runCli(['token', 'revoke', 'n8n'], opts);
    expect(revoked.code).toBe(0);
    expect(revoked.stdout).toBe("Revoked the token 'n8n': requests carrying it now get 401.\nNo token is left: `slipway serve` on 127.0.0.1 answers requests that carry no token again, until you create one.\n");
    expect((await runCli(['token', 'list'], opts)).stdout).toMatch(/^No API tokens/);
    expect(JSON.parse((await runCli(['token', 'list', '--json'], opts)).stdout)).toEqual([]);
  });

  it('prints { name, scope, token } with --json and keeps only the SHA-256 in the state file', async () => {
    const opts = tempHome('slipway-token-json-');
    const result = await runCli(['token', 'create', '--name', 'ci-deploy', '--scope', 'admin', '--json'], opts);
    expect(result.code, result.stderr).toBe(0);
    const issued = JSON.parse(result.stdout);
    expect(Object.keys(issued)).toEqual(['name', 'scope', 'token']);
    expect(issued).toMatchObject({ name: 'ci-deploy', scope: 'admin', token: expect.stringMatching(TOKEN) });
    expect(result.stderr).toBe('');

    const db = new DatabaseSync(join(opts.home, 'state.db'), { readOnly: true });
    expect(db.prepare('SELECT name, scope, hash, last_used_at FROM api_tokens').all()).toEqual([
      { name: 'ci-deploy', scope: 'admin', hash: createHash('sha256').update(issued.token).digest('hex'), last_used_at: null },
    ]);
    db.close();
    const bytes = homeBytes(opts.home);
    expect(bytes.length).toBeGreaterThan(0);
    expect(bytes.includes(issued.token.slice(4))).toBe(false);
    // Managing tokens opens the state database and nothing else: no repos are made.
    expect(existsSync(join(opts.home, 'git'))).toBe(false);
  });

  it('refuses bad names, bad scopes, a name in use and an unknown token with exit 2 and what to do', async () => {
    const opts = tempHome('slipway-token-bad-');
    const badScope = await runCli(['token', 'create', '--name', 'n8n', '--scope', 'owner'], opts);
    expect(badScope).toMatchObject({ code: 2, stdout: '' });
    expect(badScope.stderr).toContain("error: 'owner' is not a token scope; the scopes are read, write, admin\n  → ");
    for (const name of ['N8N', '-n8n', 'n8n_prod', 'a'.repeat(41), '']) {
      const bad = await runCli(['token', 'create', '--name', name, '--scope', 'read', '--json'], opts);
      expect(bad.code, name).toBe(2);
      expect(JSON.parse(bad.stdout).error, name).toMatchObject({ name: 'InputError', message: expect.stringContaining('is not a valid token name'), hint: expect.any(String) });
    }
    // A typo creates nothing, not even the state file.
    expect(existsSync(join(opts.home, 'state.db'))).toBe(false);

    expect((await runCli(['token', 'create', '--name', 'n8n', '--scope', 'read'], opts)).code).toBe(0);
    const taken = await runCli(['token', 'create', '--name', 'n8n', '--scope', 'admin'], opts);
    expect(taken.code).toBe(2);
    expect(taken.stderr).toContain("a token named 'n8n' already exists");
    const unknown = await runCli(['token', 'revoke', 'n9n', '--json'], opts);
    expect(unknown.code).toBe(2);
    expect(JSON.parse(unknown.stdout).error).toEqual({ name: 'NotFoundError', message: "there is no token named 'n9n'", hint: '`slipway token list` shows the tokens there are.' });
    const missing = await runCli(['token', 'create', '--name', 'x'], opts);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("required option '--scope <scope>' not specified");
    // The first token is untouched by all of this.
    expect(JSON.parse((await runCli(['token', 'list', '--json'], opts)).stdout)).toEqual([expect.objectContaining({ name: 'n8n', scope: 'read' })]);
  });

  it('stops at a damaged state file and points to slipway repair', async () => {
    const opts = tempHome('slipway-token-damaged-');
    expect((await runCli(['token', 'create', '--name', 'n8n', '--scope', 'read'], opts)).code).toBe(0);
    writeFileSync(join(opts.home, 'state.db'), 'this is not a database\n'.repeat(200));
    const result = await runCli(['token', 'list'], opts);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/the state file .*state\.db .*\n {2}→ Run `slipway repair`/);
  });
});
