import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../domain/errors.ts';
import { checkRenderTarget } from './render-target.ts';

const APPS = 'kubernetes/apps/dynamic';
const plan = { files: [`${APPS}/notes/ks.yaml`, `${APPS}/notes/app/deployment.yaml`, `${APPS}/kustomization.yaml`], replaced: `${APPS}/notes`, top: 'kubernetes' };
const folder = () => mkdtempSync(join(tmpdir(), 'slipway-render-target-'));

describe('checkRenderTarget', () => {
  it('accepts a new folder, an empty one, a checkout and an earlier render', async () => {
    const root = folder();
    await expect(checkRenderTarget(join(root, 'new', 'gitops'), plan)).resolves.toBeUndefined();
    mkdirSync(join(root, 'empty'));
    await expect(checkRenderTarget(join(root, 'empty'), plan)).resolves.toBeUndefined();
    mkdirSync(join(root, 'checkout', '.git'), { recursive: true });
    writeFileSync(join(root, 'checkout', 'README.md'), '# homelab\n');
    await expect(checkRenderTarget(join(root, 'checkout'), plan)).resolves.toBeUndefined();
    mkdirSync(join(root, 'earlier', APPS, 'notes', 'app'), { recursive: true });
    writeFileSync(join(root, 'earlier', APPS, 'kustomization.yaml'), 'kind: Kustomization\n');
    // Inside the app's folder, which is replaced whole, even a link is no danger.
    symlinkSync('/etc/passwd', join(root, 'earlier', APPS, 'notes', 'app', 'deployment.yaml'));
    await expect(checkRenderTarget(join(root, 'earlier'), plan)).resolves.toBeUndefined();
  });

  it.each([
    ['a link on the way', (out: string) => { mkdirSync(join(out, 'kubernetes'), { recursive: true }); symlinkSync(tmpdir(), join(out, 'kubernetes', 'apps')); }, /refused .*kubernetes\/apps: it is a symbolic link \(to /],
    ['a link as the parent kustomization', (out: string) => { mkdirSync(join(out, APPS), { recursive: true }); symlinkSync('/etc/hostname', join(out, APPS, 'kustomization.yaml')); }, /refused .*kustomization\.yaml: it is a symbolic link \(to \/etc\/hostname\)/],
    ["a link as the app's folder", (out: string) => { mkdirSync(join(out, APPS), { recursive: true }); symlinkSync(tmpdir(), join(out, APPS, 'notes')); }, /refused .*dynamic\/notes: it is a symbolic link/],
    ['a file where a folder must be', (out: string) => { mkdirSync(join(out, 'kubernetes'), { recursive: true }); writeFileSync(join(out, 'kubernetes', 'apps'), ''); }, /render needs a folder there .* it is a file/],
    ['a folder where the kustomization goes', (out: string) => mkdirSync(join(out, APPS, 'kustomization.yaml'), { recursive: true }), /render writes a file there, and it is a directory/],
    ['a folder of something else', (out: string) => { mkdirSync(out); writeFileSync(join(out, 'notes.txt'), ''); }, /is not empty and does not look like a GitOps repo/],
  ])('refuses %s, naming the path', async (_what, setup, message) => {
    const out = join(folder(), 'gitops');
    setup(out);
    const refusal = checkRenderTarget(out, plan);
    await expect(refusal).rejects.toThrow(InputError);
    await expect(refusal).rejects.toThrow(message);
  });

  it('refuses an --out that is a file, or below one', async () => {
    const file = join(folder(), 'file');
    writeFileSync(file, '');
    await expect(checkRenderTarget(file, plan)).rejects.toThrow(/is a file, not a directory/);
    await expect(checkRenderTarget(join(file, 'below'), plan)).rejects.toThrow(/is a file, not a directory/);
  });
});
