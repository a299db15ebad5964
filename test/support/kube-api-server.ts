import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { TLSSocket } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSelfSignedCertificate } from './tls.ts';

/** A Kubernetes object as the fake API server stores it. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace: string; [key: string]: unknown };
  [key: string]: unknown;
}

interface Resource {
  group: string;
  versions: string[];
  plural: string;
  kind: string;
}

/** The resources the watcher reads, with the versions a current cluster serves. */
const RESOURCES: Resource[] = [
  { group: '', versions: ['v1'], plural: 'pods', kind: 'Pod' },
  { group: '', versions: ['v1'], plural: 'events', kind: 'Event' },
  { group: 'apps', versions: ['v1'], plural: 'deployments', kind: 'Deployment' },
  { group: 'apps', versions: ['v1'], plural: 'replicasets', kind: 'ReplicaSet' },
  { group: 'source.toolkit.fluxcd.io', versions: ['v1', 'v1beta2'], plural: 'gitrepositories', kind: 'GitRepository' },
  { group: 'kustomize.toolkit.fluxcd.io', versions: ['v1', 'v1beta2'], plural: 'kustomizations', kind: 'Kustomization' },
  { group: 'argoproj.io', versions: ['v1alpha1'], plural: 'applications', kind: 'Application' },
];

export interface KubeApiServerOptions {
  /** HTTPS with a self-signed certificate for 127.0.0.1 (default), or plain HTTP. */
  tls?: boolean;
  /** The bearer token accepted; default `slipway-test-token`. */
  token?: string;
  /** HTTPS only: a PEM certificate whose holder is let in without a token (client-certificate users). */
  clientCa?: string;
  /** Answers 403 for these plurals (`deployments`) or subresources (`pods/log`), as an API server does for a missing RBAC rule. */
  forbidden?: string[];
  /** Overrides the served versions of a group, e.g. `{ 'source.toolkit.fluxcd.io': ['v1beta2'] }` for old Flux. */
  servedVersions?: Record<string, string[]>;
}

/** A line of a container's output, with the RFC 3339 time the kubelet stamped it with. */
export interface PodLogLine {
  at: string;
  text: string;
}

/** One request the server answered. */
export interface KubeApiRequest {
  method: string;
  path: string;
  status: number;
}

export interface KubeApiServer {
  /** `https://127.0.0.1:PORT` (or `http://`). */
  url: string;
  /** The certificate to trust (HTTPS). */
  ca?: string;
  token: string;
  requests: KubeApiRequest[];
  /** Creates or replaces an object (a deep copy is stored; `resourceVersion` is bumped). */
  put(object: KubeObject): void;
  /** Changes a stored object in place. */
  update(apiVersion: string, kind: string, namespace: string, name: string, change: (object: KubeObject) => void): void;
  remove(apiVersion: string, kind: string, namespace: string, name: string): void;
  /** What a pod's container has written so far (`GET …/pods/<pod>/log` reads it): each line with its time. */
  setLog(namespace: string, pod: string, lines: PodLogLine[]): void;
  /** A new line from a pod (now, unless `at` says when): kept, and sent to every reader following its log. */
  appendLog(namespace: string, pod: string, text: string, at?: string): void;
  /** The pod goes away: readers following its log see their stream end, as when a pod is deleted. */
  endLog(namespace: string, pod: string): void;
  /** Runs `step` `ms` after now: the test's timeline ("after 300 ms the artifact moves"). */
  after(ms: number, step: () => void): void;
  stop(): Promise<void>;
}

/**
 * Starts a server on 127.0.0.1 that answers like the Kubernetes API for namespaced GETs and LISTs
 * (label and field selectors) of the resources above and pods' logs (followed too), with `Status`
 * objects for 400/401/403/404, backed by objects and log lines the test puts and changes over time.
 *
 * @example
 * const kube = await startKubeApiServer();
 * kube.put(kubeFixture('gitrepository'));
 * kube.after(300, () => kube.update('source.toolkit.fluxcd.io/v1', 'GitRepository', 'flux-system', 'flux-system', (o) => …));
 */
