import type { Dirent } from 'node:fs';
import { lstat, readdir, readFile, realpath, stat } from 'node:fs/promises';
import { isAbsolute, join, relative, sep } from 'node:path';
import ignoreFiles, { type Ignore } from 'ignore';
import { compareCodeUnits } from '../../domain/compare.ts';
import { InputError, safePathProblem } from '../../domain/index.ts';

/** How much of a folder Slipway ships: enough for a webapp's source, not for its build output or data. */
export interface FolderLimits {
  maxFiles: number;
  maxBytes: number;
}

export const FOLDER_LIMITS: FolderLimits = { maxFiles: 1000, maxBytes: 20 * 1024 * 1024 };

/** One file of the folder: its safe relative POSIX path, its bytes, and whether it is executable. */
export interface FolderFile {
  path: string;
  content: Buffer;
  executable: boolean;
}

export interface FolderContents {
  files: FolderFile[];
  /** Paths left out: node_modules/, .git/ and what .gitignore or .dockerignore excludes. */
  ignored: string[];
}

/** Never shipped: dependencies are installed again, and history is not source. */
const ALWAYS_IGNORED = ['node_modules/', '.git/'];
/** Ignore files read at the folder's root (nested ones are not). */
const IGNORE_FILES = ['.gitignore', '.dockerignore'];

/**
 * Reads a folder on this machine as an app's files, refusing what could leak or harm: paths that
 * are not safe, symbolic links that leave the folder or point at folders, special files (FIFOs,
 * sockets, devices), and more files or bytes than {@link FOLDER_LIMITS}. Files are in path order.
 * @example const { files, ignored } = await readAppFolder('/home/ada/my-app');
 */
export async function readAppFolder(root: string, limits: FolderLimits = FOLDER_LIMITS): Promise<FolderContents> {
  const info = await stat(root).catch(() => undefined);
  if (!info) throw new InputError(`no folder at ${root}`, { hint: 'Give --from the path of a folder holding the app.' });
  if (!info.isDirectory()) throw new InputError(`${root} is not a folder`, { hint: 'Give --from the folder that holds the app, not a file in it.' });
  const reader = new FolderReader(await realpath(root), limits, await ignoreRules(root));
  await reader.walk(root, '');
  if (reader.files.length === 0) throw new InputError(`${root} holds no files to ship`, { hint: 'Check the folder, and that .gitignore or .dockerignore do not exclude everything.' });
  return { files: reader.files, ignored: reader.ignored };
}

async function ignoreRules(root: string): Promise<Ignore> {
  // `ignore` is CommonJS: its factory is both the module and its `default`, which is what types describe.
  const rules = ignoreFiles.default().add(ALWAYS_IGNORED);
  for (const name of IGNORE_FILES) {
    const text = await readFile(join(root, name), 'utf8').catch(() => undefined);
    if (text !== undefined) rules.add(text);
  }
  return rules;
}

class FolderReader {
  readonly files: FolderFile[] = [];
  readonly ignored: string[] = [];
  private bytes = 0;
  private readonly realRoot: string;
  private readonly limits: FolderLimits;
  private readonly rules: Ignore;

  constructor(realRoot: string, limits: FolderLimits, rules: Ignore) {
    this.realRoot = realRoot;
    this.limits = limits;
    this.rules = rules;
  }

  async walk(dir: string, prefix: string): Promise<void> {
    const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) => compareCodeUnits(a.name, b.name));
    for (const entry of entries) {
      const path = prefix + entry.name;
      if (this.rules.ignores(entry.isDirectory() ? `${path}/` : path)) {
        this.ignored.push(entry.isDirectory() ? `${path}/` : path);
        continue;
      }
      const problem = safePathProblem(path);
      if (problem) throw new InputError(`refused ${JSON.stringify(path)}: ${problem}`, { hint: 'Rename it, or list it in .gitignore or .dockerignore.' });
      const full = join(dir, entry.name);
      if (entry.isDirectory()) await this.walk(full, `${path}/`);
      else await this.add(path, full, entry);
    }
  }

  private async add(path: string, full: string, entry: Dirent): Promise<void> {
    const target = entry.isSymbolicLink() ? await this.linkTarget(path, full) : full;
    const info = await lstat(target);
    if (info.isDirectory()) {
      throw new InputError(`refused ${JSON.stringify(path)}: it is a symbolic link to a folder, which Slipway does not follow`, { hint: 'Copy the folder in its place, or list the link in .gitignore.' });
    }
    if (!info.isFile()) {
      throw new InputError(`refused ${JSON.stringify(path)}: it is a ${specialKind(info)}; only regular files and folders can be shipped`, { hint: 'Remove it from the folder, or list it in .gitignore.' });
    }
    if (this.files.length + 1 > this.limits.maxFiles) {
      throw new InputError(`the folder holds more than ${this.limits.maxFiles} files, the limit for an app's source`, { hint: 'Leave out build output and data: list them in .gitignore or .dockerignore.' });
    }
    this.bytes += info.size;
    if (this.bytes > this.limits.maxBytes) {
      throw new InputError(`the folder's files hold more than ${this.limits.maxBytes} bytes (${megabytes(this.limits.maxBytes)}), the limit for an app's source; ${path} passed it`, {
        hint: 'Leave out build output, media and data: list them in .gitignore or .dockerignore.',
      });
    }
    this.files.push({ path, content: await readFile(target), executable: (info.mode & 0o111) !== 0 });
  }

  /** Where a symbolic link points, when that is inside the folder. */
  private async linkTarget(path: string, full: string): Promise<string> {
    const target = await realpath(full).catch(() => undefined);
    if (!target) throw new InputError(`refused ${JSON.stringify(path)}: it is a symbolic link to nothing`, { hint: 'Remove the broken link.' });
    const inside = relative(this.realRoot, target);
    if (inside.split(sep)[0] === '..' || isAbsolute(inside)) {
      throw new InputError(`refused ${JSON.stringify(path)}: it is a symbolic link to ${target}, outside the folder`, { hint: 'Copy the file into the folder instead of linking to it.' });
    }
    return target;
  }
}

function specialKind(info: { isFIFO(): boolean; isSocket(): boolean; isCharacterDevice(): boolean; isBlockDevice(): boolean }): string {
  if (info.isFIFO()) return 'FIFO (named pipe)';
  if (info.isSocket()) return 'socket';
  if (info.isCharacterDevice() || info.isBlockDevice()) return 'device';
  return 'special file';
}

function megabytes(bytes: number): string {
  return `${Math.round(bytes / (1024 * 1024))} MiB`;
}
