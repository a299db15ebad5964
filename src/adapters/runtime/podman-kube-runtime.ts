import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { appNameProblem, ExternalServiceError, InputError, type AppSpec } from '../../domain/index.ts';
import type { AppRuntime, LogOptions, RunningApp, StartRequest } from '../../ports/index.ts';
import { substituteManifests } from './flux-substitute.ts';
import { freePort } from '../os/index.ts';
import { homeId } from './home-id.ts';
import { adaptForPodman, kubeYaml } from './podman-kube-manifest.ts';
import { podmanLines, podmanLogArgs, pullAppImage, removeAppImage, runPodman, stagedName, urlHost, type PodmanCallOptions, type PodmanRuntimeOptions } from './podman-runtime.ts';
import { publishedAddress, type PortMap } from './published-address.ts';

/** Podman is found, run and pulled with exactly as for {@link PodmanRuntime}. */
export interface PodmanKubeRuntimeOptions extends Pick<PodmanRuntimeOptions, 'host' | 'podmanBinary' | 'path' | 'env' | 'insecureRegistries'> {
  /** `kube/<app>.yaml` (what ran, for a person to read) and short-lived staging under `run/` live here. */
  home: string;
  /** Values for the manifests' `${VAR}`s, as the cluster's Flux postBuild gives them (e.g. APPS_SUBDOMAIN). */
  variables: Record<string, string>;
  /** The app's rendered Deployment YAML, exactly as it is committed for the cluster. */
  render: (spec: AppSpec, image: string) => string;
}

const PLAY_TIMEOUT_MS = 5 * 60_000;
const DOWN_TIMEOUT_MS = 2 * 60_000;

interface PodInspect { InfraConfig?: { PortBindings?: PortMap | null } }
interface PodSummary { Id: string; Name: string; Containers?: Array<{ Id: string; Names: string | string[]; Status: string }> }

/**
 * Runs an app from its rendered Kubernetes Deployment with `podman kube play`: the YAML Flux would
 * apply, with `${VAR}`s substituted as Flux does, pointed at the image Slipway put into podman's store
 * and given a host port (see podman-kube-manifest.ts for every change and why). The file that ran is
 * kept as `<home>/kube/<app>.yaml`; `podman kube play --replace` / `podman kube down` on it by hand
 * do what Slipway does.
 * @example
 * const runtime = new PodmanKubeRuntime({ home, host: '127.0.0.1', variables: { APPS_SUBDOMAIN: 'apps.home.lan' },
 *   render: (spec, image) => renderApp(spec, { image }, settings).find((f) => f.path.endsWith('/deployment.yaml'))!.content });
 * const { url } = await runtime.start({ app: 'notes', dir, spec, image: 'oci:/var/lib/slipway/images:notes-1' });
 */
export class PodmanKubeRuntime implements AppRuntime {
  readonly name = 'podman-kube';
  private readonly options: PodmanKubeRuntimeOptions;
  private version: Promise<number[]> | undefined;

  constructor(options: PodmanKubeRuntimeOptions) {
    this.options = options;
  }

  /** Where the YAML that runs `app` is written. */
  kubeFile(app: string): string {
    checkApp(app);
    return join(this.options.home, 'kube', `${app}.yaml`);
  }

