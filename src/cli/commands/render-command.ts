import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { gitOpsEngine, gitOpsEngineNames, gitOpsEngineRenders } from '../../adapters/gitops/index.ts';
import { parseImageRef } from '../../adapters/registry/image-ref.ts';
import { loadConfig } from '../../config/load.ts';
import { assertAppName } from '../../domain/app-name.ts';
import type { AppSpec } from '../../domain/app-spec.ts';
import { InputError } from '../../domain/errors.ts';
import { assertSafeRelativePath } from '../../domain/safe-path.ts';
import { appPaths, CrdSchemas, renderAppChecked, renderParentKustomization, renderSettingsFrom, type RenderedFile } from '../../render/index.ts';
import { printJson, reportError } from '../output.ts';
import { checkRenderTarget } from './render-target.ts';

export interface RenderOptions {
  /** The app's name (a DNS-1123 label, as `--name` of create). */
  name: string;
  /** The image to run, pinned by digest: `registry/repo:tag@sha256:…`. */
  image: string;
  /** What applies the manifests, an engine of the registry: flux or argocd (checked); default: `engine` of slipway.yaml (flux). */
  engine?: string;
  /** Directory to write into, laid out like the GitOps repo (a checkout of it, or an empty folder). */
  out: string;
  json?: boolean;
}

/** A leading Flux variable such as `${REGISTRY_URL}` stands for a registry host (see image.repository). */
const LEADING_VARIABLE = /^\$\{[A-Za-z_][A-Za-z0-9_]*\}(?=\/)/;

/**
 * `slipway render --name <app> --image <ref@digest> [--engine flux|argocd] --out <dir> [--json]`:
 * renders the manifests of a Node app listening on 8080 with the settings of slipway.yaml, validates
 * every object against the upstream schemas, and writes the files under `--out` at their GitOps
 * repo paths: the app's folder is replaced as a deploy replaces it, and the parent
 * `kustomization.yaml` is updated (other entries kept). Prints the paths, or JSON
 * `{ app, engine, out, files }`. Exit 0, or 2 for a bad name, image or setting.
 * @example await renderCommand({ name: 'notes', image: 'registry.lan/apps/notes:1.0@sha256:…', out: './gitops' }) // 0
 */
export async function renderCommand(opts: RenderOptions): Promise<number> {
  try {
    const app = assertAppName(opts.name);
    const image = checkImage(opts.image);
    const engine = checkEngine(opts.engine);
    if (typeof opts.out !== 'string' || opts.out.trim() === '') {
      throw new InputError('--out is required', { hint: 'Name the directory to write into, e.g. --out ./gitops (a checkout of the GitOps repo).' });
    }
    const config = loadConfig({ env: process.env, cwd: process.cwd(), homedir: homedir() });
    const settings = renderSettingsFrom(config, { engines: gitOpsEngineRenders(), engine: engine ?? config.engine });
    const { files: rendered } = renderAppChecked(defaultSpec(app), { image }, settings, { crds: new CrdSchemas({ cacheDir: join(config.cache, 'validators') }) });

    const out = resolve(opts.out);
    const paths = appPaths(app, settings);
    const parentPath = assertSafeRelativePath(paths.parent);
    // Every path is checked before the first is touched: a refusal leaves --out as it was.
    const targets = [...rendered.map((f) => assertSafeRelativePath(f.path)), parentPath];
    await checkRenderTarget(out, { files: targets, replaced: assertSafeRelativePath(paths.dir), top: paths.dir.split('/')[0]! });
    const written: RenderedFile[] = [];
    try {
      // As a deploy does: the app's folder is replaced whole, so no file of an earlier render (another engine) lingers.
      await rm(join(out, paths.dir), { recursive: true, force: true });
      const parent: RenderedFile = {
        path: paths.parent,
        content: renderParentKustomization(await readIfExists(join(out, parentPath)), { add: app }, settings),
      };
      for (const file of [...rendered, parent]) {
        const target = join(out, file.path);
        await mkdir(dirname(target), { recursive: true });
        await writeFile(target, file.content);
        written.push(file);
      }
    } catch (error) {
      throw writeError(error, out);
    }
    const listed = written.map((f) => f.path);
    if (opts.json) printJson({ app, engine: settings.engine.name, out, files: listed });
    else process.stdout.write(`Rendered ${app} for ${gitOpsEngine(settings.engine.name).title} into ${out}\n${listed.map((p) => `  ${p}\n`).join('')}`);
    return 0;
  } catch (error) {
    return reportError(error, Boolean(opts.json));
  }
}

/**
 * The app the command renders: a Node app on port 8080 with nothing to keep. The template fields are
 * required by AppSpec but no renderer reads them.
 */
function defaultSpec(name: string): AppSpec {
  return { name, description: '', template: 'node', templateVersion: '0.0.0', runtime: 'node', port: 8080, persistent: false, command: ['node', 'server.js'] };
}

/** The image as given, once the registry's parser accepts it and it is pinned by digest. */
function checkImage(image: string): string {
  if (typeof image !== 'string' || image.trim() === '') {
    throw new InputError('--image is required', { hint: 'Pass the reference the build printed, e.g. --image registry.lan/apps/notes:1.0@sha256:<digest>.' });
  }
  // `${REGISTRY_URL}/…` is kept for Flux to substitute; the rest must still be a reference.
  const ref = parseImageRef(image.replace(LEADING_VARIABLE, 'registry.invalid'));
  if (ref.digest === undefined) {
    throw new InputError(`--image ${image} is not pinned by digest`, {
      hint: 'Manifests pin what runs: pass repo:tag@sha256:<digest>, as `slipway build --json` prints it.',
    });
  }
  return image;
}

function checkEngine(engine: string | undefined): string | undefined {
  if (engine === undefined) return undefined;
  if (!gitOpsEngineNames().includes(engine)) throw new InputError(`--engine must be ${gitOpsEngineNames().join(' or ')}, not '${engine}'`);
  return engine;
}

/** A file system refusal while writing, said as what to fix; other errors stay as they are. */
function writeError(error: unknown, out: string): unknown {
  const { code, path } = error as NodeJS.ErrnoException;
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS' || code === 'ENOSPC' || code === 'ENOTDIR' || code === 'EISDIR') {
    return new InputError(`cannot write ${path ?? 'under ' + out}: ${code}`, { hint: 'Choose a folder you may write in (--out), or fix its permissions or free space.', cause: error });
  }
  return error;
}

async function readIfExists(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}
