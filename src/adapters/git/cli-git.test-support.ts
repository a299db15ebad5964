import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RepoTree } from '../../ports/index.ts';
import { CliGit, type CliGitOptions } from './cli-git.ts';

/** Shared by this folder's tests: a temp root, a CliGit on a remote, and an "add an app" change. */
export const AUTHOR = { name: 'Slipway', email: 'slipway@example.test' };
export const PARENT = 'apps/kustomization.yaml';
const PARENT_HEAD = 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n';

export function tempRoot(): string {
  return mkdtempSync(join(tmpdir(), 'slipway-git-'));
}

export function gitRepo(url: string, cacheDir: string, extra: Partial<CliGitOptions> = {}): CliGit {
  return new CliGit({ url, branch: 'main', cacheDir, author: AUTHOR, env: { PATH: process.env.PATH ?? '/usr/bin:/bin' }, ...extra });
}

/** Writes apps/<name>/deployment.yaml and lists the app in the shared parent kustomization (read-modify-write). */
export async function addApp(tree: RepoTree, name: string): Promise<void> {
  await tree.write(`apps/${name}/deployment.yaml`, `kind: Deployment\nmetadata:\n  name: ${name}\n`);
  const parent = (await tree.read(PARENT)) ?? PARENT_HEAD;
  if (!parent.includes(`  - ${name}\n`)) await tree.write(PARENT, `${parent}  - ${name}\n`);
}

export async function removeApp(tree: RepoTree, name: string): Promise<void> {
  await tree.remove(`apps/${name}`);
  const parent = (await tree.read(PARENT)) ?? PARENT_HEAD;
  await tree.write(PARENT, parent.replace(`  - ${name}\n`, ''));
}

/** The names listed in the parent kustomization. */
export function listedApps(parent: string | undefined): string[] {
  return (parent ?? '').split('\n').filter((l) => l.startsWith('  - ')).map((l) => l.slice(4));
}

export function trailersFor(app: string, run: string, action = 'deploy'): Record<string, string> {
  return { 'Slipway-App': app, 'Slipway-Run': run, 'Slipway-Action': action };
}

export const IDEMPOTENCY = ['Slipway-App', 'Slipway-Run', 'Slipway-Action'];
