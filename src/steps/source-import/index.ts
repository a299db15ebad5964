import { chmod } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { compareCodeUnits } from '../../domain/compare.ts';
import { InputError } from '../../domain/index.ts';
import { writeRepoFiles } from '../source-read/index.ts';
import { defineStep, stepOutput } from '../../pipeline/index.ts';
import { AppName, GeneratedSource } from '../schemas.ts';
import { FOLDER_LIMITS, readAppFolder, type FolderFile, type FolderLimits } from './folder-reader.ts';
import { inferApp, type ImportedApp, type StaticServer } from './infer-app.ts';
import { ImportedSource } from './imported-source.ts';

export { FOLDER_LIMITS, readAppFolder, type FolderFile, type FolderLimits } from './folder-reader.ts';
export { inferApp, type ImportedApp, type SourceKind, type StaticServer } from './infer-app.ts';
export { createVerifyImportStep } from './verify-import.ts';
export { ImportedSource } from './imported-source.ts';
export { createPreviousSourceStep } from './previous-source.ts';

/** The step's id and output, for readers of its stored output. */
export const importOutput = stepOutput('source:import', ImportedSource);

export interface ImportStepOptions {
  workspace: string;
  /** Slipway's static file server, for folders that are a static site. */
  staticServer: StaticServer;
  /** Whether the app's image is what runs (podman, the cluster); without it a Dockerfile cannot be honoured. */
  runsImages: boolean;
  limits?: FolderLimits;
}

/**
 * Reads a folder on this machine (see {@link readAppFolder}), tells what app it holds (see
 * {@link inferApp}) and writes its files to the run's workspace (`<workspace>/<runId>/source`).
 */
export const createImportStep = ({ workspace, staticServer, runsImages, limits = FOLDER_LIMITS }: ImportStepOptions) =>
  defineStep({
    ...importOutput,
    title: 'Read the folder',
    input: z.object({ app: AppName, description: z.string(), from: z.string() }),
    summarize: (o) => `${o.kind === 'dockerfile' ? 'a Dockerfile app' : o.kind === 'node' ? 'a Node app' : 'a static site'}, ${o.files.length} files${o.ignored > 0 ? ` (${o.ignored} ignored)` : ''}`,
    run: async (ctx) => {
      const { app, description, from } = ctx.input;
      const { imported, ignored } = await importFolder(from, { app, description, staticServer, runsImages, limits });
      const dir = join(workspace, ctx.runId, 'source');
      const files = await writeFolderFiles(dir, imported.files);
      ctx.logger.info({ from, kind: imported.kind, files: files.length, ignored: ignored.length }, 'folder read');
      return { dir, spec: imported.spec, files, kind: imported.kind, ignored: ignored.length };
    },
  });

/**
 * Reads a folder as an app (see {@link readAppFolder} and {@link inferApp}), refusing a Dockerfile
 * where images do not run: what the import step does, and what a command checks before it queues a run.
 */
export async function importFolder(from: string, options: Omit<ImportStepOptions, 'workspace'> & { app: string; description: string }): Promise<{ imported: ImportedApp; ignored: string[] }> {
  const folder = await readAppFolder(from, options.limits ?? FOLDER_LIMITS);
  const imported = inferApp(folder.files, { name: options.app, description: options.description }, options.staticServer);
  if (imported.kind === 'dockerfile' && !options.runsImages) {
    throw new InputError('this folder brings a Dockerfile, but apps here run as Node processes, not from their image', {
      hint: 'Install podman (local.runtime: podman), deploy to the cluster, or remove the Dockerfile to let Slipway build the app.',
    });
  }
  return { imported, ignored: folder.ignored };
}

/** Writes the files into a fresh `dir`, keeping the executable bit, and returns their digests in path order. */
async function writeFolderFiles(dir: string, files: FolderFile[]): Promise<GeneratedSource['files']> {
  const digests = await writeRepoFiles(dir, files.map((f) => ({ path: f.path, bytes: f.content })));
  for (const file of files) if (file.executable) await chmod(join(dir, file.path), 0o755);
  return digests.sort((a, b) => compareCodeUnits(a.path, b.path));
}
