import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { CancelledError, ExternalServiceError, InputError } from '../../domain/errors.ts';
import { findInPath } from '../os/index.ts';
import type { BuildRequest, BuildResult, ImageBuilder } from '../../ports/index.ts';
import { normalisePlatforms, formatPlatform } from './platform.ts';
import { DEFAULT_SOURCE_DATE_EPOCH } from './tar-layer.ts';

export interface BuildahBuilderOptions {
  /** PATH to find `buildah` in; also given to buildah (it runs helpers such as runc from it). */
  path: string;
  /** Where digest files go while a build runs. */
  tmpDir: string;
  /** Arguments before the subcommand, e.g. `['--root', dir, '--runroot', dir2, '--storage-driver', 'vfs']`. */
  globalArgs?: string[];
  /** More environment for buildah (HOME, REGISTRY_AUTH_FILE, …); nothing else of Slipway's leaks in. */
  env?: Record<string, string>;
  /** Dockerfile name inside the context. */
  dockerfile?: string;
  logger?: Pick<Logger, 'info' | 'debug'>;
}

/**
 * Builds apps that bring their own Dockerfile with `buildah bud` (chroot isolation, so no daemon and
 * no nested containers) and pushes them with `buildah push`, reading the digest from `--digestfile`.
 * The Dockerfile decides base, entrypoint and env; the request's labels are added, its platform is
 * passed on (one platform: buildah cannot emulate others here).
 * @example
 * const builder = new BuildahBuilder({ path: process.env.PATH ?? '', tmpDir: '/tmp' });
 * await builder.build({ ...request, contextDir: './app-with-dockerfile' });
 */
export class BuildahBuilder implements ImageBuilder {
  private readonly options: BuildahBuilderOptions;

  constructor(options: BuildahBuilderOptions) {
    this.options = options;
  }

  async build(request: BuildRequest, signal?: AbortSignal): Promise<BuildResult> {
    const buildah = findInPath('buildah', this.options.path);
    if (!buildah) {
      throw new ExternalServiceError('buildah', 'buildah is not installed, and this app brings a Dockerfile; install buildah (`apt-get install buildah`) or build it in the cluster', {
        hint: 'Install buildah with `apt-get install buildah`, or let the cluster build Dockerfile apps (build.dockerfile: cluster in slipway.yaml).',
      });
    }
    const dockerfile = join(request.contextDir, this.options.dockerfile ?? 'Dockerfile');
    if (!(await stat(dockerfile).then((s) => s.isFile(), () => false))) throw new InputError(`no Dockerfile at ${dockerfile}`, { hint: 'Add one, or build without it (Slipway then adds the app as one layer onto a base image).' });
    const platforms = normalisePlatforms(request.platforms);
    const platform = platforms[0];
    if (!platform || platforms.length > 1) throw new InputError('Dockerfile builds here make one platform at a time', { hint: 'Ask for one platform, or build the others on a machine of that architecture.' });
    const tls = `--tls-verify=${request.insecure ? 'false' : 'true'}`;
    const epoch = request.sourceDateEpoch ?? DEFAULT_SOURCE_DATE_EPOCH;
    const local = `localhost/slipway-build/${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}:latest`;
    const destination = request.target.kind === 'registry'
      ? `docker://${request.target.ref.registry}/${request.target.ref.repository}:${request.target.ref.tag ?? 'latest'}`
      : `oci:${request.target.dir}:${request.target.tag}`;
    const labels = Object.entries(request.labels ?? {}).sort(([a], [b]) => (a < b ? -1 : 1)).flatMap(([k, v]) => ['--label', `${k}=${v}`]);
    const work = await mkdtemp(join(this.options.tmpDir, 'slipway-buildah-'));
    try {
      await this.buildah(buildah, ['bud', '--isolation', 'chroot', '--timestamp', String(epoch), tls, '--platform', formatPlatform(platform), ...labels, '-f', dockerfile, '-t', local, request.contextDir], signal);
      const inspected = JSON.parse(await this.buildah(buildah, ['inspect', '--type', 'image', local], signal)) as { OCIv1?: { rootfs?: { diff_ids?: string[] } } };
      const digestFile = join(work, 'digest');
      await this.buildah(buildah, ['push', tls, '--digestfile', digestFile, local, destination], signal);
      const digest = (await readFile(digestFile, 'utf8')).trim();
      const image = request.target.kind === 'registry' ? `${request.target.ref.registry}/${request.target.ref.repository}@${digest}` : `oci:${request.target.dir}@${digest}`;
      this.options.logger?.info({ image }, 'image built with buildah');
      // buildah does not report what it uploaded; 0 means "not measured" here.
      return { image, digest, platforms: [formatPlatform(platform)], layers: inspected.OCIv1?.rootfs?.diff_ids?.length ?? 0, bytesUploaded: 0, blobsSkipped: 0 };
    } finally {
      await this.buildah(buildah, ['rmi', '--force', local]).catch(() => undefined);
      await rm(work, { recursive: true, force: true });
    }
  }

  private buildah(binary: string, args: string[], signal?: AbortSignal): Promise<string> {
    const fullArgs = [...(this.options.globalArgs ?? []), ...args];
    this.options.logger?.debug({ args: fullArgs }, 'buildah');
    return new Promise((resolve, reject) => {
      const child = spawn(binary, fullArgs, { env: { PATH: this.options.path, ...(this.options.env ?? {}) }, stdio: ['ignore', 'pipe', 'pipe'], ...(signal ? { signal } : {}) });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      child.stdout.on('data', (c: Buffer) => out.push(c));
      child.stderr.on('data', (c: Buffer) => err.push(c));
      child.on('error', (error) => reject(signal?.aborted ? new CancelledError('image build cancelled') : new ExternalServiceError('buildah', error.message, { cause: error })));
      child.on('close', (code) => {
        if (code === 0) return resolve(Buffer.concat(out).toString('utf8'));
        const tail = Buffer.concat(err).toString('utf8').trim().split('\n').slice(-8).join('\n');
        reject(new ExternalServiceError('buildah', `buildah ${args[0]} failed (exit ${code}): ${tail}`, { hint: 'Check the Dockerfile and that the base image can be pulled from here.' }));
      });
    });
  }
}
