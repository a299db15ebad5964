import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../../domain/errors.ts';

/** Where Debian's `postgresql` package puts each major version's programs. */
const DEBIAN_ROOT = '/usr/lib/postgresql';

/**
 * The folder holding `initdb`, `pg_ctl`, `psql` and `createdb`: the one given, else the newest
 * version Debian's `postgresql` package installed (its programs are not on PATH).
 * @example postgresBinDir() // '/usr/lib/postgresql/15/bin'
 * @throws ConfigError saying which package to install when there is none.
 */
export function postgresBinDir(given?: string, root = DEBIAN_ROOT): string {
  if (given !== undefined) {
    if (!existsSync(join(given, 'initdb'))) throw new ConfigError(`${given} holds no initdb: it is not a PostgreSQL bin folder`);
    return given;
  }
  const versions = existsSync(root) ? readdirSync(root).filter((v) => /^\d+$/.test(v) && existsSync(join(root, v, 'bin', 'initdb'))) : [];
  const newest = versions.sort((a, b) => Number(b) - Number(a))[0];
  if (newest === undefined) {
    throw new ConfigError('an app needs a database, but PostgreSQL is not installed on this machine', {
      hint: 'Install it (Debian/Ubuntu: apt-get install postgresql), or run the app on the cluster.',
    });
  }
  return join(root, newest, 'bin');
}
