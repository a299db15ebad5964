import { lstat, readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { isWorkTreeTop } from '../../adapters/git/checkout-commit.ts';
import { InputError } from '../../domain/errors.ts';

const OUT_HINT = 'Pass a checkout of the GitOps repo, or a new or empty folder.';

/** What `--out` is: a git checkout (the bootstrap commits there) or a plain folder (files only). */
export interface BootstrapTarget {
  dir: string;
  git: boolean;
}

/**
 * Checks `--out` before anything is written: a missing or empty directory, the top
 * of a git checkout, or a folder an earlier bootstrap wrote (it holds `<path>/kustomization.yaml`).
 * Anything else — a home folder, a project — would get a kubernetes/ tree dropped into it.
 * @example await bootstrapTarget('/home/me/gitops', 'kubernetes/slipway') // { dir: '/home/me/gitops', git: true }
 */
export async function bootstrapTarget(dir: string, path: string): Promise<BootstrapTarget> {
  const found = await stat(dir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw new InputError(`--out ${dir} cannot be read: ${error.code ?? error.message}`, { hint: OUT_HINT });
  });
  // A missing folder is made when the first file is written.
  if (found === undefined) return { dir, git: false };
  if (!found.isDirectory()) throw new InputError(`--out ${dir} is a file, not a directory`, { hint: OUT_HINT });
  if (await isWorkTreeTop(dir)) return { dir, git: true };
  const names = await readdir(dir);
  const earlier = await stat(join(dir, path, 'kustomization.yaml')).then((s) => s.isFile(), () => false);
  if (names.length > 0 && !earlier) {
    throw new InputError(`--out ${dir} is neither empty nor a git checkout (nor a folder an earlier bootstrap wrote)`, { hint: OUT_HINT });
  }
  return { dir, git: false };
}

/**
 * The files under `<dir>/<path>` now, by their path in the repo. A symbolic link anywhere on the way is
 * refused: the bootstrap would write through it, somewhere else.
 */
export async function existingFiles(dir: string, path: string): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  let current = dir;
  for (const segment of path.split('/')) {
    current = join(current, segment);
    const found = await lstat(current).catch(() => undefined);
    if (found === undefined) return files;
    refuseLink(found.isSymbolicLink(), current);
    if (!found.isDirectory()) throw new InputError(`${current} is a file; the bootstrap writes a folder there`, { hint: 'Move it away, or set bootstrap.path in slipway.yaml to another folder.' });
  }
  for (const entry of await readdir(current, { recursive: true, withFileTypes: true })) {
    const full = join(entry.parentPath, entry.name);
    refuseLink(entry.isSymbolicLink(), full);
    if (entry.isFile()) files.set(`${path}/${full.slice(current.length + 1)}`, await readFile(full, 'utf8'));
  }
  return files;
}

function refuseLink(link: boolean, where: string): void {
  if (link) throw new InputError(`refused ${where}: it is a symbolic link, and the bootstrap writes real files only`, { hint: 'Replace the link with a folder or file, or choose another --out.' });
}
