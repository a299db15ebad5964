import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, chown, mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { ConfigError, ExternalServiceError, InputError } from '../../domain/errors.ts';
import { freePort } from '../os/index.ts';
import { postgresBinDir } from './postgres-binaries.ts';
import { runCommand, type CommandResult } from './run-command.ts';

export interface LocalPostgresOptions {
  /** `$SLIPWAY_HOME/databases`: one folder per app (its data, socket, log and password). */
  root: string;
  /** Where `initdb` and `pg_ctl` are; found under /usr/lib/postgresql when not given. */
  binDir?: string;
  /**
   * The system user PostgreSQL runs as when Slipway runs as root (initdb refuses root), as Debian
   * runs its own clusters; `postgres` is the user Debian's package creates.
   */
  runAs?: string;
}

/** A running database of one app and how the app reaches it. */
export interface LocalDatabase {
  /** `postgres://<role>:<password>@127.0.0.1:<port>/<database>`: a secret, never logged. */
  url: string;
  port: number;
}

/** A role and database name: the app's name with '-' as '_', so it never needs quoting. */
const IDENTIFIER = /^[a-z][a-z0-9_]{0,62}$/;
const APP = /^[a-z][a-z0-9-]{0,62}$/;

/**
 * One PostgreSQL per app on this machine (the embedded default's database): `initdb` into
 * `<root>/<app>/data`, started with `pg_ctl` on a free loopback port with its socket in
 * `<root>/<app>/run`, a role and database named after the app whose password is kept in
 * `<root>/<app>/password` (0600). Started with the app, stopped with it, started again on its next
 * start with the data it had; removed only by `remove`.
 * @example
 * const postgres = new LocalPostgres({ root: join(home, 'databases') });
 * const { url } = await postgres.start('guestbook'); // hand url to the app as DATABASE_URL
 */
export class LocalPostgres {
  private readonly root: string;
  private readonly givenBinDir: string | undefined;
  private readonly runAs: string;

  constructor(options: LocalPostgresOptions) {
    this.root = options.root;
    this.givenBinDir = options.binDir;
    this.runAs = options.runAs ?? 'postgres';
  }

  /** The app's database folder (what `remove` deletes). */
  folder(app: string): string {
    if (!APP.test(app)) throw new InputError(`'${app}' is not an app name`);
    return join(this.root, app);
  }

  /** Whether the app has a database on this machine (running or not). */
  exists(app: string): boolean {
    return existsSync(join(this.folder(app), 'data', 'PG_VERSION'));
  }

  /** Starts the app's database (creating it the first time) and says how to reach it. */
  async start(app: string): Promise<LocalDatabase> {
    const base = this.folder(app);
    const user = await this.prepareFolder(base);
    const data = join(base, 'data');
    if (!existsSync(join(data, 'PG_VERSION'))) await this.initdb(base, user);
    const port = (await this.runningPort(base)) ?? (await this.startServer(base, user));
    const role = app.replaceAll('-', '_');
    const password = await this.ensureRole(base, user, port, role);
    return { url: `postgres://${role}:${password}@127.0.0.1:${port}/${role}`, port };
  }

  /** Stops the app's database if it runs; its data stays. */
  async stop(app: string): Promise<void> {
    const base = this.folder(app);
    if ((await this.runningPort(base)) === undefined) return;
    const user = await this.owner();
    const result = await this.pg(user, 'pg_ctl', ['stop', '-D', join(base, 'data'), '-m', 'fast', '-w', '-t', '60']);
    if (result.code !== 0) throw this.failure(app, 'stop', result);
  }

  /** Stops the app's database and deletes its folder: its data is gone. */
  async remove(app: string): Promise<void> {
    await this.stop(app);
    await rm(this.folder(app), { recursive: true, force: true });
  }

  /** The user PostgreSQL runs as: undefined when Slipway itself is not root (it runs as Slipway's user). */
  private async owner(): Promise<{ uid: number; gid: number } | undefined> {
    if (process.getuid?.() !== 0) return undefined;
    const ids = await Promise.all([runCommand('id', ['-u', this.runAs]), runCommand('id', ['-g', this.runAs])]);
    if (ids.some((r) => r.code !== 0)) {
      throw new ExternalServiceError('postgres', `PostgreSQL refuses to run as root, and there is no user '${this.runAs}' to run it as`, {
        hint: "Install Debian's postgresql package (it creates the postgres user), or run Slipway as a user other than root.",
      });
    }
    return { uid: Number(ids[0]!.stdout.trim()), gid: Number(ids[1]!.stdout.trim()) };
  }

  /**
   * Creates `<root>/<app>`. As root, the folder is given to PostgreSQL's user, and the folders above
   * it within Slipway's home get search permission (not listing) so that user can reach it.
   */
  private async prepareFolder(base: string): Promise<{ uid: number; gid: number } | undefined> {
    await mkdir(base, { recursive: true, mode: 0o700 });
    const user = await this.owner();
    if (user === undefined) return undefined;
    await chown(base, user.uid, user.gid);
    for (const dir of [this.root, dirname(this.root)]) {
      const { mode } = await stat(dir);
      if ((mode & 0o001) === 0) await chmod(dir, (mode & 0o7777) | 0o001);
    }
    // Folders above Slipway's home are the machine's: say which one is in the way rather than open it.
    for (let dir = dirname(dirname(this.root)); ; dir = dirname(dir)) {
      const info = await stat(dir);
      if ((info.mode & 0o001) === 0 && info.uid !== user.uid) {
        throw new ConfigError(`PostgreSQL runs as '${this.runAs}' (it refuses root), and '${this.runAs}' cannot enter ${dir} to reach ${base}`, {
          hint: `Let it pass through (chmod o+x ${dir}: search only, no listing), or set SLIPWAY_HOME to a folder it can reach.`,
        });
      }
      if (dir === dirname(dir)) break;
    }
    return user;
  }

