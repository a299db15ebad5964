import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalPostgres } from './local-postgres.ts';
import { postgresBinDir } from './postgres-binaries.ts';
import { runCommand } from './run-command.ts';

/** Asks the database something over TCP with the URL the app gets (psql reads the password from it). */
async function query(url: string, sql: string): Promise<string> {
  const result = await runCommand(join(postgresBinDir(), 'psql'), [url, '-v', 'ON_ERROR_STOP=1', '-tAq', '-c', sql]);
  if (result.code !== 0) throw new Error(result.stderr);
  return result.stdout.trim();
}

describe('LocalPostgres', () => {
  let home: string;
  let postgres: LocalPostgres;

  beforeAll(async () => {
    home = await mkdtemp(join(tmpdir(), 'slipway-pg-'));
    postgres = new LocalPostgres({ root: join(home, 'databases') });
  });

  afterAll(async () => {
    await postgres.remove('guest-book').catch(() => {});
    await rm(home, { recursive: true, force: true });
  });

  it('creates a database for the app, reachable on loopback with the URL it hands out, and keeps its data across a stop and start', async () => {
    const first = await postgres.start('guest-book');
    expect(first.url).toMatch(/^postgres:\/\/guest_book:[0-9a-f]{48}@127\.0\.0\.1:\d+\/guest_book$/);
    await query(first.url, 'CREATE TABLE entries (text text); INSERT INTO entries VALUES ($$hello$$)');
    expect(await query(first.url, 'SELECT current_user')).toBe('guest_book');
    // The app's role is no superuser: it owns its database, nothing more.
    expect(await query(first.url, 'SELECT rolsuper FROM pg_roles WHERE rolname = current_user')).toBe('f');

    await postgres.stop('guest-book');
    await expect(query(first.url, 'SELECT 1')).rejects.toThrow(/connect|refused/i);
    expect(postgres.exists('guest-book')).toBe(true);

    const again = await postgres.start('guest-book');
    expect(again.url.split('@')[0]).toBe(first.url.split('@')[0]);
    expect(await query(again.url, 'SELECT text FROM entries')).toBe('hello');
    // Starting a running database again answers the same address.
    expect((await postgres.start('guest-book')).port).toBe(again.port);
  }, 120_000);

  it('keeps the password in a file only its owner reads, and refuses a wrong one', async () => {
    const { url } = await postgres.start('guest-book');
    const file = join(home, 'databases', 'guest-book', 'password');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(url).toContain((await readFile(file, 'utf8')).trim());
    await expect(query(url.replace(/:[0-9a-f]{48}@/, ':wrong@'), 'SELECT 1')).rejects.toThrow(/password authentication failed/);
  }, 60_000);

  it('deletes the folder and its data on remove', async () => {
    await postgres.remove('guest-book');
    expect(postgres.exists('guest-book')).toBe(false);
    await expect(stat(join(home, 'databases', 'guest-book'))).rejects.toThrow(/ENOENT/);
  }, 60_000);

  it('refuses a name that is not an app name', () => {
    expect(() => postgres.folder('../etc')).toThrow(/not an app name/);
  });
});
