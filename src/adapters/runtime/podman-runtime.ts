import { spawn } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { appNameProblem, CancelledError, ExternalServiceError, InputError } from '../../domain/index.ts';
import type { AppRuntime, LogOptions, RunningApp, StartRequest } from '../../ports/index.ts';
import { findInPath, freePort } from '../os/index.ts';
import { canonicalJson, MediaType, OciLayoutStore, parseOciLayoutRef, REF_NAME_ANNOTATION } from '../oci/index.ts';
import { formatImageRef, parseImageRef } from '../registry/index.ts';
import { commandLines } from './command-lines.ts';
import { publishedAddress, type PortMap } from './published-address.ts';
import { HOME_LABEL, homeId } from './home-id.ts';

export interface PodmanRuntimeOptions {
  /** Root for `data/<app>` (persistent apps' `/data`) and short-lived staging under `run/`. */
  home: string;
  /** Address the apps' ports are published on and reached at. */
  host: string;
  /** Name or path of the podman executable. */
  podmanBinary?: string;
  /** PATH to find podman in; also given to podman (it runs conmon and runc from it). */
  path?: string;
  /** More environment for podman (HOME, XDG_RUNTIME_DIR for rootless podman, REGISTRY_AUTH_FILE); nothing else of Slipway's leaks in. */
  env?: Record<string, string>;
  /** Registries (host[:port]) pulled from over plain HTTP or with unverified TLS. */
  insecureRegistries?: string[];
  /** Run an init process as PID 1 (podman's catatonit), so the app gets SIGTERM and stops promptly. Default true. */
  init?: boolean;
}

const SYSTEM_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
const PULL_TIMEOUT_MS = 10 * 60_000;
const CALL_TIMEOUT_MS = 60_000;
const STOP_SECONDS = 10;
const RESERVED_ENV = new Set(['PORT', 'DATA_DIR']);

/**
 * Runs each app's image as a podman container named `slipway-<home id>-<app>` and labelled
 * `io.slipway.home=<home id>` (see home-id.ts), so homes sharing a machine keep apart: read-only root, no
 * capabilities, no privilege gain, a tmpfs `/tmp`, the app's port published on `host` at a free
 * port, and `<home>/data/<app>` as `/data` for persistent apps (owned by the image's user via `:U`).
 * Images come from an OCI layout (`oci:<dir>:<tag>` or `oci:<dir>@sha256:…`) or a registry.
 * @example
 * const runtime = new PodmanRuntime({ home: '/var/lib/slipway', host: '127.0.0.1' });
 * const { url } = await runtime.start({ app: 'pomodoro', dir, spec, image: 'oci:/var/lib/slipway/images@sha256:…' });
 */
export class PodmanRuntime implements AppRuntime {
  readonly name = 'podman';
  private readonly options: PodmanRuntimeOptions;

  constructor(options: PodmanRuntimeOptions) {
    this.options = options;
  }

