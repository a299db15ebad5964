import { join } from 'node:path';
import type { Logger } from 'pino';
import { CancelledError, ConfigError } from '../../domain/errors.ts';
import type { BuildRequest, BuildResult, ImageBuilder, ImageRegistry } from '../../ports/index.ts';
import { LayoutBaseSource, resolveBase, type BaseImageSource, type ResolvedBase } from './base-image-source.ts';
import { LayoutTarget, RegistryTarget, type ImageTarget } from './image-target.ts';
import { BaseMetadataCache, CachedRegistryBaseSource } from './base-cache.ts';
import { LayerCache } from './layer-cache.ts';
import { parseOciLayoutRef } from '../oci/index.ts';
import { formatPlatform, normalisePlatforms } from './platform.ts';
import { parseImageRef } from '../registry/index.ts';
import { DEFAULT_SOURCE_DATE_EPOCH, collectContextEntries } from './tar-layer.ts';
import { planImages, pushImages } from './publish.ts';
import { isoInstant } from './oci-image.ts';
import type { BuildProgressEvent } from './build-events.ts';

export type { BuildProgressEvent };

export interface SlipwayBuilderOptions {
  /** Needed for registry bases and targets; OCI layouts work without it. */
  registry?: ImageRegistry;
  /** Directory for the layer cache (created when missing). */
  cacheDir: string;
  logger?: Pick<Logger, 'info' | 'debug'>;
  onProgress?(event: BuildProgressEvent): void;
  /** Extra relative paths of the context to leave out of the layer (`.git` and `node_modules/.cache` always are). */
  exclude?: string[];
}

/**
 * Builds app images without a daemon, the way ko and jib do: the base image's layers are reused as
 * they are, the app directory becomes one reproducible layer (cached by its inputs), a new config
 * and manifest are written, and only what the target lacks is uploaded. One layer serves every
 * platform; several platforms give an OCI index under the tag.
 * @example
 * const builder = new SlipwayBuilder({ registry, cacheDir: '/var/cache/slipway' });
 * const result = await builder.build({
 *   contextDir: './app', base: 'registry.lan/base/node:24', platforms: ['linux/arm64'],
 *   target: { kind: 'registry', ref: { registry: 'registry.lan', repository: 'apps/pomodoro', tag: 'v1' } },
 *   workdir: '/app', entrypoint: ['node', 'server.js'], exposedPorts: [8080],
 * });
 */
export class SlipwayBuilder implements ImageBuilder {
  private readonly options: SlipwayBuilderOptions;
  private readonly cache: LayerCache;
  private readonly bases: BaseMetadataCache;

  constructor(options: SlipwayBuilderOptions) {
    this.options = options;
    this.cache = new LayerCache(options.cacheDir);
    this.bases = new BaseMetadataCache(join(options.cacheDir, 'bases'));
  }

  async build(request: BuildRequest, signal?: AbortSignal): Promise<BuildResult> {
    try {
      return await this.buildOnce(request, signal);
    } catch (error) {
      // Streams and requests end with their own AbortError; callers expect one error class for it.
      if (signal?.aborted && !(error instanceof CancelledError)) throw new CancelledError('image build cancelled');
      throw error;
    }
  }

