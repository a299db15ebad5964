import { randomUUID } from 'node:crypto';
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

/** The resources Slipway reads (and, for Jobs, creates and deletes), with the versions a current cluster serves. */
const RESOURCES: Resource[] = [
  { group: '', versions: ['v1'], plural: 'pods', kind: 'Pod' },
  { group: '', versions: ['v1'], plural: 'events', kind: 'Event' },
  { group: 'apps', versions: ['v1'], plural: 'deployments', kind: 'Deployment' },
  { group: 'apps', versions: ['v1'], plural: 'replicasets', kind: 'ReplicaSet' },
  { group: 'batch', versions: ['v1'], plural: 'jobs', kind: 'Job' },
  { group: 'source.toolkit.fluxcd.io', versions: ['v1', 'v1beta2'], plural: 'gitrepositories', kind: 'GitRepository' },
  { group: 'kustomize.toolkit.fluxcd.io', versions: ['v1', 'v1beta2'], plural: 'kustomizations', kind: 'Kustomization' },
  { group: 'argoproj.io', versions: ['v1alpha1'], plural: 'applications', kind: 'Application' },
  { group: 'postgresql.cnpg.io', versions: ['v1'], plural: 'clusters', kind: 'Cluster' },
  { group: '', versions: ['v1'], plural: 'persistentvolumeclaims', kind: 'PersistentVolumeClaim' },
];

export interface KubeApiServerOptions {
  /** HTTPS with a self-signed certificate for 127.0.0.1 (default), or plain HTTP. */
  tls?: boolean;
  /** The bearer token accepted; default `slipway-test-token`. */
  token?: string;
  /** HTTPS only: a PEM certificate whose holder is let in without a token (client-certificate users). */
  clientCa?: string;
  /** Answers 403 for these plurals (`deployments`, `jobs`) or subresources (`pods/log`), as an API server does for a missing RBAC rule. */
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
  /** A stored object (a copy), e.g. a Job Slipway created; undefined when there is none. */
  get(apiVersion: string, kind: string, namespace: string, name: string): KubeObject | undefined;
  /** Every stored object of a kind in a namespace (copies), in the order they were stored. */
  all(apiVersion: string, kind: string, namespace: string): KubeObject[];
  /**
   * Plays the Job controller and the kubelet for a Job created through the API: `startPod` creates
   * its pod (labelled `job-name` and `batch.kubernetes.io/job-name`, owned by the Job), running or
   * waiting for a reason such as ImagePullBackOff, and counts it active; `finishJob` ends the pod
   * (exit 0, or 1 when failed) and its followed log, and sets the Job's status as the controller does:
   * `succeeded`/`failed` counts, `completionTime`, and the conditions `SuccessCriteriaMet` + `Complete`
   * or `FailureTarget` + `Failed` (reason `BackoffLimitExceeded` unless given, e.g. `DeadlineExceeded`).
   */
  jobs: {
    startPod(namespace: string, job: string, state?: 'running' | { waiting: { reason: string; message: string } }): string;
    finishJob(namespace: string, job: string, outcome: 'Complete' | 'Failed', failure?: { reason: string; message: string }): void;
  };
  /** Runs `step` `ms` after now: the test's timeline ("after 300 ms the artifact moves"). */
  after(ms: number, step: () => void): void;
  stop(): Promise<void>;
}