  async start(request: StartRequest, signal?: AbortSignal): Promise<RunningApp> {
    const { app, spec } = request;
    const file = this.kubeFile(app);
    if (!request.image) {
      throw new InputError(`podman kube play runs images, and no image was given for ${app}`, { hint: 'Build the app into an image first (an OCI layout or a registry), or use the process runtime.' });
    }
    // Input problems (a missing variable, a bad manifest) show before anything is pulled or stopped.
    const manifests = substituteManifests(this.options.render(spec, request.image), this.options.variables);
    const previous = await this.lastImage(app);
    const imageId = await pullAppImage(this.options, app, request.image, signal);
    const hostPort = await freePort(this.options.host);
    const adapted = adaptForPodman(manifests, {
      app, homeId: homeId(this.options.home), imageId, image: request.image, host: this.options.host, hostPort,
      ...(request.env ? { env: request.env } : {}),
      probesRunWithoutShell: await this.probesRunWithoutShell(),
    });
    const header = [
      `Run by Slipway on this machine: podman kube play --replace ${file}`,
      `(stop: podman kube down ${file}). The app's rendered Deployment, \${VAR}s substituted as Flux`,
      'does, with these changes for podman:',
      ...adapted.notes.map((note) => `- ${note}`),
    ];
    await mkdir(join(this.options.home, 'kube'), { recursive: true, mode: 0o700 });
    const partial = `${file}.partial-${process.pid}`;
    // The file holds the app's settings and secret values as its env: readable by Slipway's user only.
    await writeFile(partial, kubeYaml(adapted.manifests, header), { mode: 0o600 });
    await rename(partial, file);
    const out = await this.podman(['kube', 'play', '--replace', file], {
      timeoutMs: PLAY_TIMEOUT_MS, signal,
      hint: `Read ${file}; run \`podman kube play --replace ${file}\` by hand to see podman's whole answer.`,
    });
    const podId = /^Pod:\s*\n([a-f0-9]{64})/m.exec(out)?.[1];
    const pod = podId ? await this.findPod(app, podId) : undefined;
    if (!pod) throw new ExternalServiceError('podman', `podman kube play of ${file} answered no pod`, { hint: `Run \`podman kube play --replace ${file}\` by hand to see what podman says.` });
    if (previous && previous !== imageId) await removeAppImage(this.options, app, { imageId: previous });
    return {
      url: `http://${urlHost(this.options.host)}:${hostPort}/`,
      handle: { pod: pod.Name, container: `${pod.Name}-${adapted.container}`, port: hostPort, image: request.image, imageId, file },
    };
  }

  async stop(app: string): Promise<void> {
    const file = this.kubeFile(app);
    if (!existsSync(file)) return;
    await this.podman(['kube', 'down', file], { timeoutMs: DOWN_TIMEOUT_MS }).catch((error: unknown) => {
      if (!isNoSuchPod(error)) throw error;
    });
  }

  /** Stops the app, removes its YAML and drops its image from podman's store (best effort). */
  async forget(app: string): Promise<void> {
    const previous = await this.lastImage(app);
    await this.stop(app);
    await rm(this.kubeFile(app), { force: true });
    if (previous) await removeAppImage(this.options, app, { imageId: previous });
    await this.podman(['rmi', stagedName(app, this.options.home)]).catch(() => undefined);
  }

  async status(app: string): Promise<'running' | 'stopped'> {
    const container = await this.findContainer(app);
    return container?.Status === 'running' ? 'running' : 'stopped';
  }

  /**
   * Where the app's pod answers, from what podman reports of it (the host and port its infra
   * container publishes): how `slipway repair` gets an app's URL and handle back.
   */
  async locate(app: string): Promise<RunningApp | undefined> {
    const target = await this.readTarget(app);
    const pod = await this.findPod(app);
    const container = pod && target && pod.Containers?.find((c) => namesOf(c).includes(`${pod.Name}-${target.container}`));
    if (!pod || !target || container?.Status !== 'running') return undefined;
    const out = await this.podman(['pod', 'inspect', pod.Id]);
    const parsed = JSON.parse(out) as PodInspect | PodInspect[];
    const inspect = Array.isArray(parsed) ? parsed[0] : parsed; // an array from podman 5 on
    const published = publishedAddress(inspect?.InfraConfig?.PortBindings, this.options.host);
    if (!published) return undefined;
    return {
      url: `http://${urlHost(published.host)}:${published.port}/`,
      handle: { pod: pod.Name, container: `${pod.Name}-${target.container}`, port: published.port, ...(target.imageId ? { imageId: target.imageId } : {}), file: this.kubeFile(app) },
    };
  }

  async logTail(app: string, lines = 20): Promise<string> {
    const container = await this.findContainer(app);
    if (!container) return '';
    const out = await this.podman(['logs', '--tail', String(lines), container.Id], { mergeStderr: true }).catch(() => '');
    return out.trim();
  }

