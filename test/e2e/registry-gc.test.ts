import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CliGit } from '../../src/adapters/git/index.ts';
import { OciRegistry } from '../../src/adapters/registry/index.ts';
import { runCli, tempHome } from '../support/cli.ts';
import { startRegistry, type RegistryServer } from '../support/registry-server.ts';
import { startServer } from '../support/serve.ts';
import { pushTinyImage } from '../support/tiny-image.ts';

const run = promisify(execFile);
let registry: RegistryServer;

beforeAll(async () => {
  registry = await startRegistry({ mode: 'plain' });
});
/** The test homes made here, removed at the end (each holds repos, a state file and work folders). */
const homes: string[] = [];

afterAll(async () => {
  await Promise.all(homes.map((root) => rm(root, { recursive: true, force: true })));
  await registry?.stop();
});

const skopeoTags = async (host: string, repository: string): Promise<string[]> =>
  (JSON.parse((await run('skopeo', ['list-tags', '--tls-verify=false', `docker://${host}/${repository}`])).stdout).Tags ?? []).sort();
const skopeoDigest = async (host: string, ref: string): Promise<string> =>
  JSON.parse((await run('skopeo', ['inspect', '--tls-verify=false', `docker://${host}/${ref}`])).stdout).Digest;

/** A Slipway home whose GitOps repo runs `app` in prod and dev, pinning the digests given. */
async function homeRunning(host: string, pins: { prod: string; dev: string }, app = 'notes') {
  const opts = tempHome('slipway-gc-');
  homes.push(opts.cwd);
  writeFileSync(join(opts.cwd, 'slipway.yaml'), [
    'registry:', `  host: ${host}`, '  insecure: true', '  repository: dynamic-apps',
    'environments:', '  dev: {}', '  prod: {}',
  ].join('\n') + '\n');
  // Slipway's state and repos first: a state file missing beside repos holding apps asks for `slipway repair`.
  expect((await runCli(['list'], opts)).code).toBe(0);
  const gitops = join(opts.home, 'git', 'gitops.git');
  const repo = new CliGit({ url: gitops, branch: 'main', cacheDir: join(opts.cwd, 'git-cache'), author: { name: 'Test', email: 'test@localhost' } });
  const deployment = (digest: string, tag: string) => `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: ${app}\nspec:\n  template:\n    spec:\n      containers:\n        - name: app\n          image: ${host}/dynamic-apps/${app}:${tag}@${digest}\n`;
  await repo.commit({
    // Written as a person would (no Slipway-App trailer): the state file knows of no app, and gc reads the tree, not the history.
    message: 'Deploy notes', trailers: {},
    apply: async (tree) => {
      await tree.write(`kubernetes/apps/dynamic/${app}/app/deployment.yaml`, deployment(pins.prod, 'v1.1.0-bbbbbbb-prod'));
      await tree.write(`kubernetes/apps/dynamic-dev/${app}/app/deployment.yaml`, deployment(pins.dev, 'v1.2.0-ccccccc-dev'));
    },
  });
  return opts;
}

