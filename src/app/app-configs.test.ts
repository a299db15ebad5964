import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LocalSecretStore } from '../adapters/secrets/local-secret-store.ts';
import { openDatabase } from '../adapters/store/sqlite-database.ts';
import { SqliteAppStore } from '../adapters/store/sqlite-app-store.ts';
import { ConfigError, emptyAppConfig, withConfigIn, type AppRecord } from '../domain/index.ts';
import type { AppSecretInput } from '../ports/index.ts';
import { configChecksum, secretDigest } from '../render/index.ts';
import { appConfigSources } from './app-configs.ts';

const VALUE = 'sk-config-3e8a1f5c7d';

describe('appConfigSources', () => {
  let dir: string;
  let apps: SqliteAppStore;
  let vault: LocalSecretStore;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'slipway-configs-'));
    apps = new SqliteAppStore({ db: openDatabase(join(dir, 'state.db')) });
    vault = new LocalSecretStore({ home: dir });
    const record: AppRecord = {
      name: 'weather', description: 'weather', template: 't', state: 'running', target: 'local', commits: {}, lastRunId: 'run-1', env: 'prod',
      createdAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-01-01T00:00:00.000Z',
    };
    const configured = withConfigIn(record, 'prod', 'prod', { ...emptyAppConfig(), settings: { CITY: 'Lisbon' }, secrets: ['API_KEY'] });
    await apps.upsert(withConfigIn(configured, 'dev', 'prod', { ...emptyAppConfig(), settings: { CITY: 'Porto' }, secrets: [] }));
    await vault.put('weather', 'prod', 'API_KEY', VALUE);
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('renders settings by value, secrets by name, and a checksum over the values, per environment', async () => {
    const sources = appConfigSources({ apps, vault, defaultEnv: 'prod', target: 'local' });
    expect(await sources.configFor('weather', 'prod', 'apps')).toEqual({
      config: { settings: { CITY: 'Lisbon' }, secrets: ['API_KEY'], checksum: configChecksum({ CITY: 'Lisbon' }, { API_KEY: secretDigest(VALUE) }) },
      files: [],
    });
    expect((await sources.configFor('weather', 'dev', 'apps')).config?.settings).toEqual({ CITY: 'Porto' });
    expect(await sources.configFor('weather', 'staging', 'apps')).toEqual({ files: [] });
    expect(await sources.environmentFor('weather', 'prod')).toEqual({ CITY: 'Lisbon', API_KEY: VALUE });
    expect(await sources.environmentFor('weather', 'dev')).toEqual({ CITY: 'Porto' });
  });

  it('on a cluster, has the Secret rendered by the backend, and refuses secrets when there is none', async () => {
    const seen: Array<{ input: AppSecretInput; backend: string }> = [];
    const renderSecret = async (input: AppSecretInput, backend: string) => {
      seen.push({ input, backend });
      return [{ path: `apps/${input.app}/secret.yaml`, content: 'encrypted' }];
    };
    const cluster = appConfigSources({ apps, vault, defaultEnv: 'prod', target: 'cluster', renderSecret, backend: 'sops' });
    expect((await cluster.configFor('weather', 'prod', 'apps')).files).toEqual([{ path: 'apps/weather/secret.yaml', content: 'encrypted' }]);
    expect(seen).toEqual([{ input: { app: 'weather', namespace: 'apps', env: 'prod', values: { API_KEY: VALUE }, labels: expect.any(Object) }, backend: 'sops' }]);
    const none = appConfigSources({ apps, vault, defaultEnv: 'prod', target: 'cluster' });
    const error = await none.configFor('weather', 'prod', 'apps').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).hint).toMatch(/secrets\.backend/);
    expect(String(error)).not.toContain(VALUE);
  });
});