  private async initdb(base: string, user: { uid: number; gid: number } | undefined): Promise<void> {
    const data = join(base, 'data');
    // Local connections only through the socket folder, which only PostgreSQL's user can enter; TCP needs the password.
    const result = await this.pg(user, 'initdb', ['-D', data, '-U', 'postgres', '--auth-local=trust', '--auth-host=scram-sha-256', '-E', 'UTF8', '--no-locale', '--no-instructions']);
    if (result.code !== 0) {
      const reach = user === undefined ? '' : ` (it runs as '${this.runAs}', who must be able to enter every folder above ${base})`;
      throw this.failure(base, `initdb${reach}`, result);
    }
    // Where it listens is Slipway's choice, written once; the port is chosen at each start (slipway-port.conf).
    await writeFile(
      join(data, 'postgresql.conf'),
      `${await readFile(join(data, 'postgresql.conf'), 'utf8')}\n# Slipway: loopback only, socket beside the data\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '${join(base, 'run')}'\ninclude_if_exists = 'slipway-port.conf'\n`,
    );
  }

  private async startServer(base: string, user: { uid: number; gid: number } | undefined): Promise<number> {
    const data = join(base, 'data');
    const run = join(base, 'run');
    await mkdir(run, { recursive: true, mode: 0o700 });
    if (user) await chown(run, user.uid, user.gid);
    const port = await freePort();
    await writeFile(join(data, 'slipway-port.conf'), `port = ${port}\n`, { mode: 0o644 });
    const log = join(base, 'postgres.log');
    const result = await this.pg(user, 'pg_ctl', ['start', '-D', data, '-l', log, '-w', '-t', '60']);
    if (result.code !== 0) {
      const tail = (await readFile(log, 'utf8').catch(() => '')).trim().split('\n').slice(-5).join('\n');
      throw this.failure(base, 'start', { ...result, stderr: `${result.stderr}\n${tail}` });
    }
    return port;
  }

  /** The port a running server listens on (line 4 of postmaster.pid), or undefined when it is not running. */
  private async runningPort(base: string): Promise<number | undefined> {
    const data = join(base, 'data');
    if (!existsSync(join(data, 'postmaster.pid'))) return undefined;
    const status = await this.pg(await this.owner(), 'pg_ctl', ['status', '-D', data]);
    if (status.code !== 0) return undefined;
    const port = Number((await readFile(join(data, 'postmaster.pid'), 'utf8')).split('\n')[3]);
    return Number.isInteger(port) && port > 0 ? port : undefined;
  }

  /** The app's role and database, created once; the password is made then and kept in a 0600 file. */
  private async ensureRole(base: string, user: { uid: number; gid: number } | undefined, port: number, role: string): Promise<string> {
    if (!IDENTIFIER.test(role)) throw new InputError(`'${role}' cannot name a PostgreSQL role`);
    const file = join(base, 'password');
    const kept = await readFile(file, 'utf8').catch(() => undefined);
    if (kept !== undefined) return kept.trim();
    const password = randomBytes(24).toString('hex');
    // Built only from the checked role name and hex digits, and sent on stdin so no process listing shows the password.
    const sql = [
      `SELECT 'CREATE ROLE ${role} LOGIN' WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${role}') \\gexec`,
      `ALTER ROLE ${role} PASSWORD '${password}';`,
      `SELECT 'CREATE DATABASE ${role} OWNER ${role}' WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = '${role}') \\gexec`,
    ].join('\n');
    const result = await this.pg(user, 'psql', ['-h', join(base, 'run'), '-p', String(port), '-U', 'postgres', '-d', 'postgres', '-v', 'ON_ERROR_STOP=1', '-q', '-f', '-'], `${sql}\n`);
    if (result.code !== 0) throw this.failure(base, 'create its role', result);
    await writeFile(file, `${password}\n`, { mode: 0o600 });
    return password;
  }

  /** Runs one of PostgreSQL's programs, as its user when Slipway is root. */
  private pg(user: { uid: number; gid: number } | undefined, program: string, args: string[], input?: string): Promise<CommandResult> {
    const path = join(postgresBinDir(this.givenBinDir), program);
    if (user === undefined) return runCommand(path, args, input);
    return runCommand('setpriv', [`--reuid=${user.uid}`, `--regid=${user.gid}`, '--clear-groups', '--', path, ...args], input);
  }

  private failure(where: string, what: string, result: CommandResult): ExternalServiceError {
    const output = `${result.stderr}\n${result.stdout}`.trim().split('\n').slice(-8).join('\n');
    return new ExternalServiceError('postgres', `the local PostgreSQL of ${where} could not ${what}: ${output || `exit ${result.code}`}`, {
      hint: `Its log is ${join(where.startsWith('/') ? where : this.folder(where), 'postgres.log')}.`,
    });
  }
}
