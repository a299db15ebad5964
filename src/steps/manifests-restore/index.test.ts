import { rmSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { ConflictError } from '../../domain/index.ts';
import { gitRepo, tempRoot, trailersFor } from '../../adapters/git/cli-git.test-support.ts';
import { createBareRepo } from '../../../test/support/git-fixtures.ts';
import { defaultRenderSettings } from '../../../test/support/render-settings.ts';
import { createRestoreManifestsStep } from './index.ts';

const root = tempRoot();
afterAll(() => rmSync(root, { recursive: true, force: true }));

const digest = (c: string) => `sha256:${c.repeat(64)}`;
const image = (c: string) => `registry.lan/dynamic-apps/notes:v1.0.0-abc1234-prod@${digest(c)}`;

describe('manifests:restore', () => {
  it("reads the app's manifests as an earlier commit held them, and refuses a commit whose Deployment pins another digest", async () => {
    const settings = defaultRenderSettings();
    const repo = gitRepo(await createBareRepo(join(root, 'gitops.git')), join(root, 'cache'));
    const folder = `${settings.gitops.path}/notes`;
    const ship = (c: string, run: string) => repo.commit({
      message: `v${c}`, trailers: trailersFor('notes', run),
      apply: async (tree) => {
        await tree.write(`${folder}/app/deployment.yaml`, `image: ${image(c)}\n`);
        await tree.write(`${folder}/ks.yaml`, `kind: Kustomization # ${c}\n`);
        if (c === 'b') await tree.write(`${folder}/app/extra.yaml`, 'only in b\n');
      },
    });
    const first = await ship('a', 'run-1');
    await ship('b', 'run-2');
    const step = createRestoreManifestsStep({ repo, settings });
    const restore = (at: string, c: string) => step.run({
      input: { app: 'notes', version: 'v1.0.0', gitopsCommit: at, image: image(c), digest: digest(c) },
      runId: 'run-3', logger: pino({ level: 'silent' }), signal: new AbortController().signal,
    });
    expect(await restore(first.sha, 'a')).toEqual({
      image: image('a'),
      files: [
        { path: `${folder}/app/deployment.yaml`, content: `image: ${image('a')}\n` },
        { path: `${folder}/ks.yaml`, content: 'kind: Kustomization # a\n' },
      ],
    });
    await expect(restore(first.sha, 'b')).rejects.toThrow(ConflictError);
    await expect(restore(first.sha, 'b')).rejects.toThrow(/holds no Deployment pinning sha256:b{64}/);
  });
});
