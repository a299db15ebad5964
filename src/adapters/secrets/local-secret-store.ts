import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { ConfigError } from '../../domain/index.ts';
import type { SecretVault } from '../../ports/index.ts';

const KEY_BYTES = 32;
const IV_BYTES = 12;
const FORMAT = 'slipway-secrets/v1';

/** What one encrypted file holds: AES-256-GCM over the JSON of the app's values, all base64. */
interface SealedFile {
  format: typeof FORMAT;
  iv: string;
  tag: string;
  data: string;
}

/**
 * Slipway's own store of secret values: one AES-256-GCM encrypted file per app and environment under
 * `<home>/secrets/<env>/<app>.json`, with one key in `<home>/keys/secrets.key` (0600, made on first
 * use). The app and environment are the cipher's associated data, so a file copied to another app's
 * name does not open. Writes go to a temporary file renamed into place: a crash leaves the old file
 * or the new one, never half of one. Errors name files, never values.
 */
export class LocalSecretStore implements SecretVault {
  private readonly home: string;
  private key?: Buffer;
  /** Changes to one file wait for each other, so two changes at once both land. */
  private readonly queues = new Map<string, Promise<unknown>>();

  constructor(options: { home: string }) {
    this.home = options.home;
  }

  get keyFile(): string {
    return join(this.home, 'keys', 'secrets.key');
  }

  fileOf(app: string, env: string): string {
    return join(this.home, 'secrets', env, `${app}.json`);
  }

  async put(app: string, env: string, name: string, value: string): Promise<void> {
    await this.update(app, env, (values) => ({ ...values, [name]: value }));
  }

  async get(app: string, env: string, name: string): Promise<string | undefined> {
    return (await this.values(app, env))[name];
  }

  async names(app: string, env: string): Promise<string[]> {
    return Object.keys(await this.values(app, env)).sort();
  }

  async remove(app: string, env: string, name: string): Promise<boolean> {
    let had = false;
    await this.update(app, env, (values) => {
      had = name in values;
      const { [name]: _gone, ...rest } = values;
      return rest;
    });
    return had;
  }

  async values(app: string, env: string): Promise<Record<string, string>> {
    const file = this.fileOf(app, env);
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
      throw error;
    }
    return this.open(text, app, env, file);
  }

  async removeAll(app: string, env: string): Promise<void> {
    await rm(this.fileOf(app, env), { force: true });
  }

  private async update(app: string, env: string, change: (values: Record<string, string>) => Record<string, string>): Promise<void> {
    const file = this.fileOf(app, env);
    const previous = this.queues.get(file) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(async () => {
      const values = change(await this.values(app, env));
      if (Object.keys(values).length === 0) return rm(file, { force: true });
      await mkdir(dirname(file), { recursive: true, mode: 0o700 });
      const temporary = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
      await writeFile(temporary, JSON.stringify(await this.seal(values, app, env)) + '\n', { mode: 0o600 });
      await rename(temporary, file);
    });
    this.queues.set(file, next);
    try {
      await next;
    } finally {
      if (this.queues.get(file) === next) this.queues.delete(file);
    }
  }

  private async seal(values: Record<string, string>, app: string, env: string): Promise<SealedFile> {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', await this.loadKey(true), iv);
    cipher.setAAD(Buffer.from(`${env}/${app}`));
    const sorted = Object.fromEntries(Object.entries(values).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    const data = Buffer.concat([cipher.update(JSON.stringify(sorted), 'utf8'), cipher.final()]);
    return { format: FORMAT, iv: iv.toString('base64'), tag: cipher.getAuthTag().toString('base64'), data: data.toString('base64') };
  }

  private async open(text: string, app: string, env: string, file: string): Promise<Record<string, string>> {
    const damaged = () => new ConfigError(`the secrets file ${file} is damaged: it is not one Slipway wrote`, {
      hint: `Move it aside and set ${app}'s secrets again with \`slipway secret set ${app} NAME\`.`,
    });
    let sealed: SealedFile;
    try {
      sealed = JSON.parse(text) as SealedFile;
    } catch {
      throw damaged();
    }
    if (sealed?.format !== FORMAT || typeof sealed.iv !== 'string' || typeof sealed.tag !== 'string' || typeof sealed.data !== 'string') throw damaged();
    const key = await this.loadKey(false);
    if (!key) throw new ConfigError(`the key ${this.keyFile} that opens ${file} is missing`, { hint: `Put back the key file Slipway made (a backup of ${this.home}/keys), or move ${file} aside and set the secrets again.` });
    let plain: string;
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(sealed.iv, 'base64'));
      decipher.setAAD(Buffer.from(`${env}/${app}`));
      decipher.setAuthTag(Buffer.from(sealed.tag, 'base64'));
      plain = Buffer.concat([decipher.update(Buffer.from(sealed.data, 'base64')), decipher.final()]).toString('utf8');
    } catch {
      throw new ConfigError(`the secrets file ${file} does not open with the key ${this.keyFile}: the key is not the one it was written with, or the file was changed`, {
        hint: `Put back the key file Slipway made (a backup of ${this.home}/keys), or move ${file} aside and set ${app}'s secrets again.`,
      });
    }
    const values = JSON.parse(plain) as unknown;
    if (!values || typeof values !== 'object' || Object.values(values).some((v) => typeof v !== 'string')) throw damaged();
    return values as Record<string, string>;
  }

  /** The key, read once; made (random, 0600) when `create` and there is none yet. */
  private async loadKey(create: true): Promise<Buffer>;
  private async loadKey(create: false): Promise<Buffer | undefined>;
  private async loadKey(create: boolean): Promise<Buffer | undefined> {
    if (this.key) return this.key;
    try {
      const key = Buffer.from((await readFile(this.keyFile, 'utf8')).trim(), 'base64');
      if (key.length !== KEY_BYTES) throw new ConfigError(`the key file ${this.keyFile} does not hold a ${KEY_BYTES}-byte key`, { hint: 'Put back the key file Slipway made.' });
      return (this.key = key);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      if (!create) return undefined;
    }
    await mkdir(dirname(this.keyFile), { recursive: true, mode: 0o700 });
    const key = randomBytes(KEY_BYTES);
    try {
      // `wx`: two processes making the key at once keep the first one's.
      await writeFile(this.keyFile, key.toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
      await chmod(this.keyFile, 0o600);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') return this.loadKey(true);
      throw error;
    }
    return (this.key = key);
  }
}
