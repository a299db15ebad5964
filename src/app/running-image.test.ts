import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { gitRepo, tempRoot } from '../adapters/git/cli-git.test-support.ts';
import { openDatabase } from '../adapters/store/sqlite-database.ts';
import { SqliteRunStore } from '../adapters/store/sqlite-run-store.ts';
import { ConflictError } from '../domain/index.ts';
import type { GitRepo } from '../ports/index.ts';
import { sampleSpec } from '../render/test-fixtures.ts';
import { createBareRepo } from '../../test/support/git-fixtures.ts';
import { versionTrailers } from '../steps/commit-trailers.ts';
import { runningImage } from './running-image.ts';

const SOURCE = 'a3f5c2b9e0d1c2b3a4f5e6d7c8b9a0f1e2d3c4b5';
const digest = (n: string) => `sha256:${n.repeat(64)}`;

async function setup() {
  const root = tempRoot();
  const gitops = gitRepo(`file://${await createBareRepo(join(root, 'gitops.git'))}`, join(root, 'cache'));
  const runs = new SqliteRunStore({ db: openDatabase(':memory:') });
  return { gitops, runs, find: (env: string) => runningImage({ gitops, runs, defaultEnv: 'prod' }, 'notes', env) };
}

/** A run that shipped a version, storing the spec (or not) as a step output, and its manifests commit. */
async function ship(gitops: GitRepo, runs: SqliteRunStore, options: { runId: string; version: string; env: string; action: string; digest: string; spec: boolean }) {
  await runs.createRun({ id: options.runId, kind: 'create', app: 'notes', request: { app: 'notes' } });
  await runs.startStep(options.runId, 'source:generate', 'Generate');
  await runs.finishStep(options.runId, 'source:generate', 'succeeded', { output: options.spec ? { dir: '/tmp/x', files: [], spec: sampleSpec({ name: 'notes', port: 9090 }) } : { other: true } });
  const image = `r/notes:${options.version}-a3f5c2b-${options.env}@${options.digest}`;
  await gitops.commit({
    message: `notes: ${options.version}`,
    trailers: { 'Slipway-App': 'notes', 'Slipway-Run': options.runId, 'Slipway-Action': options.action, 'Slipway-Source': SOURCE, ...versionTrailers({ version: options.version, env: options.env, image }) },
    apply: (tree) => tree.write(`apps/${options.env}/notes.yaml`, image),
  });
}

describe('runningImage', () => {
  it('is the image an environment runs now, with its tag, source commit and the spec its run stored', async () => {
    const { gitops, runs, find } = await setup();
    expect(await find('dev')).toBeUndefined();
    await ship(gitops, runs, { runId: 'run-20261201100000-aaaaaa', version: 'v1.0.0', env: 'dev', action: 'deploy', digest: digest('1'), spec: true });
    await ship(gitops, runs, { runId: 'run-20261201100100-bbbbbb', version: 'v1.1.0', env: 'dev', action: 'change', digest: digest('2'), spec: true });
    expect(await find('dev')).toEqual({
      image: `r/notes:v1.1.0-a3f5c2b-dev@${digest('2')}`, digest: digest('2'), tag: 'v1.1.0-a3f5c2b-dev', sourceCommit: SOURCE,
      spec: sampleSpec({ name: 'notes', port: 9090 }),
    });
    expect(await find('prod')).toBeUndefined();
  });

  it('takes the spec from another run that shipped the same digest when the current one stored none (a rollback)', async () => {
    const { gitops, runs, find } = await setup();
    await ship(gitops, runs, { runId: 'run-20261201100000-aaaaaa', version: 'v1.0.0', env: 'dev', action: 'deploy', digest: digest('1'), spec: true });
    await ship(gitops, runs, { runId: 'run-20261201100100-bbbbbb', version: 'v1.1.0', env: 'dev', action: 'change', digest: digest('2'), spec: true });
    await ship(gitops, runs, { runId: 'run-20261201100200-cccccc', version: 'v1.1.1', env: 'dev', action: 'rollback', digest: digest('1'), spec: false });
    expect(await find('dev')).toMatchObject({ digest: digest('1'), tag: 'v1.1.1-a3f5c2b-dev', spec: { port: 9090 } });
  });

  it('says the spec is unknown when no run that shipped the image is in the state', async () => {
    const { gitops, runs, find } = await setup();
    await ship(gitops, runs, { runId: 'run-20261201100000-aaaaaa', version: 'v1.0.0', env: 'dev', action: 'deploy', digest: digest('1'), spec: false });
    await expect(find('dev')).rejects.toThrow(ConflictError);
    await expect(find('dev')).rejects.toThrow(/how to run notes v1\.0\.0 elsewhere is unknown: the run that shipped it to dev \(run-20261201100000-aaaaaa\)/);
  });
});