export async function startKubeApiServer(options: KubeApiServerOptions = {}): Promise<KubeApiServer> {
  const token = options.token ?? 'slipway-test-token';
  const objects = new Map<string, KubeObject>();
  const timers = new Set<NodeJS.Timeout>();
  const requests: KubeApiRequest[] = [];
  let resourceVersion = 1000;
  const served = (r: Resource) => options.servedVersions?.[r.group] ?? r.versions;
  const keyOf = (group: string, plural: string, namespace: string, name: string) => `${group}|${plural}|${namespace}|${name}`;
  const resourceOf = (apiVersion: string, kind: string) => {
    const group = apiVersion.includes('/') ? apiVersion.split('/')[0]! : '';
    const resource = RESOURCES.find((r) => r.group === group && r.kind === kind);
    if (!resource) throw new Error(`the fake API server does not know ${apiVersion} ${kind}`);
    return resource;
  };

  const logs = new Map<string, PodLogLine[]>();
  const followers = new Map<string, Set<{ res: ServerResponse; timestamps: boolean }>>();
  const logLine = (line: PodLogLine, timestamps: boolean) => `${timestamps ? `${line.at} ` : ''}${line.text}\n`;

  /**
   * `GET /api/v1/namespaces/<ns>/pods/<pod>/log` as the API server answers it: text/plain, the
   * lines at or after `sinceSeconds`/`sinceTime`, the last `tailLines` of them, each with its time
   * first when `timestamps=true`; with `follow=true` the answer stays open (chunked) and carries
   * each new line until the pod goes away.
   */
  const podLog = (url: URL, namespace: string, name: string, send: (status: number, body: unknown) => void, res: ServerResponse) => {
    const pod = objects.get(keyOf('', 'pods', namespace, name));
    if (!pod) return send(404, status(404, 'NotFound', `pods "${name}" not found`, { name, kind: 'pods' }));
    const containers = ((pod.spec as { containers?: Array<{ name: string }> } | undefined)?.containers ?? []).map((c) => c.name);
    const container = url.searchParams.get('container') ?? (containers.length === 1 ? containers[0] : undefined);
    if (!container) return send(400, status(400, 'BadRequest', `a container name must be specified for pod ${name}, choose one of: [${containers.join(' ')}]`));
    if (!containers.includes(container)) return send(400, status(400, 'BadRequest', `container ${container} is not valid for pod ${name}`));
    const query = url.searchParams;
    const sinceSeconds = query.get('sinceSeconds');
    const sinceTime = query.get('sinceTime');
    const from = sinceSeconds ? Date.now() - Number(sinceSeconds) * 1000 : sinceTime ? Date.parse(sinceTime) : -Infinity;
    let lines = (logs.get(`${namespace}/${name}`) ?? []).filter((line) => Date.parse(line.at) >= from);
    const tail = query.get('tailLines');
    if (tail !== null) lines = Number(tail) === 0 ? [] : lines.slice(-Number(tail));
    const timestamps = query.get('timestamps') === 'true';
    requests.push({ method: 'GET', path: `${url.pathname}${url.search}`, status: 200 });
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.write(lines.map((line) => logLine(line, timestamps)).join(''));
    if (query.get('follow') !== 'true') return res.end();
    const key = `${namespace}/${name}`;
    const reader = { res, timestamps };
    if (!followers.has(key)) followers.set(key, new Set());
    followers.get(key)!.add(reader);
    res.on('close', () => followers.get(key)?.delete(reader));
  };

  const handler = (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const send = (status: number, body: unknown) => {
      requests.push({ method: req.method ?? 'GET', path: `${url.pathname}${url.search}`, status });
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    };
    const byCert = options.clientCa !== undefined && (req.socket as TLSSocket).authorized === true;
    if (!byCert && req.headers.authorization !== `Bearer ${token}`) return send(401, status(401, 'Unauthorized', 'Unauthorized'));
    const route = parsePath(url.pathname);
    const resource = route && RESOURCES.find((r) => r.group === route.group && r.plural === route.plural && served(r).includes(route.version));
    const known = route && (route.subresource === undefined || (route.plural === 'pods' && route.subresource === 'log'));
    if (!route || !resource || !known || req.method !== 'GET') return send(404, status(404, 'NotFound', 'the server could not find the requested resource'));
    const qualified = resource.group ? `${resource.plural}.${resource.group}` : resource.plural;
    const rbacResource = route.subresource ? `${resource.plural}/${route.subresource}` : resource.plural;
    if (options.forbidden?.includes(rbacResource)) {
      const verb = route.name === undefined ? 'list' : 'get';
      const what = route.name === undefined ? qualified : `${qualified} "${route.name}"`;
      return send(403, status(403, 'Forbidden', `${what} is forbidden: User "system:serviceaccount:slipway:slipway" cannot ${verb} resource "${rbacResource}" in API group "${resource.group}" in the namespace "${route.namespace}"`, { ...(route.name ? { name: route.name } : {}), group: resource.group, kind: resource.plural }));
    }
    if (route.subresource === 'log') return podLog(url, route.namespace, route.name!, send, res);
    const apiVersion = resource.group ? `${resource.group}/${route.version}` : route.version;
    if (route.name !== undefined) {
      const object = objects.get(keyOf(resource.group, resource.plural, route.namespace, route.name));
      if (!object) return send(404, status(404, 'NotFound', `${qualified} "${route.name}" not found`, { name: route.name, group: resource.group, kind: resource.plural }));
      return send(200, { ...structuredClone(object), apiVersion });
    }
    const prefix = keyOf(resource.group, resource.plural, route.namespace, '');
    const labelMatch = labelMatcher(url.searchParams.get('labelSelector'));
    const fieldMatch = fieldMatcher(url.searchParams.get('fieldSelector'));
    const items = [...objects.entries()]
      .filter(([key, object]) => key.startsWith(prefix) && labelMatch(object) && fieldMatch(object))
      .map(([, object]) => {
        const copy = structuredClone(object) as Partial<KubeObject>;
        // Built-in lists carry apiVersion/kind once, on the list; custom resources keep them per item.
        if (resource.group === '' || resource.group === 'apps') {
          delete copy.apiVersion;
          delete copy.kind;
        }
        return copy;
      });
    return send(200, { apiVersion, kind: `${resource.kind}List`, metadata: { resourceVersion: String(resourceVersion) }, items });
  };

  let server: Server;
  let ca: string | undefined;
  let certDir: string | undefined;
  if (options.tls ?? true) {
    certDir = await mkdtemp(join(tmpdir(), 'slipway-kube-'));
    const cert = await createSelfSignedCertificate(certDir, 'kube-apiserver');
    ca = cert.cert;
    server = createHttpsServer({ cert: cert.cert, key: cert.key, ...(options.clientCa ? { ca: options.clientCa, requestCert: true, rejectUnauthorized: false } : {}) }, handler);
  } else {
    server = createHttpServer(handler);
  }
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;

  return {
    url: `${options.tls ?? true ? 'https' : 'http'}://127.0.0.1:${port}`,
    ...(ca ? { ca } : {}),
    token,
    requests,
    put(object) {
      const resource = resourceOf(object.apiVersion, object.kind);
      const copy = structuredClone(object);
      copy.metadata.resourceVersion = String(++resourceVersion);
      objects.set(keyOf(resource.group, resource.plural, object.metadata.namespace, object.metadata.name), copy);
    },
    update(apiVersion, kind, namespace, name, change) {
      const resource = resourceOf(apiVersion, kind);
      const object = objects.get(keyOf(resource.group, resource.plural, namespace, name));
      if (!object) throw new Error(`no ${kind} ${namespace}/${name} to update`);
      change(object);
      object.metadata.resourceVersion = String(++resourceVersion);
    },
    remove(apiVersion, kind, namespace, name) {
      const resource = resourceOf(apiVersion, kind);
      objects.delete(keyOf(resource.group, resource.plural, namespace, name));
    },
    setLog(namespace, pod, lines) {
      logs.set(`${namespace}/${pod}`, lines.map((line) => ({ ...line })));
    },
    appendLog(namespace, pod, text, at = new Date().toISOString()) {
      const line = { at, text };
      const key = `${namespace}/${pod}`;
      logs.set(key, [...(logs.get(key) ?? []), line]);
      for (const reader of followers.get(key) ?? []) reader.res.write(logLine(line, reader.timestamps));
    },
    endLog(namespace, pod) {
      for (const reader of followers.get(`${namespace}/${pod}`) ?? []) reader.res.end();
      followers.delete(`${namespace}/${pod}`);
    },
    after(ms, step) {
      const timer = setTimeout(() => {
        timers.delete(timer);
        step();
      }, ms);
      timers.add(timer);
    },
    async stop() {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      server.closeAllConnections?.();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      if (certDir) await rm(certDir, { recursive: true, force: true });
    },
  };
}

