import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ensureBareRepo } from './local-repos.ts';

describe('ensureBareRepo', () => {
  it('creates one valid bare repository when many callers race for it, leaving nothing beside it', async () => {
    for (let round = 0; round < 5; round++) {
      const root = mkdtempSync(join(tmpdir(), 'slipway-bare-'));
      const dir = join(root, 'git', 'apps.git');
      const results = await Promise.allSettled(Array.from({ length: 12 }, () => ensureBareRepo(dir, 'main')));
      expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
      expect(execFileSync('git', ['--git-dir', dir, 'rev-parse', '--is-bare-repository'], { encoding: 'utf8' }).trim()).toBe('true');
      expect(execFileSync('git', ['--git-dir', dir, 'symbolic-ref', 'HEAD'], { encoding: 'utf8' }).trim()).toBe('refs/heads/main');
      expect(readdirSync(join(root, 'git'))).toEqual(['apps.git']);
    }
  });

  it('leaves an existing repository alone', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'slipway-bare-')), 'gitops.git');
    await ensureBareRepo(dir, 'main');
    execFileSync('git', ['--git-dir', dir, 'config', 'slipway.test', 'kept']);
    await ensureBareRepo(dir, 'other');
    expect(execFileSync('git', ['--git-dir', dir, 'config', 'slipway.test'], { encoding: 'utf8' }).trim()).toBe('kept');
  });
});
