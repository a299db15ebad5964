import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../domain/index.ts';
import { LocalSecretStore } from './local-secret-store.ts';

const VALUE = 'sk-live-7f3a9c2e51b84d06';

describe('LocalSecretStore', () => {
  let home: string;
  beforeEach(async () => {
    home = await mkdtemp(join(tmpdir(), 'slipway-vault-'));
  });
  afterEach(async () => {
    await rm(home, { recursive: true, force: true });
  });

  it('keeps values per app and environment, encrypted, with a 0600 key made on first use', async () => {
    const store = new LocalSecretStore({ home });
    await store.put('weather', 'prod', 'API_KEY', VALUE);
    await store.put('weather', 'prod', 'OTHER', 'x');
    await store.put('weather', 'staging', 'API_KEY', 'staging-value');
    expect(await store.get('weather', 'prod', 'API_KEY')).toBe(VALUE);
    expect(await store.names('weather', 'prod')).toEqual(['API_KEY', 'OTHER']);
    expect(await store.values('weather', 'staging')).toEqual({ API_KEY: 'staging-value' });
    expect(await store.values('other', 'prod')).toEqual({});
    expect((await stat(store.keyFile)).mode & 0o777).toBe(0o600);
    expect((await stat(store.fileOf('weather', 'prod'))).mode & 0o777).toBe(0o600);
    const file = await readFile(store.fileOf('weather', 'prod'), 'utf8');
    expect(file).not.toContain(VALUE);
    expect(file).not.toContain('API_KEY');
    // A second store (another process) reads the same key.
    expect(await new LocalSecretStore({ home }).get('weather', 'prod', 'API_KEY')).toBe(VALUE);
  });

  it('removes one value, then the file with the last one', async () => {
    const store = new LocalSecretStore({ home });
    await store.put('weather', 'prod', 'API_KEY', VALUE);
    expect(await store.remove('weather', 'prod', 'NOPE')).toBe(false);
    expect(await store.remove('weather', 'prod', 'API_KEY')).toBe(true);
    await expect(stat(store.fileOf('weather', 'prod'))).rejects.toThrow(/ENOENT/);
  });

  it('lands changes made at once', async () => {
    const store = new LocalSecretStore({ home });
    await Promise.all(['A', 'B', 'C', 'D'].map((name) => store.put('weather', 'prod', name, name.toLowerCase())));
    expect(await store.values('weather', 'prod')).toEqual({ A: 'a', B: 'b', C: 'c', D: 'd' });
  });

  it('says the key is wrong, naming the files and no value', async () => {
    await new LocalSecretStore({ home }).put('weather', 'prod', 'API_KEY', VALUE);
    await writeFile(join(home, 'keys', 'secrets.key'), Buffer.alloc(32, 7).toString('base64'));
    const error = await new LocalSecretStore({ home }).values('weather', 'prod').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect(String((error as Error).message)).toMatch(/does not open with the key .*secrets\.key/);
    expect(JSON.stringify(error) + String(error)).not.toContain(VALUE);
  });

  it('says a damaged file is damaged, and a file moved to another app does not open', async () => {
    const store = new LocalSecretStore({ home });
    await store.put('weather', 'prod', 'API_KEY', VALUE);
    const sealed = await readFile(store.fileOf('weather', 'prod'), 'utf8');
    await store.put('clock', 'prod', 'X', 'y');
    await writeFile(store.fileOf('clock', 'prod'), sealed);
    await expect(store.values('clock', 'prod')).rejects.toThrow(/does not open with the key/);
    await writeFile(store.fileOf('weather', 'prod'), '{"format":"slipway-secrets/v1"');
    await expect(store.values('weather', 'prod')).rejects.toThrow(/is damaged/);
  });

  it('says the key is missing rather than making a new one that opens nothing', async () => {
    await new LocalSecretStore({ home }).put('weather', 'prod', 'API_KEY', VALUE);
    await rm(join(home, 'keys'), { recursive: true });
    await expect(new LocalSecretStore({ home }).values('weather', 'prod')).rejects.toThrow(/secrets\.key .*is missing/);
  });
});