  async start(request: StartRequest, signal?: AbortSignal): Promise<RunningApp> {
    const { app, spec } = request;
    checkApp(app);
    if (!request.image) {
      throw new InputError(`the podman runtime runs images, and no image was given for ${app}`, { hint: 'Build the app into an image first (an OCI layout or a registry), or use the process runtime.' });
    }
    const imageId = await this.pull(app, request.image, signal);
    const previous = await this.current(app);
    await this.stop(app);
    const port = await freePort(this.options.host);
    const data = join(this.options.home, 'data', app);
    if (spec.persistent) await mkdir(data, { recursive: true });
    // The app's settings and secrets reach the container as `--env NAME`: podman copies the value from
    // its own environment, so no value is on a command line that `ps` shows.
    const handed = withoutReserved(request.env ?? {});
    const shadowed = Object.keys(handed).filter((key) => key === 'PATH' || key in (this.options.env ?? {}));
    if (shadowed.length > 0) throw new InputError(`${app}'s environment names ${shadowed.join(', ')}, which podman itself needs`, { hint: 'Rename the setting or secret.' });
    const fixed: Record<string, string> = { PORT: String(spec.port), DATA_DIR: '/data' };
    const args = [
      'run', '--detach', '--name', this.container(app),
      '--label', `slipway.app=${app}`, '--label', `slipway.image=${request.image}`, '--label', `${HOME_LABEL}=${homeId(this.options.home)}`,
      '--publish', `${urlHost(this.options.host)}:${port}:${spec.port}`,
      ...Object.keys(fixed).sort().flatMap((key) => ['--env', `${key}=${fixed[key]}`]),
      ...Object.keys(handed).sort().flatMap((key) => ['--env', key]),
      // `U` hands the directory to the image's user (uid 1000 by default), rootless or not.
      ...(spec.persistent ? ['--volume', `${data}:/data:Z,U`] : ['--tmpfs', '/data:rw,mode=1777']),
      '--read-only', '--tmpfs', '/tmp:rw,mode=1777', '--cap-drop', 'ALL', '--security-opt', 'no-new-privileges',
      ...(this.options.init === false ? [] : ['--init']),
      '--stop-timeout', String(STOP_SECONDS),
      imageId,
    ];
    const out = await this.podman(args, { hint: 'Run `podman info` to check podman; on hosts where crun fails, set runtime = "runc" in containers.conf.', signal, env: handed });
    const container = out.trim().split('\n').at(-1) ?? '';
    if (previous && previous.imageId !== imageId) await this.removeImage(app, previous);
    return { url: `http://${urlHost(this.options.host)}:${port}/`, handle: { container: this.container(app), id: container, port, image: request.image, imageId } };
  }

  /** Stops this home's container for the app, and the one `handle` (the app's record) names when that is another (see {@link earlierContainer}). */
  async stop(app: string, handle?: Record<string, unknown>): Promise<void> {
    checkApp(app);
    const containers = [this.container(app), ...earlierContainer(handle, this.container(app))];
    await this.podman(['rm', '--force', '--ignore', '--time', String(STOP_SECONDS), ...containers], { timeoutMs: (STOP_SECONDS + 30) * 1000 });
  }

  /** Stops the app and drops its image from podman's store (best effort); its data directory is kept. */
  async forget(app: string, handle?: Record<string, unknown>): Promise<void> {
    const previous = await this.current(app);
    await this.stop(app, handle);
    if (previous) await this.removeImage(app, previous);
    await this.podman(['rmi', stagedName(app, this.options.home)]).catch(() => undefined);
  }

  async status(app: string, handle?: Record<string, unknown>): Promise<'running' | 'stopped'> {
    checkApp(app);
    for (const container of [this.container(app), ...earlierContainer(handle, this.container(app))]) {
      const out = await this.podman(['container', 'inspect', '--format', '{{.State.Running}}', container]).catch((error: unknown) => {
        if (isNoSuchContainer(error)) return 'false';
        throw error;
      });
      if (out.trim() === 'true') return 'running';
    }
    return 'stopped';
  }

  /**
   * Where this home's container for the app answers, from what podman reports of it (the host and
   * port it publishes, its id and image): how `slipway repair` gets an app's URL and handle back.
   */
  async locate(app: string): Promise<RunningApp | undefined> {
    checkApp(app);
    const found = await this.inspect(app);
    if (!found?.State?.Running) return undefined;
    const published = publishedAddress(found.NetworkSettings?.Ports ?? found.HostConfig?.PortBindings, this.options.host);
    if (!published) return undefined;
    const image = found.Config?.Labels?.['slipway.image'];
    return {
      url: `http://${urlHost(published.host)}:${published.port}/`,
      handle: { container: this.container(app), id: found.Id, port: published.port, ...(image ? { image } : {}), imageId: found.Image },
    };
  }

  async logTail(app: string, lines = 20): Promise<string> {
    checkApp(app);
    const out = await this.podman(['logs', '--tail', String(lines), this.container(app)], { mergeStderr: true }).catch((error: unknown) => {
      if (isNoSuchContainer(error)) return '';
      throw error;
    });
    return out.trim();
  }

  /** `podman logs [--follow] [--since T] --tail N` of the app's container, ended when the signal aborts. */
  logs(app: string, _handle: Record<string, unknown> | undefined, options: LogOptions): AsyncIterable<string> {
    checkApp(app);
    return podmanLines(this.options, podmanLogArgs(this.container(app), options), options.signal);
  }

