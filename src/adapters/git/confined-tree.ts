import { lstat, mkdir, readdir, readFile, rm, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { InputError, assertSafeRelativePath } from '../../domain/index.ts';
import type { RepoTree } from '../../ports/index.ts';

/**
 * A RepoTree over a work tree directory that cannot be escaped: every path is checked
 * (relative, no `..`, no `.git`, no control characters), and no symbolic link is ever followed —
 * a link in the middle of a path is refused, a link at the end is read as absent and replaced on write.
 * @example const tree = new ConfinedTree('/cache/abc'); await tree.write('apps/x/app.yaml', 'kind: X\n');
 */
export class ConfinedTree implements RepoTree {
  readonly #root: string;

  constructor(root: string) {
    this.#root = root;
  }

  async read(path: string): Promise<string | undefined> {
    const full = await this.#resolve(path);
    const kind = await kindOf(full);
    if (kind === 'dir') throw new InputError(`cannot read ${JSON.stringify(path)}: it is a directory`);
    if (kind !== 'file') return undefined;
    return readFile(full, 'utf8');
  }

  async write(path: string, content: string | Uint8Array): Promise<void> {
    const relative = assertSafeRelativePath(path);
    const segments = relative.split('/');
    let dir = this.#root;
    for (const segment of segments.slice(0, -1)) {
      dir = join(dir, segment);
      const kind = await kindOf(dir);
      if (kind === 'missing') await mkdir(dir);
      else if (kind !== 'dir') {
        const what = kind === 'link' ? 'a symbolic link' : 'not a directory';
        throw new InputError(`cannot write ${JSON.stringify(path)}: ${JSON.stringify(segment)} is ${what} in the repository`);
      }
    }
    const full = join(dir, segments.at(-1)!);
    const kind = await kindOf(full);
    if (kind === 'dir') throw new InputError(`cannot write ${JSON.stringify(path)}: it is a directory in the repository`);
    // Writing through a link would change a file outside the tree; replace the link instead.
    if (kind === 'link' || kind === 'other') await unlink(full);
    await writeFile(full, content);
  }

  async remove(path: string): Promise<void> {
    const full = await this.#resolve(path);
    // rm does not follow a link given as the path itself: it removes the link.
    await rm(full, { recursive: true, force: true });
  }

  async list(dir: string): Promise<string[]> {
    const full = dir === '' || dir === '.' ? this.#root : await this.#resolve(dir);
    if ((await kindOf(full)) !== 'dir') return [];
    const names = await readdir(full);
    return names.filter((n) => n !== '.git').sort();
  }

  /** Checks the path and that no directory on the way to it is a symbolic link; returns the full path. */
  async #resolve(path: string): Promise<string> {
    const segments = assertSafeRelativePath(path).split('/');
    let current = this.#root;
    for (const segment of segments.slice(0, -1)) {
      current = join(current, segment);
      const kind = await kindOf(current);
      if (kind === 'link') throw new InputError(`refused path ${JSON.stringify(path)}: ${JSON.stringify(segment)} is a symbolic link`);
      if (kind !== 'dir') break;
    }
    return join(this.#root, ...segments);
  }
}

type Kind = 'missing' | 'file' | 'dir' | 'link' | 'other';

async function kindOf(path: string): Promise<Kind> {
  try {
    const s = await lstat(path);
    if (s.isSymbolicLink()) return 'link';
    if (s.isDirectory()) return 'dir';
    return s.isFile() ? 'file' : 'other';
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return 'missing';
    throw error;
  }
}