  /** `podman logs [--follow] [--since T] --tail N` of the app container in the app's pod; nothing when there is no pod. */
  async *logs(app: string, _handle: Record<string, unknown> | undefined, options: LogOptions): AsyncGenerator<string> {
    const container = await this.findContainer(app);
    if (!container) return;
    yield* podmanLines(this.options, podmanLogArgs(container.Id, options), options.signal);
  }

  /** The app container of the pod podman made from `<home>/kube/<app>.yaml`, if that pod exists. */
  private async findContainer(app: string): Promise<{ Id: string; Status: string } | undefined> {
    const target = await this.readTarget(app);
    if (!target) return undefined;
    const pod = await this.findPod(app);
    const wanted = pod && `${pod.Name}-${target.container}`;
    return pod?.Containers?.find((c) => namesOf(c).includes(wanted!));
  }

  /**
   * The app's pod, found by the Deployment's selector labels (which its pods carry) and its name:
   * podman calls a Deployment's pod `<name>-pod` (`<name>-pod-0` before podman 4.4).
   */
  private async findPod(app: string, id?: string): Promise<PodSummary | undefined> {
    const target = await this.readTarget(app);
    if (!target) return undefined;
    const filters = Object.entries(target.selector).sort().flatMap(([key, value]) => ['--filter', `label=${key}=${value}`]);
    const out = await this.podman(['pod', 'ps', '--format', 'json', ...filters, ...(id ? ['--filter', `id=${id}`] : [])]);
    const pods = JSON.parse(out.trim() || '[]') as PodSummary[];
    return pods.find((p) => p.Name === `${target.deployment}-pod` || p.Name.startsWith(`${target.deployment}-pod-`));
  }

  /** What the kept YAML says: the Deployment's name and selector, the app container and the image id it runs. */
  private async readTarget(app: string): Promise<{ deployment: string; selector: Record<string, string>; container: string; imageId?: string } | undefined> {
    const text = await readFile(this.kubeFile(app), 'utf8').catch(() => undefined);
    if (text === undefined) return undefined;
    for (const doc of parseAllDocuments(text, { version: '1.1' })) {
      const value = doc.toJS() as { kind?: string; metadata?: { name?: string }; spec?: { selector?: { matchLabels?: Record<string, string> }; template?: { spec?: { containers?: Array<{ name?: string; image?: string; imagePullPolicy?: string }> } } } } | null;
      if (value?.kind !== 'Deployment' || !value.metadata?.name) continue;
      const containers = value.spec?.template?.spec?.containers ?? [];
      const container = containers.find((c) => c.imagePullPolicy === 'Never' && c.name) ?? containers[0];
      if (!container?.name) return undefined;
      const imageId = container.image && /^[a-f0-9]{64}$/.test(container.image) ? container.image : undefined;
      return { deployment: value.metadata.name, selector: value.spec?.selector?.matchLabels ?? {}, container: container.name, ...(imageId ? { imageId } : {}) };
    }
    return undefined;
  }

  /** The image id the app was last started with (from the kept YAML). */
  private async lastImage(app: string): Promise<string | undefined> {
    return (await this.readTarget(app))?.imageId;
  }

  /** podman 4.4 and later run a probe's exec command directly; older versions wrap it in `/bin/sh -c`. */
  private async probesRunWithoutShell(): Promise<boolean> {
    this.version ??= this.podman(['version', '--format', '{{.Client.Version}}']).then(
      (out) => out.trim().split(/[.-]/).map(Number),
      (error: unknown) => {
        this.version = undefined;
        throw error;
      },
    );
    const [major = 0, minor = 0] = await this.version;
    return major > 4 || (major === 4 && minor >= 4);
  }

  private podman(args: string[], options: PodmanCallOptions = {}): Promise<string> {
    return runPodman(this.options, args, options);
  }
}

function checkApp(app: string): void {
  const problem = appNameProblem(app);
  if (problem) throw new InputError(problem);
}

function isNoSuchPod(error: unknown): boolean {
  return error instanceof ExternalServiceError && /no such pod|no pod with name or id/i.test(error.message);
}

function namesOf(container: { Names: string | string[] }): string[] {
  return Array.isArray(container.Names) ? container.Names : [container.Names];
}