/**
 * A copy of a recorded object from `test/fixtures/kube/<name>.json`.
 * @example const ks = kubeFixture('kustomization-ready');
 */
export function kubeFixture<T = KubeObject>(name: string): T {
  return JSON.parse(readFileSync(new URL(`../fixtures/kube/${name}.json`, import.meta.url), 'utf8')) as T;
}

function status(code: number, reason: string, message: string, details?: { name?: string; group?: string; kind?: string }): object {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, ...(details ? { details } : { details: {} }), code };
}

/** `/api/v1/namespaces/ns/pods[/name[/log]]` or `/apis/group/version/namespaces/ns/plural[/name[/subresource]]`. */
function parsePath(pathname: string): { group: string; version: string; namespace: string; plural: string; name?: string; subresource?: string } | undefined {
  const parts = pathname.split('/').filter(Boolean).map(decodeURIComponent);
  const [root, ...rest] = parts;
  const [group, version, tail] = root === 'api' ? ['', rest[0], rest.slice(1)] : root === 'apis' ? [rest[0], rest[1], rest.slice(2)] : [];
  if (group === undefined || !version || !tail || tail[0] !== 'namespaces' || tail.length < 3 || tail.length > 5) return undefined;
  return { group, version, namespace: tail[1]!, plural: tail[2]!, ...(tail[3] === undefined ? {} : { name: tail[3] }), ...(tail[4] === undefined ? {} : { subresource: tail[4] }) };
}

