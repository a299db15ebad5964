import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ageKeygen } from '../../../test/support/sops-check.ts';
import { encryptSecret } from '../../adapters/secrets/index.ts';
import { InputError } from '../../domain/errors.ts';
import type { BootstrapSettings } from '../../render/bootstrap/index.ts';
import { bootstrapSettings } from '../../render/bootstrap/test-fixtures.ts';
import { runBootstrap } from './run.ts';

const key = ageKeygen(mkdtempSync(join(tmpdir(), 'slipway-age-')));

function setup(): { out: string; localDir: string } {
  const root = mkdtempSync(join(tmpdir(), 'slipway-bootstrap-run-'));
  return { out: join(root, 'out'), localDir: join(root, 'home', 'bootstrap') };
}

function run(settings: BootstrapSettings, out: string, dryRun = false) {
  return runBootstrap({ settings, out, how: { kind: 'sops', ageRecipients: [key.recipient] }, encrypt: encryptSecret, author: { name: 'Slipway', email: 'slipway@localhost' }, dryRun });
}

function gitInit(dir: string): void {
  mkdirSync(dir, { recursive: true });
  execFileSync('git', ['init', '-q', dir]);
}

const withLocal = (settings: BootstrapSettings, localDir: string): BootstrapSettings => ({ ...settings, localDir });

describe('runBootstrap', () => {
  it('removes a file it wrote that no part makes any more, and keeps a file of the person\'s own', async () => {
    const { out, localDir } = setup();
    await run(withLocal(bootstrapSettings({ environments: { dev: {}, prod: {} } }), localDir), out);
    const devFile = join(out, 'kubernetes/slipway/namespaces/dynamic-apps-dev.yaml');
    expect(existsSync(devFile)).toBe(true);
    writeFileSync(join(out, 'kubernetes/slipway/NOTES.md'), 'my notes\n');

    const result = await run(withLocal(bootstrapSettings(), localDir), out);
    expect(result.removed).toEqual(['kubernetes/slipway/namespaces/dynamic-apps-dev.yaml']);
    expect(result.changed).toEqual(['kubernetes/slipway/rbac/watcher.yaml', 'kubernetes/slipway/kustomization.yaml']);
    expect(existsSync(devFile)).toBe(false);
    expect(readFileSync(join(out, 'kubernetes/slipway/NOTES.md'), 'utf8')).toBe('my notes\n');
    expect(readFileSync(join(out, 'kubernetes/slipway/kustomization.yaml'), 'utf8')).not.toContain('dynamic-apps-dev');
  });

  it('reuses the kept receiver token, so the receiver path stays the same', async () => {
    const { out, localDir } = setup();
    const first = await run(withLocal(bootstrapSettings(), localDir), out);
    const second = await run(withLocal(bootstrapSettings(), localDir), join(out, '..', 'elsewhere'));
    expect(second.receiverPath).toBe(first.receiverPath);
    expect(second.receiverPath).toMatch(/^\/hook\/[0-9a-f]{64}$/);
  });

  it('refuses to write through a symbolic link, or where a file stands for the folder, in a GitOps checkout', async () => {
    const { out, localDir } = setup();
    gitInit(out);
    const elsewhere = mkdtempSync(join(tmpdir(), 'slipway-elsewhere-'));
    mkdirSync(join(out, 'kubernetes'), { recursive: true });
    symlinkSync(elsewhere, join(out, 'kubernetes', 'slipway'));
    await expect(run(withLocal(bootstrapSettings(), localDir), out)).rejects.toThrow(/symbolic link/);

    const other = setup();
    gitInit(other.out);
    mkdirSync(join(other.out, 'kubernetes'), { recursive: true });
    writeFileSync(join(other.out, 'kubernetes', 'slipway'), 'a file\n');
    const error = await run(withLocal(bootstrapSettings(), other.localDir), other.out).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).message).toContain('is a file');
  });

  it('refuses an --out that is a file', async () => {
    const { out, localDir } = setup();
    mkdirSync(join(out, '..'), { recursive: true });
    writeFileSync(out, 'a file\n');
    await expect(run(withLocal(bootstrapSettings(), localDir), out)).rejects.toThrow(/is a file, not a directory/);
  });
});
