import { Document } from 'yaml';
import { InputError } from '../../domain/index.ts';
import type { Manifest } from './flux-substitute.ts';
import { HOME_LABEL } from './home-id.ts';

/**
 * The few changes a rendered Deployment needs before `podman kube play` runs it on this machine.
 * Everything else — the restricted security context (non-root user, no privilege escalation, all
 * capabilities dropped, RuntimeDefault seccomp, read-only root), resources, env, volumes, labels —
 * is passed to podman as committed; podman applies it or ignores what has no meaning without a
 * cluster (runAsNonRoot, fsGroup, automountServiceAccountToken, enableServiceLinks, namespace,
 * readinessProbe). Measured with podman 4.3: see podman-kube-runtime.test.ts.
 */

export interface PodmanAdaptation {
  /** The app's name: the container of that name (or the only one) is the app's. */
  app: string;
  /** The id of the Slipway home running it (see home-id.ts): in the pod's and volumes' names and labels. */
  homeId: string;
  /** Id of the image in podman's store, and the reference it came from (for the notes). */
  imageId: string;
  image: string;
  /** Where the app's port is published. */
  host: string;
  hostPort: number;
  /** More environment for this machine only; names the manifest already sets are left alone. */
  env?: Record<string, string>;
  /** podman 4.4 and later run exec probes directly; older versions wrap every probe in `/bin/sh -c`. */
  probesRunWithoutShell: boolean;
}

export interface AdaptedManifests {
  manifests: Manifest[];
  /** The Deployment's name, its selector labels and the app container's name (podman names the container `<pod>-<container>`). */
  deployment: string;
  selector: Record<string, string>;
  container: string;
  /** One line per change, what and why; written on top of the file that runs. */
  notes: string[];
}

interface Port { name?: string; containerPort?: number; hostPort?: number; hostIP?: string }
interface HttpGet { path?: string; port?: number | string; host?: string; scheme?: string; httpHeaders?: Array<{ name: string; value: string }> }
interface Probe { httpGet?: HttpGet; exec?: { command: string[] }; timeoutSeconds?: number; [field: string]: unknown }
interface Container { name?: string; image?: string; imagePullPolicy?: string; ports?: Port[]; env?: Array<{ name: string; value?: string }>; volumeMounts?: Array<{ name: string }>; livenessProbe?: Probe; startupProbe?: Probe }
interface PodSpec { containers?: Container[]; initContainers?: Container[]; volumes?: Array<{ name: string; emptyDir?: unknown }> }
interface DeploymentShape { metadata?: { name?: string; labels?: Record<string, string> }; spec?: { selector?: { matchLabels?: Record<string, string> }; template?: { metadata?: { labels?: Record<string, string> }; spec?: PodSpec } } }

/**
 * Adapts the substituted manifests for podman (a deep copy; the input is not changed). Exactly one
 * Deployment is expected; other documents pass through unchanged.
 * @example adaptForPodman(manifests, { app: 'notes', homeId: '3f9c0a1b', imageId, image, host: '127.0.0.1', hostPort: 40123, probesRunWithoutShell: true }).notes
 */