  private async buildOnce(request: BuildRequest, signal?: AbortSignal): Promise<BuildResult> {
    const epoch = request.sourceDateEpoch ?? DEFAULT_SOURCE_DATE_EPOCH;
    const created = isoInstant(epoch);
    const platforms = normalisePlatforms(request.platforms);
    const target = this.target(request);
    const { source, reference } = this.baseSource(request.base);

    checkAborted(signal);
    // Date.now(), not performance.now(): the first use of `performance` loads Node's perf_hooks.
    const listedAt = Date.now();
    const entries = await collectContextEntries(request.contextDir, { workdir: request.workdir, ...(this.options.exclude ? { exclude: this.options.exclude } : {}) });

    // Settled at once: the base may fail (a platform it lacks, a registry error) while the layer is
    // still being packed, and its error is reported when the build gets to it, never left unhandled.
    const resolving = settle(resolveBase(source, reference, platforms, signal).then((base) => {
      this.emit({ type: 'base-resolved', base: source.name, digest: base.digest, platforms: platforms.map(formatPlatform) });
      this.options.logger?.debug({ base: source.name, digest: base.digest }, 'base image resolved');
      return base;
    }));
    // A base resolved before is known from the cache at once: the guess.
    const guessing = source.cachedView ? resolveBase(source.cachedView(), reference, platforms, signal).catch(() => undefined) : Promise.resolve(undefined);
    const layering = (async () => {
      const layer = await this.cache.layer(entries, { mtime: epoch, ...(signal ? { signal } : {}) });
      const durationMs = Date.now() - listedAt;
      this.emit({ type: 'layer-ready', digest: layer.digest, diffId: layer.diffId, size: layer.size, cached: layer.hit, durationMs });
      this.options.logger?.debug({ digest: layer.digest, cached: layer.hit, durationMs }, 'app layer ready');
      return layer;
    })();
    const [layered, guess] = await Promise.all([settle(layering), guessing]);
    // When both fail, the base's error is the one to report (as it would be without the guess).
    const resolved = (): Promise<ResolvedBase> => resolving.then((r) => (r.status === 'fulfilled' ? r.value : Promise.reject(r.reason)));
    if (layered.status === 'rejected') {
      await resolved();
      throw layered.reason;
    }
    const layer = layered.value;

    const push = async (base: ResolvedBase, beforeManifest?: () => Promise<void>) => {
      const plan = planImages(base, layer, request, created);
      const pushed = await pushImages(plan, base, layer, target, {
        emit: (event) => this.emit(event),
        ...(beforeManifest ? { beforeManifest } : {}),
        ...(signal ? { signal } : {}),
      });
      return { base, plan, pushed };
    };
    let outcome: Awaited<ReturnType<typeof push>> | undefined;
    if (guess) {
      // Blobs are checked (and pushed when missing) with the guessed base while the registry is asked
      // which digest the tag names now; no manifest is written before it answers. A moved tag costs
      // a second round with the new base.
      try {
        outcome = await push(guess, async () => {
          if ((await resolved()).digest !== guess.digest) throw new BaseMovedError();
        });
      } catch (error) {
        await resolved();
        if (!(error instanceof BaseMovedError)) throw error;
        this.options.logger?.debug({ base: source.name, was: guess.digest }, 'base tag moved since the last build');
      }
    }
    outcome ??= await push(await resolved());
    const { plan, pushed } = outcome;
    const result: BuildResult = {
      image: target.imageName(pushed.digest),
      digest: pushed.digest,
      platforms: platforms.map(formatPlatform),
      layers: plan.images[0]?.manifest.layers.length ?? 0,
      bytesUploaded: pushed.bytesUploaded,
      blobsSkipped: pushed.blobsSkipped,
    };
    this.options.logger?.info({ image: result.image, bytesUploaded: result.bytesUploaded, blobsSkipped: result.blobsSkipped }, 'image built');
    return result;
  }

  private target(request: BuildRequest): ImageTarget {
    if (request.target.kind === 'oci-layout') return new LayoutTarget(request.target.dir, request.target.tag);
    return new RegistryTarget(this.requireRegistry('push to a registry'), request.target.ref);
  }

  private baseSource(base: string): { source: BaseImageSource; reference: string } {
    const layout = parseOciLayoutRef(base);
    if (layout) return { source: new LayoutBaseSource(layout.dir, layout.reference), reference: layout.reference };
    const ref = parseImageRef(base);
    return { source: new CachedRegistryBaseSource(this.requireRegistry('read the base image'), ref, this.bases), reference: ref.digest ?? ref.tag ?? 'latest' };
  }

  private requireRegistry(why: string): ImageRegistry {
    if (!this.options.registry) {
      throw new ConfigError(`no registry is configured, so Slipway cannot ${why}`, { hint: 'Configure a registry, or use an OCI layout (`oci:<dir>:<tag>`) for the base and the target.' });
    }
    return this.options.registry;
  }

  private emit(event: BuildProgressEvent): void {
    this.options.onProgress?.(event);
  }
}

/** The guessed base is not the one the tag names now. */
class BaseMovedError extends Error {}

function settle<T>(promise: Promise<T>): Promise<PromiseSettledResult<T>> {
  return promise.then((value) => ({ status: 'fulfilled', value }), (reason: unknown) => ({ status: 'rejected', reason }));
}

function checkAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new CancelledError('image build cancelled');
}
