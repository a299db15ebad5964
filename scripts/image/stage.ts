import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, link, lstat, mkdir, readdir, readlink, rm, symlink } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, sep } from 'node:path';
import { promisify } from 'node:util';
import { InputError } from '../../src/domain/errors.ts';

const run = promisify(execFile);

/**
 * What goes into Slipway's image besides its production packages. `src/` (without tests) comes
 * along because the bundle reads a few files by path at run time (the validator's own sources for
 * its cache key, the log stamper a process app starts under), and with it `bin/slipway.cjs` still
 * runs should `dist/cli` be missing.
 */
const TOP_LEVEL = ['bin', 'dist/cli', 'dist/web', 'package.json', 'schemas', 'src', 'templates'];
const TEST_FILE = /\.test(-support)?\.tsx?$|\.test\.cases\.ts$/;

export interface StagedSlipway {
  dir: string;
  /** Production packages copied into node_modules. */
  packages: number;
}

/**
 * Places what Slipway needs at run time into `dir` (emptied first), laid out as in the checkout:
 * the bundled command and web page, bin/, package.json, templates/, schemas/, the sources, and the
 * production packages only — the ones `npm ls --omit=dev` lists, each without its own nested
 * node_modules (listed separately) and without `.bin` links (the image's node is the base's).
 * Works offline: it places what `npm ci` installed, asking no registry. The builder fixes file
 * times and modes, so the same checkout stages to the same layer.
 * @example await stageSlipway('/src/slipway', '/tmp/slipway-stage');
 */
export async function stageSlipway(root: string, dir: string): Promise<StagedSlipway> {
  for (const needed of ['dist/cli/slipway.cjs', 'dist/web/index.html']) {
    if (!existsSync(join(root, needed))) {
      throw new InputError(`${needed} is missing: the image carries the bundled command and web page`, { hint: 'Run `npm run bundle` first (or `npm run image` without --no-bundle).' });
    }
  }
  const packages = await productionPackages(root);
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  for (const path of TOP_LEVEL) await placeTree(join(root, path), join(dir, path), (name) => !TEST_FILE.test(name));
  // Nested packages are listed (and placed) on their own when they are production ones.
  for (const path of packages) await placeTree(join(root, path), join(dir, path), (name) => name !== 'node_modules' && name !== '.bin');
  return { dir, packages: packages.length };
}

/**
 * Places a file or a folder's tree at `to`: files as hard links (the builder only reads them, and
 * linking writes no bytes), copies where the file system cannot link; symbolic links as they are.
 * `keep` is asked about every name below `from`.
 */
async function placeTree(from: string, to: string, keep: (name: string) => boolean): Promise<void> {
  const info = await lstat(from);
  if (info.isDirectory()) {
    await mkdir(to, { recursive: true });
    for (const name of (await readdir(from)).sort()) {
      if (keep(name)) await placeTree(join(from, name), join(to, name), keep);
    }
  } else if (info.isSymbolicLink()) {
    await symlink(await readlink(from), to);
  } else {
    await mkdir(dirname(to), { recursive: true });
    await link(from, to).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'EXDEV' && error.code !== 'EPERM' && error.code !== 'EMLINK') throw error;
      return copyFile(from, to);
    });
  }
}

/** Paths (relative to `root`, e.g. `node_modules/zod`) of the installed production packages, sorted. */
export async function productionPackages(root: string): Promise<string[]> {
  let stdout: string;
  try {
    ({ stdout } = await run('npm', ['ls', '--omit=dev', '--all', '--parseable'], { cwd: root, maxBuffer: 16 * 1024 * 1024 }));
  } catch (error) {
    const detail = ((error as { stderr?: string }).stderr ?? (error as Error).message).trim().split('\n').slice(0, 3).join(' ');
    throw new InputError(`npm ls --omit=dev could not list Slipway's production packages: ${detail}`, { hint: 'Run `npm ci` in the checkout, then try again.' });
  }
  const paths = stdout.split('\n').filter(Boolean).map((line) => relative(root, line)).filter((path) => path !== '');
  for (const path of paths) {
    if (isAbsolute(path) || !path.startsWith(`node_modules${sep}`)) throw new InputError(`npm ls listed ${path}, which is not inside ${root}/node_modules`, { hint: 'Install the packages with `npm ci` rather than by links.' });
  }
  return paths.sort();
}