  /** Gets the image into podman's store and returns its id. */
  private pull(app: string, image: string, signal?: AbortSignal): Promise<string> {
    return pullAppImage(this.options, app, image, signal);
  }

  /** The image the app's current container runs (its id, and the reference it was started from), if there is one. */
  private async current(app: string): Promise<{ imageId: string; image?: string } | undefined> {
    const found = await this.inspect(app);
    if (!found?.Image) return undefined;
    const image = found.Config?.Labels?.['slipway.image'];
    return { imageId: found.Image, ...(image ? { image } : {}) };
  }

  /** What podman says of this home's container for the app, or undefined when there is none. */
  private async inspect(app: string): Promise<ContainerInspect | undefined> {
    const out = await this.podman(['container', 'inspect', this.container(app)]).catch(() => '[]');
    return (JSON.parse(out || '[]') as ContainerInspect[])[0];
  }

  private removeImage(app: string, previous: { imageId: string; image?: string }): Promise<void> {
    return removeAppImage(this.options, app, previous);
  }

  /** This home's container for the app (another home's container for an app of the same name is never touched). */
  private container(app: string): string {
    return containerName(app, this.options.home);
  }

  private podman(args: string[], options: PodmanCallOptions = {}): Promise<string> {
    return runPodman(this.options, args, options);
  }
}

/** The parts of `podman container inspect` Slipway reads. */
interface ContainerInspect {
  Id: string;
  Image?: string;
  State?: { Running?: boolean };
  Config?: { Labels?: Record<string, string> | null };
  NetworkSettings?: { Ports?: PortMap | null };
  HostConfig?: { PortBindings?: PortMap | null };
}

/** What it takes to call podman: the executable, the PATH to find it (and conmon, runc) in, and more environment. */
export type PodmanAccess = Pick<PodmanRuntimeOptions, 'podmanBinary' | 'path' | 'env'>;

export interface PodmanCallOptions {
  cwd?: string;
  timeoutMs?: number;
  /** What to tell a person when the call fails. */
  hint?: string;
  /** Return what podman wrote on standard error too (e.g. `podman logs`). */
  mergeStderr?: boolean;
  signal?: AbortSignal;
  /** More environment for podman itself, e.g. the values `--env NAME` hands on to a container. */
  env?: Record<string, string>;
}

/**
 * Gets an app's image into podman's store and returns its id: from an OCI layout (staged as
 * `slipway-<app>`, see {@link stagedName}) or from a registry (plain HTTP for `insecureRegistries`).
 * @example const id = await pullAppImage({ home: '/var/lib/slipway' }, 'notes', 'oci:/var/lib/slipway/images:notes-1');
 */
export async function pullAppImage(options: PodmanAccess & Pick<PodmanRuntimeOptions, 'home' | 'insecureRegistries'>, app: string, image: string, signal?: AbortSignal): Promise<string> {
  const layout = parseOciLayoutRef(image);
  let out: string;
  if (layout) {
    // podman names an `oci:` image after its path (so uppercase letters break the pull) and reads
    // tags only, not digests: a staged layout `slipway-<app>` with one tag and the original blobs avoids both.
    const descriptor = await new OciLayoutStore(layout.dir).resolve(layout.reference);
    await mkdir(join(options.home, 'run'), { recursive: true });
    const stage = await mkdtemp(join(options.home, 'run', 'podman-pull-'));
    try {
      const staged = join(stage, containerName(app, options.home));
      await mkdir(staged);
      await copyFile(join(layout.dir, 'oci-layout'), join(staged, 'oci-layout'));
      await symlink(await realpath(join(layout.dir, 'blobs')), join(staged, 'blobs'));
      const { annotations: _ignored, ...plain } = descriptor;
      await writeFile(join(staged, 'index.json'), canonicalJson({ schemaVersion: 2, mediaType: MediaType.ociIndex, manifests: [{ ...plain, annotations: { [REF_NAME_ANNOTATION]: 'image' } }] }));
      out = await runPodman(options, ['pull', '--quiet', `oci:${containerName(app, options.home)}:image`], { cwd: stage, timeoutMs: PULL_TIMEOUT_MS, hint: `Check the OCI layout ${layout.dir}.`, signal });
    } finally {
      await rm(stage, { recursive: true, force: true });
    }
  } else {
    const ref = parseImageRef(image);
    const name = pulledName(app, image, options.home);
    const insecure = options.insecureRegistries?.includes(ref.registry) ?? false;
    out = await runPodman(options, ['pull', '--quiet', ...(insecure ? ['--tls-verify=false'] : []), name], {
      timeoutMs: PULL_TIMEOUT_MS,
      hint: `Check that ${name} exists and that ${ref.registry} is reachable from here (list it in insecureRegistries when it speaks plain HTTP; log in with \`podman login\` when it needs credentials).`,
      signal,
    });
  }
  const id = out.trim().split('\n').at(-1) ?? '';
  if (!/^[a-f0-9]{64}$/.test(id)) throw new ExternalServiceError('podman', `podman pull of ${image} answered no image id`, { hint: 'Run the pull by hand to see what podman says.' });
  return id;
}

