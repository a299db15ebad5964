import { constants } from 'node:fs';
import { access, lstat, readdir, readlink, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { InputError } from '../../domain/errors.ts';

const HINT = 'render writes real folders and files under --out and follows no symbolic link: replace the link or file with a folder, or choose another --out.';

/**
 * Checks, before anything is written, that `render` can write `files` (relative paths) under `out`
 * and replace the folder `replaced` without leaving it: `out` is a directory (or can become one),
 * a non-empty `out` looks like a GitOps checkout, no part of a written path is a symbolic link or a
 * file where a folder must be, and the folders to write in are writable.
 * @example await checkRenderTarget('/tmp/gitops', { files: ['kubernetes/apps/dynamic/kustomization.yaml'], replaced: 'kubernetes/apps/dynamic/notes', top: 'kubernetes' });
 */
export async function checkRenderTarget(out: string, plan: { files: readonly string[]; replaced: string; top: string }): Promise<void> {
  const outStat = await stat(out).catch(missing);
  if (outStat && !outStat.isDirectory()) throw new InputError(`--out ${out} is a file, not a directory`, { hint: 'Name a directory: a checkout of the GitOps repo, or a new or empty folder.' });
  if (!outStat) await checkCanCreate(out);
  else {
    const names = await readdir(out);
    // A folder of something else (a home, a project) would get a kubernetes/ tree dropped into it.
    if (names.length > 0 && !names.includes('.git') && !names.includes(plan.top)) {
      throw new InputError(`--out ${out} is not empty and does not look like a GitOps repo (no .git and no ${plan.top}/ in it)`, {
        hint: 'Pass a checkout of the GitOps repo, or a new or empty folder.',
      });
    }
  }
  const writable = new Set<string>();
  for (const file of [...plan.files, plan.replaced]) {
    const segments = file.split('/');
    let current = out;
    let deepest = out;
    for (const [index, segment] of segments.entries()) {
      current = join(current, segment);
      const path = segments.slice(0, index + 1).join('/');
      // The replaced folder is removed first, so whatever lies inside it now is never written through.
      const insideReplaced = path.startsWith(`${plan.replaced}/`);
      if (insideReplaced) break;
      const last = index === segments.length - 1 && file !== plan.replaced;
      const kind = await kindOf(current);
      if (kind === 'missing') break;
      if (kind === 'link') throw new InputError(`refused ${current}: it is a symbolic link (to ${await readlink(current)}); render writes ${file} through it`, { hint: HINT });
      if (last && kind !== 'file') throw new InputError(`refused ${current}: render writes a file there, and it is ${kind === 'dir' ? 'a directory' : 'not a regular file'}`, { hint: HINT });
      if (!last && kind !== 'dir') throw new InputError(`refused ${current}: render needs a folder there to write ${file}, and it is ${kind === 'file' ? 'a file' : 'not a directory'}`, { hint: HINT });
      if (!last) deepest = current;
    }
    writable.add(deepest);
  }
  if (outStat) for (const dir of writable) await checkWritable(dir);
}

type Kind = 'missing' | 'file' | 'dir' | 'link' | 'other';

async function kindOf(path: string): Promise<Kind> {
  const s = await lstat(path).catch(missing);
  if (!s) return 'missing';
  if (s.isSymbolicLink()) return 'link';
  if (s.isDirectory()) return 'dir';
  return s.isFile() ? 'file' : 'other';
}

function missing(error: NodeJS.ErrnoException): undefined {
  if (error.code === 'ENOENT') return undefined;
  if (error.code === 'ENOTDIR') throw new InputError(`--out: a part of ${error.path ?? 'the path'} is a file, not a directory`, { hint: 'Name a directory: a checkout of the GitOps repo, or a new or empty folder.' });
  if (error.code === 'EACCES') throw new InputError(`--out: ${error.path ?? 'a folder on the way'} may not be read by this user`, { hint: 'Choose a folder you may read and write.' });
  throw error;
}

/** `out` does not exist: the nearest folder above it that does must be a writable directory. */
async function checkCanCreate(out: string): Promise<void> {
  let parent = dirname(out);
  for (;;) {
    const s = await stat(parent).catch(missing);
    if (s) {
      if (!s.isDirectory()) throw new InputError(`--out ${out} cannot be created: ${parent} is a file, not a directory`, { hint: 'Name a directory: a checkout of the GitOps repo, or a new or empty folder.' });
      return checkWritable(parent);
    }
    if (dirname(parent) === parent) return;
    parent = dirname(parent);
  }
}

async function checkWritable(dir: string): Promise<void> {
  try {
    await access(dir, constants.W_OK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new InputError(`--out: cannot write in ${dir} (${code === 'EROFS' ? 'a read-only file system' : 'read-only for this user'})`, { hint: 'Choose a folder you may write in, or make it writable.' });
  }
}
