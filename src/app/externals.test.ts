import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { gitRepo } from '../adapters/git/cli-git.test-support.ts';
import { openDatabase } from '../adapters/store/sqlite-database.ts';
import { SqliteAppStore } from '../adapters/store/sqlite-app-store.ts';
import { SqliteExternalStore } from '../adapters/store/sqlite-external-store.ts';
import { emptyAppConfig } from '../domain/app-config.ts';
import { ConflictError, InputError, NotFoundError } from '../domain/errors.ts';
import { createBareRepo, logWithTrailers, readFileAtHead } from '../../test/support/git-fixtures.ts';
import { defaultRenderSettings } from '../../test/support/render-settings.ts';
import { sampleSpec } from '../render/test-fixtures.ts';
import { Externals } from './externals.ts';

async function fixture() {
  const root = mkdtempSync(join(tmpdir(), 'slipway-externals-'));
  const remote = await createBareRepo(join(root, 'gitops.git'));
  const db = openDatabase(join(root, 'state.db'));
  const apps = new SqliteAppStore({ db });
  const settings = { prod: defaultRenderSettings(), dev: { ...defaultRenderSettings(), namespace: 'dynamic-apps-dev', gitops: { ...defaultRenderSettings().gitops, path: 'kubernetes/apps/dynamic-dev' } } };
  const externals = new Externals({
    store: new SqliteExternalStore({ db }), apps, gitops: gitRepo(remote, join(root, 'cache')),
    settingsFor: (env) => settings[env as 'prod' | 'dev'],
    environment: (env) => {
      if (env === undefined) return 'prod';
      if (env in settings) return env;
      throw new InputError(`there is no environment "${env}"`);
    },
  });
  const app = async (name: string, config: Partial<ReturnType<typeof emptyAppConfig>>, env?: string) =>
    apps.upsert({
      name, description: name, template: 'timer', state: 'running', target: 'cluster', commits: {}, lastRunId: 'run-1', createdAt: '', updatedAt: '',
      config: { ...emptyAppConfig(), ...config }, ...(env ? { env } : {}),
    });
  return { remote, externals, app };
}

describe('Externals', () => {
  it('commits each add and remove once, with trailers naming the external, in its environment\'s folder', async () => {
    const { remote, externals } = await fixture();
    await externals.add({ name: 'nas', address: '192.168.1.20', port: 445 });
    await externals.add({ name: 'nas', address: '10.1.0.20', port: 445, env: 'dev' });
    const log = await logWithTrailers(remote);
    expect(log.map((c) => c.subject)).toEqual(['Add external nas: 10.1.0.20:445/TCP in dev', 'Add external nas: 192.168.1.20:445/TCP']);
    expect(log[0]!.trailers).toMatchObject({ 'Slipway-Action': 'external-add', 'Slipway-External': 'nas', 'Slipway-Env': 'dev' });
    expect(log[0]!.files.sort()).toEqual(['kubernetes/apps/dynamic-dev/externals/nas.yaml', 'kubernetes/apps/dynamic-dev/kustomization.yaml']);
    expect(await readFileAtHead(remote, 'kubernetes/apps/dynamic-dev/externals/nas.yaml')).toContain('namespace: dynamic-apps-dev');
    expect((await externals.list('dev')).map((e) => e.address)).toEqual(['10.1.0.20']);

    await externals.remove('nas', 'dev');
    expect(await readFileAtHead(remote, 'kubernetes/apps/dynamic-dev/externals/nas.yaml')).toBeUndefined();
    expect(await readFileAtHead(remote, 'kubernetes/apps/dynamic/externals/nas.yaml')).toContain('192.168.1.20');
    expect(await externals.list('dev')).toEqual([]);
  });

  it('refuses bad input, a name an app has, and removing what an app of that environment uses', async () => {
    const { remote, externals, app } = await fixture();
    await expect(externals.add({ name: 'nas', address: '192.168.1.20', port: 0 })).rejects.toThrow(/between 1 and 65535/);
    await app('photos', { externals: ['nas'] });
    await app('printer-ui', { externals: ['nas'] }, 'dev');
    await expect(externals.add({ name: 'photos', address: '192.168.1.20', port: 445 })).rejects.toThrow(ConflictError);
    await externals.add({ name: 'nas', address: '192.168.1.20', port: 445 });
    const refused = await externals.remove('nas').catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(ConflictError);
    expect((refused as Error).message).toBe("external 'nas' is used by photos");
    await expect(externals.remove('printer')).rejects.toThrow(NotFoundError);
    expect((await logWithTrailers(remote)).length).toBe(1);
  });

  it('gives an app the egress it declared: its externals and its plan\'s, its database, its own host names', async () => {
    const { externals, app } = await fixture();
    await externals.add({ name: 'nas', address: '192.168.1.20', port: 445 });
    await externals.add({ name: 'printer', address: 'fd00::631', port: 631, protocol: 'UDP' });
    await app('photos', { externals: ['nas'], database: { engine: 'postgres' }, egressHosts: ['api.example.com'] });
    const spec = sampleSpec({ name: 'photos', needs: { externals: ['printer', 'nas'] } });
    expect(await externals.egressFor(spec)).toEqual({
      externals: [{ name: 'nas', address: '192.168.1.20', port: 445, protocol: 'TCP' }, { name: 'printer', address: 'fd00::631', port: 631, protocol: 'UDP' }],
      database: true,
      hosts: ['api.example.com'],
    });
    // An app nobody configured declares nothing.
    expect(await externals.egressFor(sampleSpec({ name: 'other' }))).toEqual({ externals: [] });
    await expect(externals.egressFor(sampleSpec({ name: 'other', needs: { externals: ['scanner'] } }))).rejects.toThrow(/unknown external scanner; known externals: nas, printer/);
  });
});