describe('slipway gc against a real registry', () => {
  it('deletes exactly the images no environment pins beyond the newest --keep, and every image of a deleted app; --dry-run deletes nothing', async () => {
    const oci = new OciRegistry({ insecureRegistries: [registry.host] });
    const push = (app: string, tag: string) => pushTinyImage(oci, registry.host, `dynamic-apps/${app}`, tag, `${app} ${tag}`);
    const notes = {
      prod100: await push('notes', 'v1.0.0-aaaaaaa-prod'),
      prod110: await push('notes', 'v1.1.0-bbbbbbb-prod'),
      prod120: await push('notes', 'v1.2.0-ddddddd-prod'),
      dev110: await push('notes', 'v1.1.0-bbbbbbb-dev'),
      dev120: await push('notes', 'v1.2.0-ccccccc-dev'),
      dev130: await push('notes', 'v1.3.0-eeeeeee-dev'),
    };
    // Tagged as Slipway tagged images before versions (12 hex digits of the source commit): not a version, left alone.
    await push('notes', '3f2a9c1b2c3d');
    await push('gone', 'v1.0.0-aaaaaaa-prod');
    await push('gone', 'v1.1.0-bbbbbbb-prod');
    // Not Slipway's: outside its repository prefix.
    await pushTinyImage(oci, registry.host, 'other/tool', 'latest', 'tool');
    oci.close();
    const opts = await homeRunning(registry.host, { prod: notes.prod110, dev: notes.dev120 });
    const everything = {
      notes: ['3f2a9c1b2c3d', 'v1.0.0-aaaaaaa-prod', 'v1.1.0-bbbbbbb-dev', 'v1.1.0-bbbbbbb-prod', 'v1.2.0-ccccccc-dev', 'v1.2.0-ddddddd-prod', 'v1.3.0-eeeeeee-dev'],
      gone: ['v1.0.0-aaaaaaa-prod', 'v1.1.0-bbbbbbb-prod'],
    };

    const dry = await runCli(['gc', '--keep', '1', '--dry-run', '--json'], opts);
    expect(dry.stderr).toBe('');
    expect(dry.code).toBe(0);
    const planned = JSON.parse(dry.stdout);
    const deletedTags = (report: { deleted: Array<{ repository: string; tags: string[] }> }) => report.deleted.flatMap((i) => i.tags.map((t) => `${i.repository}:${t}`)).sort();
    const expectedGone = ['dynamic-apps/gone:v1.0.0-aaaaaaa-prod', 'dynamic-apps/gone:v1.1.0-bbbbbbb-prod', 'dynamic-apps/notes:v1.0.0-aaaaaaa-prod', 'dynamic-apps/notes:v1.1.0-bbbbbbb-dev'];
    expect(planned.dryRun).toBe(true);
    expect(deletedTags(planned)).toEqual(expectedGone);
    expect(Object.fromEntries(planned.kept.map((i: { tags: string[]; kept: string }) => [i.tags.join(), i.kept]))).toEqual({
      'v1.1.0-bbbbbbb-prod': 'pinned by prod/notes',
      'v1.2.0-ccccccc-dev': 'pinned by dev/notes',
      'v1.2.0-ddddddd-prod': 'newest 1 of prod',
      'v1.3.0-eeeeeee-dev': 'newest 1 of dev',
      '3f2a9c1b2c3d': 'not a version tag',
    });
    expect(await skopeoTags(registry.host, 'dynamic-apps/notes')).toEqual(everything.notes);
    expect(await skopeoTags(registry.host, 'dynamic-apps/gone')).toEqual(everything.gone);

    const done = await runCli(['gc', '--keep', '1'], opts);
    expect(done.stderr).toBe('');
    expect(done.code).toBe(0);
    expect(done.stdout).toMatch(/Deleted 4 image\(s\) \(4 tag\(s\)\), kept 5; \d+ B of blobs only they used\./);
    expect(done.stdout).toContain('registry garbage-collect --delete-untagged /etc/docker/registry/config.yml');
    expect(await skopeoTags(registry.host, 'dynamic-apps/notes')).toEqual(['3f2a9c1b2c3d', 'v1.1.0-bbbbbbb-prod', 'v1.2.0-ccccccc-dev', 'v1.2.0-ddddddd-prod', 'v1.3.0-eeeeeee-dev']);
    expect(await skopeoTags(registry.host, 'dynamic-apps/gone')).toEqual([]);
    expect(await skopeoTags(registry.host, 'other/tool')).toEqual(['latest']);
    expect(await skopeoDigest(registry.host, 'dynamic-apps/notes:v1.1.0-bbbbbbb-prod')).toBe(notes.prod110);
    expect(await skopeoDigest(registry.host, 'dynamic-apps/notes:v1.2.0-ccccccc-dev')).toBe(notes.dev120);
    await expect(run('skopeo', ['inspect', '--tls-verify=false', `docker://${registry.host}/dynamic-apps/notes@${notes.prod100}`])).rejects.toThrow(/manifest unknown/i);

    // Nothing left to delete the second time.
    const again = JSON.parse((await runCli(['gc', '--keep', '1', '--json'], opts)).stdout);
    expect(again.deleted).toEqual([]);
  });

  it('runs on a server for admin tokens only: POST /v1/gc and slipway gc --server', async () => {
    const oci = new OciRegistry({ insecureRegistries: [registry.host] });
    // An app of its own, on the registry the first test cleaned: the notes images left there go too.
    const pinned = await pushTinyImage(oci, registry.host, 'dynamic-apps/memo', 'v2.0.0-bbbbbbb-prod', 'served pinned');
    const dev = await pushTinyImage(oci, registry.host, 'dynamic-apps/memo', 'v2.0.0-ccccccc-dev', 'served dev');
    await pushTinyImage(oci, registry.host, 'dynamic-apps/old', 'v1.0.0-aaaaaaa-prod', 'served old');
    oci.close();
    const opts = await homeRunning(registry.host, { prod: pinned, dev }, 'memo');
    const token = async (scope: string) => (await runCli(['token', 'create', '--name', `gc-${scope}`, '--scope', scope], opts)).stdout.trim();
    const write = await token('write');
    const admin = await token('admin');
    const server = await startServer(opts);
    try {
      const post = (bearer: string, body: unknown) => fetch(`${server.url}/v1/gc`, { method: 'POST', headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
      const refused = await post(write, { dryRun: true });
      expect(refused.status).toBe(403);
      expect((await refused.json()).detail).toContain('needs admin');
      const bad = await post(admin, { keep: 'all' });
      expect(bad.status).toBe(422);
      const dry = await post(admin, { keep: 1, dryRun: true });
      expect(dry.status).toBe(200);
      expect((await dry.json()).deleted.map((i: { repository: string }) => i.repository)).not.toContain('dynamic-apps/memo');
      expect(await skopeoTags(registry.host, 'dynamic-apps/old')).toEqual(['v1.0.0-aaaaaaa-prod']);

      const remote = await runCli(['--server', server.url, 'gc', '--keep', '1', '--json'], { ...opts, env: { SLIPWAY_TOKEN: admin } });
      expect(remote.stderr).toBe('');
      expect(JSON.parse(remote.stdout).deleted.filter((i: { repository: string }) => i.repository === 'dynamic-apps/old').map((i: { tags: string[] }) => i.tags)).toEqual([['v1.0.0-aaaaaaa-prod']]);
      expect(await skopeoTags(registry.host, 'dynamic-apps/old')).toEqual([]);
      expect(await skopeoTags(registry.host, 'dynamic-apps/memo')).toEqual(['v2.0.0-bbbbbbb-prod', 'v2.0.0-ccccccc-dev']);
    } finally {
      await server.stop();
    }
  });

  it('says how to allow deletes when the registry refuses them', async () => {
    const keeping = await startRegistry({ mode: 'plain', deleteEnabled: false });
    try {
      const oci = new OciRegistry({ insecureRegistries: [keeping.host] });
      const pinned = await pushTinyImage(oci, keeping.host, 'dynamic-apps/notes', 'v1.1.0-bbbbbbb-prod', 'pinned');
      const dev = await pushTinyImage(oci, keeping.host, 'dynamic-apps/notes', 'v1.2.0-ccccccc-dev', 'dev');
      await pushTinyImage(oci, keeping.host, 'dynamic-apps/gone', 'v1.0.0-aaaaaaa-prod', 'gone');
      oci.close();
      const opts = await homeRunning(keeping.host, { prod: pinned, dev });
      const result = await runCli(['gc'], opts);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(`error: the registry at ${keeping.host} does not allow deleting images (it answered 405 UNSUPPORTED`);
      expect(result.stderr).toContain('storage.delete.enabled: true');
      expect(await skopeoTags(keeping.host, 'dynamic-apps/gone')).toEqual(['v1.0.0-aaaaaaa-prod']);
    } finally {
      await keeping.stop();
    }
  });
});
