import { z } from 'zod';
import { AppSpec, imageTag, VERSION_PATTERN } from '../../domain/index.ts';
import { defineStep } from '../../pipeline/index.ts';
import type { BuildRequest, ImageBuilder, Platform } from '../../ports/index.ts';
import { AppName } from '../schemas.ts';

/** Where an app's image goes and what it is called, decided by configuration. */
export interface ImagePlan {
  /** The base image reference (may assemble one on first use). */
  base(signal?: AbortSignal): Promise<string>;
  platforms: Platform[];
  target(app: string, tag: string): BuildRequest['target'];
  /** Name written into manifests: `<repository>/<app>:<tag>@<digest>`. */
  manifestImage(app: string, tag: string, digest: string): string;
  /** Reference a local runtime can pull the image from. */
  runImage(app: string, tag: string, digest: string): string;
  /** Drops the app's images where Slipway keeps them itself (the local OCI layout); returns the tags removed. */
  forget?(app: string): Promise<string[]>;
}

export const BuiltImage = z.object({
  image: z.string(),
  runImage: z.string(),
  digest: z.string(),
  tag: z.string(),
  base: z.string(),
  platforms: z.array(z.string()),
  layers: z.number(),
  bytesUploaded: z.number(),
  blobsSkipped: z.number(),
  /** npm dependencies installed into the image. */
  dependencies: z.array(z.string()).default([]),
});

/**
 * Builds the app's image without a daemon and publishes it (registry or OCI layout), tagged with the
 * version, the source commit and the environment (`v1.1.0-a3f5c2b-prod`). Identical source gives the identical digest, and nothing already there is uploaded.
 */
export const createBuildImageStep = ({ builder, images, sourceUrl, prepare, tagSuffix }: {
  builder: ImageBuilder;
  images: ImagePlan;
  sourceUrl: string;
  /** The end of an environment's tags (`environments.<env>.tagSuffix`); default the environment's name. */
  tagSuffix?: (env: string) => string;
  /** Readies the build context (installs npm dependencies); default: the source directory as it is. */
  prepare?: (dir: string, signal?: AbortSignal) => Promise<{ dir: string; dependencies: string[]; cleanup(): Promise<void> }>;
}) =>
  defineStep({
    id: 'image:build',
    title: 'Build and push the image',
    input: z.object({ app: AppName, dir: z.string(), spec: AppSpec, sourceSha: z.string().regex(/^[0-9a-f]{40}$/), version: z.string().regex(VERSION_PATTERN), env: z.string() }),
    output: BuiltImage,
    summarize: (o) => `${o.digest.slice(0, 19)} (${sizeInWords(o.bytesUploaded)} uploaded, ${o.blobsSkipped} blobs skipped)`,
    run: async (ctx) => {
      const { app, spec, sourceSha } = ctx.input;
      const tag = imageTag(ctx.input.version, sourceSha, tagSuffix?.(ctx.input.env) ?? ctx.input.env);
      const base = await images.base(ctx.signal);
      const context = prepare ? await prepare(ctx.input.dir, ctx.signal) : { dir: ctx.input.dir, dependencies: [], cleanup: async () => {} };
      const result = await builder.build(
        {
          contextDir: context.dir,
          target: images.target(app, tag),
          base,
          platforms: images.platforms,
          workdir: '/app',
          entrypoint: spec.command,
          env: { PORT: String(spec.port), NODE_ENV: 'production', ...(spec.persistent ? { DATA_DIR: '/data' } : {}) },
          exposedPorts: [spec.port],
          user: '1000:1000',
          labels: {
            'org.opencontainers.image.title': app,
            'org.opencontainers.image.source': sourceUrl,
            'org.opencontainers.image.revision': sourceSha,
          },
          // The source commit holds the app in its own folder (see source:commit).
          source: { app, runId: ctx.runId, url: sourceUrl, commit: sourceSha, path: app },
          onLog: (line) => ctx.logger.info(line),
        },
        ctx.signal,
      ).finally(() => context.cleanup());
      return {
        image: images.manifestImage(app, tag, result.digest),
        runImage: images.runImage(app, tag, result.digest),
        digest: result.digest, tag, base, platforms: result.platforms, layers: result.layers,
        bytesUploaded: result.bytesUploaded, blobsSkipped: result.blobsSkipped, dependencies: context.dependencies,
      };
    },
  });

/** `48027875` → `45.8 MiB`, as people read sizes. */
export function sizeInWords(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
}