/**
 * Drops an image the app no longer runs, best effort: by its name when it still has the one it was
 * pulled under (untagging only, when other names remain), else by id once the name has moved on.
 * An image another container uses is refused by podman and stays.
 * @example await removeAppImage({ home: '/var/lib/slipway' }, 'notes', { imageId: '3f…', image: 'oci:/images:notes-1' });
 */
export async function removeAppImage(access: PodmanAccess & Pick<PodmanRuntimeOptions, 'home'>, app: string, previous: { imageId: string; image?: string }): Promise<void> {
  const name = previous.image ? pulledName(app, previous.image, access.home) : undefined;
  const names = await runPodman(access, ['image', 'inspect', '--format', '{{json .RepoTags}}\n{{json .RepoDigests}}', previous.imageId])
    .then((out) => out.trim().split('\n').flatMap((line) => (JSON.parse(line || 'null') as string[] | null) ?? []), () => [] as string[]);
  const target = name && names.includes(name) ? name : previous.imageId;
  await runPodman(access, ['rmi', target]).catch(() => undefined);
}

/**
 * Runs podman with an argument array and returns its standard output; a failure becomes an
 * {@link ExternalServiceError} carrying the last lines podman wrote, an abort a {@link CancelledError}.
 * @example const version = await runPodman({}, ['version', '--format', '{{.Client.Version}}']);
 */
/** What a long-running podman command writes, a line at a time (see commandLines). */
/**
 * The `podman logs` arguments for a container's output as `options` ask for it: the last `tail`
 * lines, written since a time (podman keeps each line's time), then new ones with `follow`.
 * @example podmanLogArgs('slipway-notes', { tail: 200, follow: true }) // ['logs', '--follow', '--tail', '200', 'slipway-notes']
 */
export function podmanLogArgs(container: string, options: LogOptions): string[] {
  return ['logs', ...(options.follow ? ['--follow'] : []), ...(options.since ? ['--since', options.since.toISOString()] : []), '--tail', String(options.tail), container];
}

export function podmanLines(access: PodmanAccess, args: string[], signal?: AbortSignal): AsyncIterable<string> {
  const path = access.path ?? SYSTEM_PATH;
  const binary = access.podmanBinary?.includes('/') ? access.podmanBinary : findInPath(access.podmanBinary ?? 'podman', path);
  if (!binary) throw new ExternalServiceError('podman', 'podman is not installed', { hint: 'Install it (`apt-get install podman runc catatonit`), or use the process runtime.' });
  return commandLines(binary, args, { env: { PATH: path, ...(access.env ?? {}) }, ...(signal ? { signal } : {}) });
}