export function adaptForPodman(input: Manifest[], options: PodmanAdaptation): AdaptedManifests {
  const manifests = structuredClone(input);
  const deployments = manifests.filter((m) => m['kind'] === 'Deployment') as DeploymentShape[];
  if (deployments.length !== 1) {
    throw new InputError(`podman kube play runs one Deployment per app, and the rendered manifests of ${options.app} hold ${deployments.length}`, { hint: 'Render the app\'s deployment.yaml alone.' });
  }
  const deployment = deployments[0]!;
  const committedName = deployment.metadata?.name;
  const pod = deployment.spec?.template?.spec;
  const containers = pod?.containers ?? [];
  const container = containers.find((c) => c.name === options.app) ?? (containers.length === 1 ? containers[0] : undefined);
  if (!committedName || !pod || !container?.name || !deployment.spec?.template) {
    throw new InputError(`the Deployment of ${options.app} has no name, pod template or container named ${options.app}`, { hint: 'Check the rendered deployment.yaml.' });
  }
  const notes: string[] = [];

  // podman names the pod after the Deployment and `--replace` replaces a pod of that name: another
  // Slipway home on this machine with an app of the same name must keep its own.
  const name = `slipway-${options.homeId}-${committedName}`;
  deployment.metadata!.name = name;
  deployment.metadata!.labels = { ...deployment.metadata!.labels, [HOME_LABEL]: options.homeId };
  deployment.spec.selector = { ...deployment.spec.selector, matchLabels: { ...deployment.spec.selector?.matchLabels, [HOME_LABEL]: options.homeId } };
  deployment.spec.template.metadata = { ...deployment.spec.template.metadata, labels: { ...deployment.spec.template.metadata?.labels, [HOME_LABEL]: options.homeId } };
  notes.push(`name: the Deployment ${committedName} runs as ${name}, labelled ${HOME_LABEL}=${options.homeId} (each Slipway home on this machine keeps its own pods).`);

  // The reference in the manifest names a registry this machine may not reach (or an image never
  // pushed); podman runs the image Slipway put into its store, and must not try to pull it.
  const committed = container.image;
  container.image = options.imageId;
  container.imagePullPolicy = 'Never';
  const from = committed === options.image ? '' : ` (from ${options.image})`;
  notes.push(`image: ${committed ?? '(none)'} runs as podman's local image ${options.imageId.slice(0, 12)}${from}, pull policy Never (it is not fetched from a registry).`);

  // In the cluster the Service and HTTPRoute reach the pod; here a host port does.
  const ports = container.ports ?? [];
  const port = ports.find((p) => p.name === 'http') ?? ports[0];
  if (!port?.containerPort) throw new InputError(`the container ${container.name} declares no containerPort to publish`, { hint: 'The rendered Deployment names the app\'s port under ports.' });
  port.hostPort = options.hostPort;
  port.hostIP = options.host;
  notes.push(`ports: containerPort ${port.containerPort} published on ${options.host}:${options.hostPort} (the cluster reaches it through the Service and HTTPRoute).`);

  // podman 4.3 turns an emptyDir into a named volume called after the pod's volume, so every app's
  // `data` and `tmp` would be one shared volume; an app-specific name keeps them apart.
  const renamed = new Map<string, string>();
  for (const volume of pod.volumes ?? []) {
    if (volume.emptyDir === undefined) continue;
    const local = `slipway-${options.homeId}-${options.app}-${volume.name}`;
    renamed.set(volume.name, local);
    volume.name = local;
  }
  for (const c of [...containers, ...(pod.initContainers ?? [])]) {
    for (const mount of c.volumeMounts ?? []) mount.name = renamed.get(mount.name) ?? mount.name;
  }
  if (renamed.size > 0) notes.push(`volumes: emptyDir ${[...renamed.keys()].join(', ')} named ${[...renamed.values()].join(', ')} (podman 4.3 shares an emptyDir volume between pods by its name).`);

  // podman runs an httpGet probe as `curl` through `/bin/sh` inside the container, and restarts the
  // container when a liveness check fails. Slipway's images carry node but neither a shell nor curl,
  // so that check could only fail: the same GET is done by node instead. Before podman 4.4 even
  // exec probes go through `/bin/sh`, so there the probe is left out (readiness is ignored by podman).
  for (const key of ['livenessProbe', 'startupProbe'] as const) {
    const probe = container[key];
    if (!probe?.httpGet) continue;
    if (options.probesRunWithoutShell) {
      const { httpGet, ...timing } = probe;
      container[key] = { exec: { command: nodeHttpCheck(httpGet, ports, probe.timeoutSeconds ?? 1) }, ...timing };
      notes.push(`${key}: the httpGet check runs as \`node -e fetch(…)\` (podman would run curl through /bin/sh; the image has neither).`);
    } else {
      delete container[key];
      notes.push(`${key}: left out (this podman runs every probe through /bin/sh, which the image does not have, and would restart the app on each failed check).`);
    }
  }

  const extra = Object.entries(options.env ?? {}).filter(([key]) => !(container.env ?? []).some((e) => e.name === key));
  for (const [key] of extra) if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) throw new InputError(`environment variable name ${JSON.stringify(key)} is not valid`);
  if (extra.length > 0) {
    container.env = [...(container.env ?? []), ...extra.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([key, value]) => ({ name: key, value }))];
    notes.push(`env: ${extra.map(([key]) => key).join(', ')} added for this machine only.`);
  }
  return { manifests, deployment: name, selector: { ...(deployment.spec?.selector?.matchLabels ?? {}) }, container: container.name, notes };
}

/**
 * The YAML text `podman kube play` gets: a comment saying what ran and what was changed, then the
 * manifests (YAML 1.1 quoting, as Kubernetes reads them; no line folding).
 * @example kubeYaml(adapted.manifests, ['Run by Slipway…'])
 */
export function kubeYaml(manifests: Manifest[], header: string[]): string {
  const comment = header.map((line) => (line === '' ? '#' : `# ${line}`)).join('\n');
  const body = manifests.map((m) => new Document(m, { version: '1.1' }).toString({ lineWidth: 0, minContentWidth: 0, indentSeq: true })).join('---\n');
  return `${comment}\n${body}`;
}

/** `node -e` doing the probe's GET: success on 200–399 without following redirects, as the kubelet judges it. */
function nodeHttpCheck(httpGet: HttpGet, ports: Port[], timeoutSeconds: number): string[] {
  const portNumber = typeof httpGet.port === 'number' ? httpGet.port : /^\d+$/.test(String(httpGet.port ?? '')) ? Number(httpGet.port) : ports.find((p) => p.name === httpGet.port)?.containerPort;
  if (!portNumber) throw new InputError(`a probe names the port ${JSON.stringify(httpGet.port)}, which the container does not declare`);
  const scheme = (httpGet.scheme ?? 'HTTP').toLowerCase();
  const url = `${scheme}://${httpGet.host ?? '127.0.0.1'}:${portNumber}${httpGet.path ?? '/'}`;
  const headers = Object.fromEntries((httpGet.httpHeaders ?? []).map((h) => [h.name, h.value]));
  const init = `{redirect:'manual',headers:${JSON.stringify(headers)},signal:AbortSignal.timeout(${timeoutSeconds * 1000})}`;
  return ['node', '-e', `fetch(${JSON.stringify(url)},${init}).then((r)=>process.exit(r.status>=200&&r.status<400?0:1),()=>process.exit(1))`];
}
