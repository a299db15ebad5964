import { z } from 'zod';
import { AppSpec, ConflictError, imageTag, VERSION_PATTERN } from '../../domain/index.ts';
import { defineStep, stepOutput } from '../../pipeline/index.ts';
import { AppName } from '../schemas.ts';

/** The image an environment runs: what image:promote starts from. */
export interface RunningImage {
  /** `<repo>/<app>:<tag>@sha256:…` as its manifests pin it. */
  image: string;
  digest: string;
  /** Its tag, `v1.2.0-a3f5c2b-dev`. */
  tag: string;
  /** The source commit it was built from. */
  sourceCommit: string;
  /** The app's spec when it was shipped (port, runtime, command…), for rendering it elsewhere. */
  spec: AppSpec;
}

/** The promoted image: the same digest under the target environment's tag. */
export const PromotedImage = z.object({
  image: z.string(),
  runImage: z.string(),
  digest: z.string(),
  tag: z.string(),
  /** The tag it had in the source environment. */
  fromTag: z.string(),
  sourceSha: z.string(),
  spec: AppSpec,
});

/** The step's id and output, for readers of its stored output. */
export const imagePromoteOutput = stepOutput('image:promote', PromotedImage);

/**
 * Gives the exact image an environment runs the target environment's tag (`v1.2.0-a3f5c2b-prod`):
 * the registry stores the same manifest under the new tag (nothing is built or uploaded again), the
 * OCI layout store gets the tag beside the old one. The digest, and so what runs, stays the same.
 */
export const createPromoteImageStep = ({ running, retag, manifestImage, runImage, tagSuffix }: {
  /** What `env` runs now, from the GitOps history and the run that shipped it; undefined when it runs nothing. */
  running: (app: string, env: string, signal?: AbortSignal) => Promise<RunningImage | undefined>;
  /** Stores the image `digest` (now tagged `fromTag`) under `toTag` as well. */
  retag: (app: string, image: { digest: string; fromTag: string }, toTag: string, signal?: AbortSignal) => Promise<void>;
  manifestImage: (app: string, tag: string, digest: string) => string;
  runImage: (app: string, tag: string, digest: string) => string;
  /** The end of an environment's tags; default its name. */
  tagSuffix?: (env: string) => string;
}) =>
  defineStep({
    ...imagePromoteOutput,
    title: 'Tag the image for the environment',
    input: z.object({ app: AppName, from: z.string(), to: z.string(), version: z.string().regex(VERSION_PATTERN) }),
    summarize: (o) => `${o.fromTag} → ${o.tag} (${o.digest.slice(0, 19)})`,
    run: async (ctx) => {
      const { app, from, to, version } = ctx.input;
      const source = await running(app, from, ctx.signal);
      if (!source) {
        throw new ConflictError(`${app} runs nothing in ${from}, so there is nothing to promote to ${to}`, { hint: `Deploy it to ${from} first (\`slipway create … --env ${from}\`); \`slipway versions ${app} --env ${from}\` lists what ${from} runs.` });
      }
      const tag = imageTag(version, source.sourceCommit, tagSuffix?.(to) ?? to);
      await retag(app, { digest: source.digest, fromTag: source.tag }, tag, ctx.signal);
      return {
        image: manifestImage(app, tag, source.digest), runImage: runImage(app, tag, source.digest),
        digest: source.digest, tag, fromTag: source.tag, sourceSha: source.sourceCommit, spec: source.spec,
      };
    },
  });