export function runPodman(access: PodmanAccess, args: string[], options: PodmanCallOptions = {}): Promise<string> {
  const path = access.path ?? SYSTEM_PATH;
  const binary = access.podmanBinary?.includes('/') ? access.podmanBinary : findInPath(access.podmanBinary ?? 'podman', path);
  if (!binary) {
    return Promise.reject(new ExternalServiceError('podman', 'podman is not installed', { hint: 'Install it (`apt-get install podman runc catatonit`), or use the process runtime.' }));
  }
  const timeoutMs = options.timeoutMs ?? CALL_TIMEOUT_MS;
  return new Promise((resolve, reject) => {
    const child = spawn(binary, args, {
      env: { ...options.env, PATH: path, ...(access.env ?? {}) },
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: timeoutMs,
      ...(options.cwd ? { cwd: options.cwd } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => {
      err.push(c);
      if (options.mergeStderr) out.push(c);
    });
    child.on('error', (error: NodeJS.ErrnoException) => {
      if (options.signal?.aborted) return reject(new CancelledError('podman call cancelled'));
      reject(new ExternalServiceError('podman', `cannot run ${binary}: ${error.code ?? error.message}`, { hint: 'Install podman, or set the path to it.', cause: error }));
    });
    child.on('close', (code, signal) => {
      if (code === 0) return resolve(Buffer.concat(out).toString('utf8'));
      if (options.signal?.aborted) return reject(new CancelledError('podman call cancelled'));
      const tail = Buffer.concat(err).toString('utf8').trim().split('\n').slice(-6).join('\n');
      const why = code === null ? `was stopped after ${timeoutMs} ms (${signal})` : `failed (exit ${code})`;
      reject(new ExternalServiceError('podman', `podman ${args[0]} ${why}${tail ? `: ${tail}` : ''}`, { hint: options.hint ?? 'Run `podman info` to check podman on this machine.' }));
    });
  });
}

/**
 * True when a podman executable is found (in `path`) and answers `podman --version`.
 * @example if (await podmanAvailable()) runtime = new PodmanRuntime({ home, host: '127.0.0.1' });
 */
export async function podmanAvailable(path: string = SYSTEM_PATH, podmanBinary = 'podman'): Promise<boolean> {
  const binary = podmanBinary.includes('/') ? podmanBinary : findInPath(podmanBinary, path);
  if (!binary) return false;
  return new Promise((resolve) => {
    const child = spawn(binary, ['--version'], { env: { PATH: path }, stdio: 'ignore', timeout: 10_000 });
    child.on('error', () => resolve(false));
    child.on('close', (code) => resolve(code === 0));
  });
}

/** The name podman keeps an image under once {@link PodmanRuntime} pulled it for `app`. */
export function pulledName(app: string, image: string, home: string): string {
  if (parseOciLayoutRef(image)) return stagedName(app, home);
  const ref = parseImageRef(image);
  return ref.digest ? `${ref.registry}/${ref.repository}@${ref.digest}` : formatImageRef(ref);
}

/** The name an image pulled from an OCI layout for `app` of the home `home` has in podman's store. */
export function stagedName(app: string, home: string): string {
  return `localhost/${containerName(app, home)}:latest`;
}

/**
 * The container an app's record names, by its id, when it is not this home's container of today
 * (one started before containers carried the home's id in their name). By id, so a container
 * another home started under the same name is never touched.
 */
function earlierContainer(handle: Record<string, unknown> | undefined, current: string): string[] {
  const id = handle?.id;
  return typeof id === 'string' && /^[a-f0-9]{64}$/.test(id) && handle?.container !== current ? [id] : [];
}

/** The container's name for an app of the home `home`: `slipway-<home id>-<app>`. */
export function containerName(app: string, home: string): string {
  return `slipway-${homeId(home)}-${app}`;
}

function checkApp(app: string): void {
  const problem = appNameProblem(app);
  if (problem) throw new InputError(problem);
}

function withoutReserved(env: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) throw new InputError(`environment variable name ${JSON.stringify(key)} is not valid`);
    if (!RESERVED_ENV.has(key)) out[key] = value;
  }
  return out;
}

/** True when podman failed because the container does not exist. */
export function isNoSuchContainer(error: unknown): boolean {
  return error instanceof ExternalServiceError && /no such container/i.test(error.message);
}

/** A host as written in a URL (IPv6 addresses in brackets). */
export function urlHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}