/** Equality-based label selectors: `a=b`, `a==b`, `a!=b`, `a`, `!a`, comma-separated. */
function labelMatcher(selector: string | null): (object: KubeObject) => boolean {
  const terms = (selector ?? '').split(',').map((t) => t.trim()).filter(Boolean);
  return (object) => {
    const labels = (object.metadata.labels ?? {}) as Record<string, string>;
    return terms.every((term) => {
      const ne = /^([^!=]+)!=(.*)$/.exec(term);
      if (ne) return labels[ne[1]!] !== ne[2];
      const eq = /^([^!=]+)==?(.*)$/.exec(term);
      if (eq) return labels[eq[1]!] === eq[2];
      return term.startsWith('!') ? !(term.slice(1) in labels) : term in labels;
    });
  };
}

/** Field selectors on dotted paths (`involvedObject.name=x`, `metadata.name!=y`). */
function fieldMatcher(selector: string | null): (object: KubeObject) => boolean {
  const terms = (selector ?? '').split(',').map((t) => t.trim()).filter(Boolean);
  const at = (object: unknown, path: string) => path.split('.').reduce<unknown>((value, key) => (value as Record<string, unknown> | undefined)?.[key], object);
  return (object) =>
    terms.every((term) => {
      const match = /^([^!=]+)(!=|==?)(.*)$/.exec(term);
      if (!match) return false;
      const value = String(at(object, match[1]!) ?? '');
      return match[2] === '!=' ? value !== match[3] : value === match[3];
    });
}
