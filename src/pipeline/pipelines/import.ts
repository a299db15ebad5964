import { z } from 'zod';
import type { createAwaitHealthyStep } from '../../steps/app-await/index.ts';
import type { createDeployLocalStep } from '../../steps/app-deploy/index.ts';
import type { createClusterAwaitStep } from '../../steps/cluster-await/index.ts';
import type { createSyncStep } from '../../steps/gitops-sync/index.ts';
import type { createBuildImageStep } from '../../steps/image-build/index.ts';
import type { createCommitManifestsStep } from '../../steps/manifests-commit/index.ts';
import type { createRenderStep } from '../../steps/manifests-render/index.ts';
import type { createCommitSourceStep } from '../../steps/source-commit/index.ts';
import type { createImportStep, createPreviousSourceStep, createVerifyImportStep } from '../../steps/source-import/index.ts';
import { diffText, type createDiffSourceStep } from '../../steps/source-diff/index.ts';
import type { createVersionNextStep } from '../../steps/version-next/index.ts';
import { deliveryEntries, requestedAccess } from './delivery.ts';
import { entry, type PipelineEntry, type PipelineState } from '../define-step.ts';

/**
 * The steps that ship a folder of code. `build` is Slipway's own builder; `buildDockerfile` builds
 * the image from the folder's Dockerfile (the step that runs is chosen by what the folder holds).
 */
export interface ImportSteps {
  version: ReturnType<typeof createVersionNextStep>;
  import: ReturnType<typeof createImportStep>;
  verify: ReturnType<typeof createVerifyImportStep>;
  commitSource: ReturnType<typeof createCommitSourceStep>;
  build: ReturnType<typeof createBuildImageStep>;
  buildDockerfile: ReturnType<typeof createBuildImageStep>;
  render: ReturnType<typeof createRenderStep>;
  commitManifests: ReturnType<typeof createCommitManifestsStep>;
  /** A change's: the running version's files, and how the folder differs from them. */
  previous?: ReturnType<typeof createPreviousSourceStep>;
  diff?: ReturnType<typeof createDiffSourceStep>;
  sync?: ReturnType<typeof createSyncStep>;
  clusterAwait?: ReturnType<typeof createClusterAwaitStep>;
  deploy?: ReturnType<typeof createDeployLocalStep>;
  await?: ReturnType<typeof createAwaitHealthyStep>;
}

/** What a run that ships a folder carries: the app, the folder (an absolute path on this machine), and what the version says. */
export const ImportRequest = z.object({
  app: z.string(),
  from: z.string(),
  description: z.string().optional(),
  request: z.string().optional(),
  bump: z.enum(['major', 'minor', 'patch']).optional(),
  env: z.string().optional(),
});
export type ImportRequest = z.infer<typeof ImportRequest>;

/** What a folder's source commit says it is. */
const ORIGINS = {
  dockerfile: 'Shipped from a folder of code: its Dockerfile builds the image.',
  node: "Shipped from a folder of code: a Node app started by its package.json's start script.",
  static: "Shipped from a folder of code: a static site under public/, served by Slipway's file server.",
} as const;

/**
 * version → read the folder → verify → commit source → build (Slipway's builder, or buildah for a
 * Dockerfile) → render → commit manifests → (sync → cluster await) | (deploy → await). `action`
 * `create` ships a new app as v1.0.0; `change` ships the folder as the app's next version.
 * @example const pipeline = importPipeline(steps, { action: 'create', defaultEnv: 'prod' });
 */
export function importPipeline(steps: ImportSteps, options: { action: 'create' | 'change'; defaultEnv?: string }): PipelineEntry[] {
  const { action } = options;
  const req = (s: PipelineState) => ImportRequest.parse(s.request);
  /** The words the commits carry: a change's request, else the create's description, else the folder. */
  const said = (s: PipelineState) => req(s).request ?? req(s).description ?? `the code in ${req(s).from}`;
  const source = (s: PipelineState) => s.output(steps.verify);
  const versioned = (s: PipelineState) => s.output(steps.version);
  const buildInput = (s: PipelineState) => ({ app: req(s).app, dir: source(s).dir, spec: source(s).spec, sourceSha: s.output(steps.commitSource).sha, ...versioned(s) });
  // Both builders are the step `image:build`: its output is read the same whichever ran.
  const built = (s: PipelineState) => s.output(steps.build);

  const entries: PipelineEntry[] = [
    entry(steps.version, (s) => ({ app: req(s).app, action, env: req(s).env ?? options.defaultEnv ?? 'prod', ...(req(s).bump ? { bump: req(s).bump } : {}) })),
    entry(steps.import, (s) => ({ app: req(s).app, description: said(s), from: req(s).from })),
    entry(steps.verify, (s) => ({ app: req(s).app, source: s.output(steps.import) })),
  ];
  const { previous, diff } = steps;
  const changing = action === 'change' && previous && diff;
  if (changing) {
    entries.push(
      entry(previous, (s) => ({ app: req(s).app })),
      entry(diff, (s) => ({ before: s.output(previous), after: source(s) })),
    );
  }
  entries.push(
    entry(steps.commitSource, (s) => ({
      app: req(s).app, description: said(s), template: source(s).spec.template, dir: source(s).dir, files: source(s).files,
      origin: ORIGINS[s.output(steps.import).kind],
      ...(changing ? { change: { request: said(s), diff: diffText(s.output(diff)) } } : {}),
    })),
    chooseEntry((s) => s.output(steps.import).kind === 'dockerfile', entry(steps.buildDockerfile, buildInput), entry(steps.build, buildInput)),
    entry(steps.render, (s) => ({ spec: source(s).spec, image: built(s).image, env: versioned(s).env, ...requestedAccess(s) })),
    entry(steps.commitManifests, (s) => ({
      app: req(s).app, sourceSha: s.output(steps.commitSource).sha, image: s.output(steps.render).image, files: s.output(steps.render).files,
      ...{ version: versioned(s).version, env: versioned(s).env, action, request: said(s) },
      ...(changing ? { details: diffText(s.output(diff)) } : {}),
    })),
  );
  entries.push(...deliveryEntries(steps, { app: (s) => req(s).app, env: (s) => versioned(s).env, source, runImage: (s) => built(s).runImage }));
  return entries;
}

/**
 * One place in a pipeline filled by one of two steps of the same id and output, chosen when it runs
 * from what earlier steps found (reusing a stored output does not depend on which one made it).
 */
function chooseEntry(useFirst: (state: PipelineState) => boolean, first: PipelineEntry, second: PipelineEntry): PipelineEntry {
  return {
    step: first.step,
    run: (state, context) => (useFirst(state) ? first : second).run(state, context),
    accept: (result) => first.accept(result),
    reuse: (stored) => first.reuse(stored),
  };
}