/**
 * Starts a server on 127.0.0.1 that answers like the Kubernetes API for namespaced GETs and LISTs
 * (label and field selectors) of the resources above and pods' logs (followed too), POST and DELETE
 * of Jobs, with `Status` objects for 400/401/403/404/409, backed by objects and log lines the test
 * puts and changes over time (and the Job controller's moves, played by `jobs`).
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
  const endLog = (namespace: string, pod: string) => {
    for (const reader of followers.get(`${namespace}/${pod}`) ?? []) reader.res.end();
    followers.delete(`${namespace}/${pod}`);
  };

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

  const jobKey = (namespace: string, name: string) => keyOf('batch', 'jobs', namespace, name);
  /** `POST …/namespaces/<ns>/jobs`: stored with a uid and a creation time, answered 201 with the object; 409 when the name is taken. */
  const createJob = (body: unknown, namespace: string, apiVersion: string, send: (status: number, body: unknown) => void) => {
    const job = body as Partial<KubeObject> | undefined;
    const name = job?.metadata?.name;
    if (job?.kind !== 'Job' || job.apiVersion !== apiVersion || typeof name !== 'string') return send(400, status(400, 'BadRequest', 'the body is not a batch/v1 Job with a metadata.name'));
    if (job.metadata!.namespace !== undefined && job.metadata!.namespace !== namespace) {
      return send(400, status(400, 'BadRequest', 'the namespace of the provided object does not match the namespace sent on the request'));
    }
    if (objects.has(jobKey(namespace, name))) return send(409, status(409, 'AlreadyExists', `jobs.batch "${name}" already exists`, { name, group: 'batch', kind: 'jobs' }));
    const stored = { ...structuredClone(job), metadata: { ...job.metadata!, name, namespace, uid: randomUUID(), creationTimestamp: new Date().toISOString(), resourceVersion: String(++resourceVersion) }, status: {} } as KubeObject;
    objects.set(jobKey(namespace, name), stored);
    send(201, structuredClone(stored));
  };
  /** `DELETE …/jobs/<name>`: its pods go too with `propagationPolicy` Background or Foreground (batch/v1's default orphans them). */
  const deleteJob = (body: unknown, namespace: string, name: string, send: (status: number, body: unknown) => void) => {
    const job = objects.get(jobKey(namespace, name));
    if (!job) return send(404, status(404, 'NotFound', `jobs.batch "${name}" not found`, { name, group: 'batch', kind: 'jobs' }));
    objects.delete(jobKey(namespace, name));
    const policy = (body as { propagationPolicy?: string } | undefined)?.propagationPolicy;
    if (policy === 'Background' || policy === 'Foreground') {
      for (const [key, object] of objects) {
        if (key.startsWith(keyOf('', 'pods', namespace, '')) && (object.metadata.labels as Record<string, string> | undefined)?.['job-name'] === name) objects.delete(key);
      }
    }
    send(200, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details: { name, group: 'batch', kind: 'jobs', uid: job.metadata.uid } });
  };
  const jobPods = new Map<string, string>();
  const jobs: KubeApiServer['jobs'] = {
    startPod(namespace, name, state = 'running') {
      const job = objects.get(jobKey(namespace, name));
      if (!job) throw new Error(`no Job ${namespace}/${name} was created`);
      const uid = job.metadata.uid as string;
      const pod = `${name}-${uid.slice(0, 5)}`;
      const template = (job.spec as { template: { metadata?: { labels?: Record<string, string> }; spec: { containers: Array<{ name: string }> } } }).template;
      const labels = { ...template.metadata?.labels, 'job-name': name, 'batch.kubernetes.io/job-name': name, 'controller-uid': uid, 'batch.kubernetes.io/controller-uid': uid };
      const containerState = state === 'running' ? { running: { startedAt: new Date().toISOString() } } : { waiting: state.waiting };
      objects.set(keyOf('', 'pods', namespace, pod), {
        apiVersion: 'v1', kind: 'Pod',
        metadata: { name: pod, namespace, labels, uid: randomUUID(), resourceVersion: String(++resourceVersion), ownerReferences: [{ apiVersion: 'batch/v1', kind: 'Job', name, uid, controller: true, blockOwnerDeletion: true }] },
        spec: structuredClone(template.spec),
        status: { phase: state === 'running' ? 'Running' : 'Pending', containerStatuses: template.spec.containers.map((c) => ({ name: c.name, ready: state === 'running', restartCount: 0, state: containerState })) },
      });
      jobPods.set(`${namespace}/${name}`, pod);
      job.status = { active: 1, ready: state === 'running' ? 1 : 0, startTime: new Date().toISOString() };
      job.metadata.resourceVersion = String(++resourceVersion);
      return pod;
    },
    finishJob(namespace, name, outcome, failure = { reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit' }) {
      const job = objects.get(jobKey(namespace, name));
      if (!job) throw new Error(`no Job ${namespace}/${name} was created`);
      const now = new Date().toISOString();
      const podName = jobPods.get(`${namespace}/${name}`);
      const pod = podName ? objects.get(keyOf('', 'pods', namespace, podName)) : undefined;
      if (pod) {
        const podStatus = pod.status as { phase: string; containerStatuses?: Array<Record<string, unknown>> };
        podStatus.phase = outcome === 'Complete' ? 'Succeeded' : 'Failed';
        // A pod that was never scheduled has no container statuses to end.
        for (const container of podStatus.containerStatuses ?? []) {
          container.ready = false;
          container.state = { terminated: { exitCode: outcome === 'Complete' ? 0 : 1, reason: outcome === 'Complete' ? 'Completed' : 'Error', finishedAt: now } };
        }
        pod.metadata.resourceVersion = String(++resourceVersion);
        endLog(namespace, podName!);
      }
      const started = (job.status as { startTime?: string } | undefined)?.startTime ?? now;
      const condition = (type: string, reason: string, message: string) => ({ type, status: 'True', reason, message, lastProbeTime: now, lastTransitionTime: now });
      job.status = outcome === 'Complete'
        ? { startTime: started, completionTime: now, succeeded: 1, ready: 0, terminating: 0, uncountedTerminatedPods: {}, conditions: [condition('SuccessCriteriaMet', 'CompletionsReached', 'Reached expected number of succeeded pods'), condition('Complete', 'CompletionsReached', 'Reached expected number of succeeded pods')] }
        : { startTime: started, failed: 1, ready: 0, terminating: 0, uncountedTerminatedPods: {}, conditions: [condition('FailureTarget', failure.reason, failure.message), condition('Failed', failure.reason, failure.message)] };
      job.metadata.resourceVersion = String(++resourceVersion);
    },
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
    const method = req.method ?? 'GET';
    // Slipway writes only Jobs: POST to their collection, DELETE of one.
    const writable = route !== undefined && resource?.plural === 'jobs' && route.subresource === undefined && ((method === 'POST' && route.name === undefined) || (method === 'DELETE' && route.name !== undefined));
    if (!route || !resource || !known || (method !== 'GET' && !writable)) return send(404, status(404, 'NotFound', 'the server could not find the requested resource'));
    const qualified = resource.group ? `${resource.plural}.${resource.group}` : resource.plural;
    const rbacResource = route.subresource ? `${resource.plural}/${route.subresource}` : resource.plural;
    if (options.forbidden?.includes(rbacResource)) {
      const verb = method === 'POST' ? 'create' : method === 'DELETE' ? 'delete' : route.name === undefined ? 'list' : 'get';
      const what = route.name === undefined ? qualified : `${qualified} "${route.name}"`;
      return send(403, status(403, 'Forbidden', `${what} is forbidden: User "system:serviceaccount:slipway:slipway" cannot ${verb} resource "${rbacResource}" in API group "${resource.group}" in the namespace "${route.namespace}"`, { ...(route.name ? { name: route.name } : {}), group: resource.group, kind: resource.plural }));
    }
    if (route.subresource === 'log') return podLog(url, route.namespace, route.name!, send, res);
    const apiVersion = resource.group ? `${resource.group}/${route.version}` : route.version;
    if (method === 'POST') return void readJson(req).then((body) => createJob(body, route.namespace, apiVersion, send));
    if (method === 'DELETE') return void readJson(req).then((body) => deleteJob(body, route.namespace, route.name!, send));
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
        if (['', 'apps', 'batch'].includes(resource.group)) {
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
    endLog,
    get(apiVersion, kind, namespace, name) {
      const resource = resourceOf(apiVersion, kind);
      const object = objects.get(keyOf(resource.group, resource.plural, namespace, name));
      return object && structuredClone(object);
    },
    all(apiVersion, kind, namespace) {
      const resource = resourceOf(apiVersion, kind);
      const prefix = keyOf(resource.group, resource.plural, namespace, '');
      return [...objects.entries()].filter(([key]) => key.startsWith(prefix)).map(([, object]) => structuredClone(object));
    },
    jobs,
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

/** A request's JSON body (undefined when it has none or it is not JSON). */
async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    return undefined;
  }
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
