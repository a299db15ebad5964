import { readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { BuildahBuilder } from '../adapters/image-builder/buildah-builder.ts';
import type { ResolvedConfig } from '../config/index.ts';
import { importPipeline, type ImportSteps, type PipelineEntry } from '../pipeline/index.ts';
import type { AppRuntime, GitRepo, ImageBuilder, ImageRegistry, Sandbox } from '../ports/index.ts';
import { buildsInCluster, clusterDockerfileBuilder } from './cluster-build.ts';
import { createBuildImageStep, type ImagePlan } from '../steps/image-build/index.ts';
import { createImportStep, createPreviousSourceStep, createVerifyImportStep, importFolder, type StaticServer } from '../steps/source-import/index.ts';
import { createDiffSourceStep } from '../steps/source-diff/index.ts';
import { GitDirDiffer } from '../adapters/git/index.ts';
import { DEFAULT_ENV } from './versions.ts';
import { PARTS_FOLDER } from '../adapters/generator/template-parts.ts';

/** The steps a folder's pipelines share with a generated app's: version, commits, render, deploy. */
export type SharedSteps = Omit<ImportSteps, 'import' | 'verify' | 'buildDockerfile'>;

export interface FolderParts {
  config: ResolvedConfig;
  /** Where Slipway's templates are: a static site is served by the static-site template's server. */
  templatesDir: string;
  /** The local runtime (absent on the cluster target, where images always run). */
  runtime: AppRuntime | undefined;
  /** PATH for buildah and the programs it runs. */
  path: string;
  /** The user's home: buildah finds registry logins there (~/.docker/config.json) unless slipway.yaml names a file. */
  home: string;
  /** The process environment (KUBECONFIG, the in-cluster service address), for builds in the cluster. */
  vars: Record<string, string | undefined>;
  /** The registry client, for the digest a build in the cluster pushed. */
  registry: () => Pick<ImageRegistry, 'headManifest' | 'getManifest'>;
}

/** Whether what runs the apps runs their images (podman, the cluster) rather than their files as a Node process. */
function runsImages(parts: FolderParts): boolean {
  return parts.config.target === 'cluster' || (parts.runtime !== undefined && parts.runtime.name !== 'process');
}

/** The static-site template's server.js is this one part, included whole. */
function staticServer(templatesDir: string): StaticServer {
  return { 'server.js': readFileSync(join(templatesDir, PARTS_FOLDER, 'static-server.js'), 'utf8') };
}

/** What `--from <dir>` is checked with before a run is queued: the folder must be an app that can run here. */
export function folderInspector(parts: FolderParts): (dir: string) => Promise<void> {
  return async (dir) => {
    await importFolder(dir, { app: 'app', description: '', staticServer: staticServer(parts.templatesDir), runsImages: runsImages(parts) });
  };
}

/**
 * Builds a Dockerfile's image in the cluster (a BuildKit Job, see cluster-build.ts) when slipway.yaml
 * says so, else with buildah on this machine.
 */
function dockerfileBuilder(parts: FolderParts, workDir: string): ImageBuilder {
  return buildsInCluster(parts.config) ? clusterDockerfileBuilder(parts.config, parts.vars, parts.registry) : buildahBuilder(parts, workDir);
}

/**
 * Builds a Dockerfile's image with buildah in Slipway's own storage (under the cache), so nothing is
 * left in the machine's image store; pushes like Slipway's builder does, to the registry or the OCI layout.
 */
function buildahBuilder(parts: FolderParts, workDir: string): ImageBuilder {
  const { config } = parts;
  const storage = join(config.cache, 'buildah');
  const buildah = new BuildahBuilder({
    path: parts.path, tmpDir: workDir,
    globalArgs: ['--root', join(storage, 'storage'), '--runroot', join(storage, 'run'), '--storage-driver', 'vfs'],
    env: { HOME: parts.home, ...(config.registry.dockerConfig ? { REGISTRY_AUTH_FILE: config.registry.dockerConfig } : {}) },
  });
  return {
    build: async (request, signal) => {
      await mkdir(workDir, { recursive: true });
      return buildah.build({ ...request, insecure: config.registry.insecure }, signal);
    },
  };
}

/**
 * The pipelines of `slipway create --from <dir>` and `slipway change <app> --from <dir>`: the
 * folder's own steps (read, verify, a buildah build for a Dockerfile) with the shared ones.
 */
export function folderPipelines(parts: FolderParts, shared: SharedSteps, deps: { sandbox: Sandbox; images: ImagePlan; sourceRepo: GitRepo & { displayUrl: string }; workspace: string }): Record<'create' | 'change', PipelineEntry[]> {
  const steps: ImportSteps = {
    ...shared,
    import: createImportStep({ workspace: deps.workspace, staticServer: staticServer(parts.templatesDir), runsImages: runsImages(parts) }),
    verify: createVerifyImportStep({ sandbox: deps.sandbox }),
    buildDockerfile: createBuildImageStep({ builder: dockerfileBuilder(parts, join(deps.workspace, 'buildah')), images: deps.images, sourceUrl: deps.sourceRepo.displayUrl }),
    previous: createPreviousSourceStep({ repo: deps.sourceRepo, workspace: deps.workspace }),
    diff: createDiffSourceStep({ differ: new GitDirDiffer({ path: parts.path }) }),
  };
  return {
    create: importPipeline(steps, { action: 'create', defaultEnv: DEFAULT_ENV }),
    change: importPipeline(steps, { action: 'change', defaultEnv: DEFAULT_ENV }),
  };
}
