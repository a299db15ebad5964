import { join } from 'node:path';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { gitRepo, tempRoot } from '../../adapters/git/cli-git.test-support.ts';
import { openDatabase } from '../../adapters/store/sqlite-database.ts';
import { SqliteRunStore } from '../../adapters/store/sqlite-run-store.ts';
import { appVersions, currentVersion } from '../../app/versions.ts';
import { ConflictError } from '../../domain/index.ts';
import { defineStep, entry, executePipeline } from '../../pipeline/index.ts';
import type { GitRepo } from '../../ports/index.ts';
import { createBareRepo } from '../../../test/support/git-fixtures.ts';
import { versionTrailers } from '../commit-trailers.ts';
import { createVersionNextStep, versionNextOutput } from './index.ts';

const logger = pino({ level: 'silent' });
const SOURCE = 'a3f5c2b9e0d1c2b3a4f5e6d7c8b9a0f1e2d3c4b5';

/** A GitOps repo, and the step reading the versions it holds as the composition root wires it. */
async function setup() {
  const root = tempRoot();
  const repo = gitRepo(`file://${await createBareRepo(join(root, 'gitops.git'))}`, join(root, 'cache'));
  const step = createVersionNextStep({ current: async (app, env) => currentVersion(await appVersions(repo, app, { env }), env) });
  const next = (input: z.input<typeof step.input>) => step.run({ input: step.input.parse(input), runId: 'run-1', logger, signal: new AbortController().signal });
  return { repo, step, next };
}

function ship(repo: GitRepo, version: string, env = 'prod', action = 'deploy') {
  return repo.commit({
    message: `Ship notes ${version}`,
    trailers: { 'Slipway-App': 'notes', 'Slipway-Run': `run-${version}-${env}`, 'Slipway-Action': action, 'Slipway-Source': SOURCE, ...versionTrailers({ version, env, image: `r/notes:${version}-a3f5c2b-${env}@sha256:${'1'.repeat(64)}` }) },
    apply: (tree) => tree.write(`apps/notes/${env}.yaml`, version),
  });
}

describe('version:next', () => {
  it('numbers a create v1.0.0, and each change, rollback and promote from the version the environment runs', async () => {
    const { repo, next } = await setup();
    expect(await next({ app: 'notes', action: 'create', env: 'prod' })).toEqual({ version: 'v1.0.0', env: 'prod' });
    await ship(repo, 'v1.0.0');
    expect(await next({ app: 'notes', action: 'change', env: 'prod' })).toEqual({ version: 'v1.1.0', env: 'prod', previous: 'v1.0.0' });
    expect(await next({ app: 'notes', action: 'change', env: 'prod', bump: 'patch' })).toEqual({ version: 'v1.0.1', env: 'prod', previous: 'v1.0.0' });
    expect(await next({ app: 'notes', action: 'change', env: 'prod', bump: 'major' })).toEqual({ version: 'v2.0.0', env: 'prod', previous: 'v1.0.0' });
    await ship(repo, 'v1.1.0', 'prod', 'change');
    expect(await next({ app: 'notes', action: 'rollback', env: 'prod' })).toEqual({ version: 'v1.1.1', env: 'prod', previous: 'v1.1.0' });
    expect(await next({ app: 'notes', action: 'promote', env: 'staging', from: 'prod' })).toEqual({ version: 'v1.1.0', env: 'staging' });
    expect(await next({ app: 'notes', action: 'promote', env: 'staging', pinned: 'v1.0.0' })).toEqual({ version: 'v1.0.0', env: 'staging' });
  });

  it('refuses to change, roll back or promote a version that does not exist, saying what to do', async () => {
    const { next } = await setup();
    await expect(next({ app: 'notes', action: 'change', env: 'prod' })).rejects.toThrow(ConflictError);
    await expect(next({ app: 'notes', action: 'rollback', env: 'prod' })).rejects.toThrow('notes has no version in prod yet, so there is nothing to roll back');
    await expect(next({ app: 'notes', action: 'promote', env: 'prod', from: 'dev' })).rejects.toThrow('notes has no version in dev to promote');
    expect(() => (next as (i: unknown) => unknown)({ app: 'notes', action: 'change', env: 'prod', pinned: '1.2' })).toThrow(/v1\.2\.0/);
  });

  it('keeps the number of a resumed run, even when another run shipped a version in between', async () => {
    const { repo, step } = await setup();
    await ship(repo, 'v1.0.0');
    const store = new SqliteRunStore({ db: openDatabase(':memory:') });
    let fail = true;
    const later = defineStep({
      id: 'later:step', title: 'Later', input: z.object({ version: z.string() }), output: z.object({ version: z.string() }),
      run: async (ctx) => {
        if (fail) throw new Error('interrupted');
        return ctx.input;
      },
    });
    const pipeline = [
      entry(step, (s) => ({ app: String(s.request.app), action: 'change' as const, env: 'prod' })),
      entry(later, (s) => ({ version: s.output(step).version })),
    ];
    const run = await store.createRun({ id: 'run-20261201100000-aaaaaa', kind: 'change', app: 'notes', request: { app: 'notes' } });
    expect((await executePipeline({ run, pipeline, store, logger })).status).toBe('failed');
    expect(await store.stepOutput(run.id, versionNextOutput.id)).toEqual({ version: 'v1.1.0', env: 'prod', previous: 'v1.0.0' });
    await ship(repo, 'v1.1.0', 'prod', 'change');
    fail = false;
    const resumed = await executePipeline({ run: (await store.getRun(run.id))!, pipeline, store, logger });
    expect(resumed.status).toBe('succeeded');
    expect(resumed.outputs.get(later)).toEqual({ version: 'v1.1.0' });
  });
});
