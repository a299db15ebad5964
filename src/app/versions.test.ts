import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../adapters/store/sqlite-database.ts';
import { SqliteRunStore } from '../adapters/store/sqlite-run-store.ts';
import { gitRepo, tempRoot } from '../adapters/git/cli-git.test-support.ts';
import type { GitRepo } from '../ports/index.ts';
import { createBareRepo } from '../../test/support/git-fixtures.ts';
import { appVersions, currentVersion } from './versions.ts';

const SOURCE = 'a3f5c2b9e0d1c2b3a4f5e6d7c8b9a0f1e2d3c4b5';
const DIGEST = `sha256:${'1'.repeat(64)}`;

/** A manifests commit as Slipway makes it: the trailers of a version, or an older Slipway's (no version trailers). */
function ship(repo: GitRepo, app: string, runId: string, extra: Record<string, string>, subject = `${app}: a notes app`): Promise<{ sha: string }> {
  return repo.commit({
    message: `${subject}\n\nImage: r/${app}@${DIGEST}`,
    trailers: { 'Slipway-App': app, 'Slipway-Run': runId, ...extra },
    apply: (tree) => tree.write(`apps/${app}/deployment.yaml`, `kind: Deployment\n# ${runId}\n`),
  });
}

function versioned(action: string, version: string, env = 'prod', digest = DIGEST): Record<string, string> {
  return {
    'Slipway-Action': action, 'Slipway-Source': SOURCE, 'Slipway-Version': version, 'Slipway-Env': env,
    'Slipway-Image': `r/notes:${version}-a3f5c2b-${env}@${digest}`,
  };
}

const PLAN = {
  name: 'notes', title: 'Notes', summary: 'Notes with tags.', runtime: 'node', features: [], pages: [], routes: [], persistent: true, env: [], port: 8080,
  template: { id: 'notes-api', version: '1.0.0', chosenBy: 'model', score: null, matched: [], candidates: [], params: {} },
  generator: { kind: 'model', model: 'gpt-4.1', prompts: { planner: 'planner.v1' } },
};

async function storeOutput(runs: SqliteRunStore, runId: string, stepId: string, output: unknown): Promise<void> {
  await runs.startStep(runId, stepId, stepId);
  await runs.finishStep(runId, stepId, 'succeeded', { output });
}

async function gitops(): Promise<GitRepo> {
  const root = tempRoot();
  return gitRepo(`file://${await createBareRepo(join(root, 'gitops.git'))}`, join(root, 'cache'));
}

describe('appVersions', () => {
  it("lists an app's versions from the GitOps history, newest first, and leaves other apps and their removals out", async () => {
    const repo = await gitops();
    const first = await ship(repo, 'notes', 'run-20261201100000-aaaaaa', versioned('deploy', 'v1.0.0'));
    await ship(repo, 'other', 'run-20261201100100-bbbbbb', versioned('deploy', 'v1.0.0'));
    const second = await ship(repo, 'notes', 'run-20261201100200-cccccc', versioned('change', 'v1.1.0', 'prod', `sha256:${'2'.repeat(64)}`), 'notes: bigger digits');
    await repo.commit({ message: 'Remove other', trailers: { 'Slipway-App': 'other', 'Slipway-Run': 'run-20261201100300-dddddd', 'Slipway-Action': 'remove' }, apply: (t) => t.remove('apps/other') });
    const versions = await appVersions(repo, 'notes');
    expect(versions.map((v) => [v.version, v.action, v.gitopsCommit])).toEqual([['v1.1.0', 'change', second.sha], ['v1.0.0', 'create', first.sha]]);
    expect(versions[0]).toEqual({
      version: 'v1.1.0', image: `r/notes:v1.1.0-a3f5c2b-prod@sha256:${'2'.repeat(64)}`, digest: `sha256:${'2'.repeat(64)}`,
      sourceCommit: SOURCE, gitopsCommit: second.sha, runId: 'run-20261201100200-cccccc', action: 'change',
      request: 'bigger digits', at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/), env: 'prod',
    });
    expect(currentVersion(versions, 'prod')).toBe('v1.1.0');
    expect(await appVersions(repo, 'other')).toEqual([]);
    expect(await appVersions(repo, 'missing')).toEqual([]);
  });

  it('reads a create an older Slipway committed (no version trailers) as v1.0.0 in the default environment', async () => {
    const repo = await gitops();
    await ship(repo, 'notes', 'run-20261201100000-aaaaaa', { 'Slipway-Action': 'deploy', 'Slipway-Source': SOURCE }, 'Deploy notes');
    await ship(repo, 'notes', 'run-20261201100100-bbbbbb', versioned('change', 'v1.1.0'));
    const versions = await appVersions(repo, 'notes');
    expect(versions.map((v) => [v.version, v.env, v.action, v.image, v.request])).toEqual([
      ['v1.1.0', 'prod', 'change', `r/notes:v1.1.0-a3f5c2b-prod@${DIGEST}`, 'a notes app'],
      ['v1.0.0', 'prod', 'create', '', 'Deploy notes'],
    ]);
    expect((await appVersions(repo, 'notes', { defaultEnv: 'live' })).map((v) => v.env)).toEqual(['prod', 'live']);
  });

  it('takes the request, generator and (for an older commit) the image from the run store when it knows the run', async () => {
    const repo = await gitops();
    const runs = new SqliteRunStore({ db: openDatabase(':memory:') });
    const run = await runs.createRun({ id: 'run-20261201100000-aaaaaa', kind: 'create', app: 'notes', request: { app: 'notes', description: 'a notes app with tags and a very long description that a subject trims' } });
    await ship(repo, 'notes', run.id, { 'Slipway-Action': 'deploy', 'Slipway-Source': SOURCE }, 'Deploy notes');
    await storeOutput(runs, run.id, 'app:plan', PLAN);
    await storeOutput(runs, run.id, 'image:build', {
      image: `r/notes:abc@${DIGEST}`, runImage: 'x', digest: DIGEST, tag: 'abc', base: 'b', platforms: ['linux/amd64'], layers: 2, bytesUploaded: 1, blobsSkipped: 0, dependencies: [],
    });
    const [version] = await appVersions(repo, 'notes', { runs });
    expect(version).toMatchObject({
      version: 'v1.0.0', request: 'a notes app with tags and a very long description that a subject trims',
      image: `r/notes:abc@${DIGEST}`, digest: DIGEST, generator: 'model gpt-4.1', runId: run.id,
    });
  });

  it("lists each environment's versions, and starts an app's history again after it was removed", async () => {
    const repo = await gitops();
    await ship(repo, 'notes', 'run-20261201100000-aaaaaa', versioned('deploy', 'v1.0.0'));
    await ship(repo, 'notes', 'run-20261201100100-bbbbbb', versioned('change', 'v1.1.0'));
    await repo.commit({ message: 'Remove notes', trailers: { 'Slipway-App': 'notes', 'Slipway-Run': 'run-20261201100200-cccccc', 'Slipway-Action': 'remove' }, apply: (t) => t.remove('apps/notes') });
    expect(await appVersions(repo, 'notes')).toEqual([]);
    await ship(repo, 'notes', 'run-20261201100300-dddddd', versioned('deploy', 'v1.0.0', 'dev'));
    await ship(repo, 'notes', 'run-20261201100400-eeeeee', versioned('promote', 'v1.0.0', 'prod'));
    await ship(repo, 'notes', 'run-20261201100500-ffffff', versioned('change', 'v1.1.0', 'dev'));
    const all = await appVersions(repo, 'notes');
    expect(all.map((v) => `${v.env} ${v.version} ${v.action}`)).toEqual(['dev v1.1.0 change', 'prod v1.0.0 promote', 'dev v1.0.0 create']);
    expect(currentVersion(all, 'prod')).toBe('v1.0.0');
    expect(currentVersion(all, 'dev')).toBe('v1.1.0');
    expect(currentVersion(all, 'staging')).toBeUndefined();
    expect((await appVersions(repo, 'notes', { env: 'prod' })).map((v) => v.runId)).toEqual(['run-20261201100400-eeeeee']);
  });
});
