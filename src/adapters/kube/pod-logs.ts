import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { PassThrough, type Readable } from 'node:stream';
import { CancelledError, ConfigError, ConflictError, NotFoundError } from '../../domain/errors.ts';
import type { ClusterLogs, LogOptions } from '../../ports/index.ts';
import type { KubeAccess } from '../../ports/kube-access.ts';
import { deploymentPath, KubeApiError, KubeClient, kubePath, newReplicaSet, podsOf, type Deployment, type Pod } from '../watcher/index.ts';

export interface KubePodLogsOptions {
  access: KubeAccess;
  /** The namespace an app of environment `env` runs in (undefined: the default environment). */
  namespaceFor: (env?: string) => string;
  now?: () => Date;
}

/** Every pod of a rollout is read; a homelab app has a handful, and this keeps a mistake from opening hundreds of streams. */
const MAX_PODS = 20;

// The kubelet puts the time first on each line with `timestamps=true`: RFC 3339 with nanoseconds.
const STAMPED = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})) (.*)$/;

/**
 * An app's output on the cluster through the Kubernetes API, as `kubectl logs` reads it: the app's
 * Deployment → its current ReplicaSet (the highest revision it owns) → that ReplicaSet's pods → each
 * pod's log (`GET /api/v1/namespaces/<ns>/pods/<pod>/log`, the app container, `tailLines` per pod,
 * `sinceSeconds`, `follow`), every line prefixed `[<pod>] `. Without `follow` the pods' lines are put
 * in the order they were written (the kubelet's timestamps); with it they are merged as they arrive,
 * until every pod's stream ends (the pods went away) or the signal aborts.
 *
 * @example
 * const logs = new KubePodLogs({ access, namespaceFor: () => 'dynamic-apps' });
 * for await (const line of await logs.open('pomodoro', { tail: 50, follow: false })) console.log(line);
 */
export class KubePodLogs implements ClusterLogs {
  readonly #kube: KubeClient;
  readonly #namespaceFor: (env?: string) => string;
  readonly #now: () => Date;

  constructor(options: KubePodLogsOptions) {
    this.#kube = new KubeClient(options.access);
    this.#namespaceFor = options.namespaceFor;
    this.#now = options.now ?? (() => new Date());
  }

  async open(app: string, options: LogOptions & { env?: string }): Promise<AsyncIterable<string>> {
    const namespace = this.#namespaceFor(options.env);
    try {
      const pods = await this.#pods(app, namespace, options.signal);
      const streams = await Promise.all(pods.map(async (pod) => ({ pod: pod.metadata!.name!, body: await this.#kube.stream(this.#logPath(app, namespace, pod, options), options.signal) })));
      return options.follow ? merged(streams, options.signal) : inWrittenOrder(streams);
    } catch (error) {
      throw explained(error, app, namespace);
    }
  }

  async #pods(app: string, namespace: string, signal?: AbortSignal): Promise<Pod[]> {
    const found = await this.#kube.read<Deployment>(deploymentPath(namespace, app), signal);
    if (found.status !== 'found') {
      throw new NotFoundError(`${app} has no Deployment in namespace ${namespace} on the cluster`, {
        hint: `Its manifests may not be applied yet: see \`slipway status ${app}\`, and whether the GitOps engine reconciled them.`,
      });
    }
    const deployment = found.object;
    const replicaSet = await newReplicaSet(this.#kube, deployment, signal);
    const uid = replicaSet?.metadata?.uid;
    const pods = replicaSet ? (await podsOf(this.#kube, deployment, replicaSet, signal, MAX_PODS)).filter((pod) => !uid || pod.metadata?.ownerReferences?.some((ref) => ref.uid === uid)) : [];
    if (pods.length === 0) {
      const scaledDown = deployment.spec?.replicas === 0;
      throw new ConflictError(`${app} has no pods in namespace ${namespace}${replicaSet?.metadata?.name ? ` (its current ReplicaSet is ${replicaSet.metadata.name})` : ''}, so there is no output to show`, {
        hint: scaledDown
          ? `Its Deployment is scaled to 0 replicas: scale it up (kubectl scale deployment/${app} --replicas 1 -n ${namespace}) to run it again.`
          : `Its pods may not be created or scheduled yet: see \`slipway status ${app}\`, or kubectl get pods -n ${namespace} -l app.kubernetes.io/name=${app}.`,
      });
    }
    return pods;
  }

  #logPath(app: string, namespace: string, pod: Pod, options: LogOptions): string {
    const containers = pod.spec?.containers?.map((c) => c.name) ?? [];
    // The app's own container: named after the app by Slipway's renderer, else the pod's first.
    const container = containers.includes(app) ? app : containers[0];
    const query = new URLSearchParams({
      ...(container ? { container } : {}),
      tailLines: String(options.tail),
      ...(options.since ? { sinceSeconds: String(Math.max(1, Math.ceil((this.#now().getTime() - options.since.getTime()) / 1000))) } : {}),
      follow: String(options.follow),
      timestamps: 'true',
    });
    return `${kubePath('v1', 'pods', namespace, pod.metadata!.name!)}/log?${query}`;
  }
}

/** The RBAC rules reading an app's logs takes, in the apps namespace. */
export const POD_LOGS_RULES = ['get deployments', 'list replicasets', 'list pods', 'get pods/log'] as const;

/** Refusals in words a person acts on: a 403 names every permission reading logs needs, with a Role to grant them. */
function explained(error: unknown, app: string, namespace: string): unknown {
  if (!(error instanceof KubeApiError) || error.status !== 403) return error;
  const refusal = error.message.replace(`${error.service}: `, '');
  const subject = subjectOf(refusal);
  return new ConfigError(
    `Slipway may not read the logs of ${app}: the Kubernetes API refused it (${refusal}). It needs ${POD_LOGS_RULES.join(', ')} in namespace ${namespace}`,
    { hint: `Grant them with a Role and a RoleBinding (kubectl apply -f -):\n${roleSnippet(namespace, subject)}`, cause: error },
  );
}

/** Who the API server says asked (`User "system:serviceaccount:slipway:slipway"`), as a RoleBinding subject. */
function subjectOf(message: string): string {
  const user = /User "([^"]+)"/.exec(message)?.[1];
  const account = user && /^system:serviceaccount:([^:]+):([^:]+)$/.exec(user);
  if (account) return `{ kind: ServiceAccount, name: ${account[2]}, namespace: ${account[1]} }`;
  return `{ kind: User, name: ${JSON.stringify(user ?? '<the user in your kubeconfig>')}, apiGroup: rbac.authorization.k8s.io }`;
}

function roleSnippet(namespace: string, subject: string): string {
  return [
    'apiVersion: rbac.authorization.k8s.io/v1',
    'kind: Role',
    `metadata: { name: slipway-logs, namespace: ${namespace} }`,
    'rules:',
    '  - { apiGroups: [apps], resources: [deployments], verbs: [get] }',
    '  - { apiGroups: [apps], resources: [replicasets], verbs: [list] }',
    '  - { apiGroups: [""], resources: [pods], verbs: [list] }',
    '  - { apiGroups: [""], resources: [pods/log], verbs: [get] }',
    '---',
    'apiVersion: rbac.authorization.k8s.io/v1',
    'kind: RoleBinding',
    `metadata: { name: slipway-logs, namespace: ${namespace} }`,
    'roleRef: { apiGroup: rbac.authorization.k8s.io, kind: Role, name: slipway-logs }',
    `subjects: [${subject}]`,
  ].join('\n');
}

interface PodStream {
  pod: string;
  body: Readable;
}

/** A pod's log lines, each split into the kubelet's time and the text prefixed with the pod's name. */
async function* stampedLines({ pod, body }: PodStream): AsyncGenerator<{ at: string; line: string }> {
  for await (const raw of createInterface({ input: body, crlfDelay: Infinity })) {
    const stamped = STAMPED.exec(raw);
    yield { at: stamped?.[1] ?? '', line: `[${pod}] ${stamped ? stamped[2] : raw}` };
  }
}

/** Every pod's lines read to the end, then given in the order they were written (a pod's own order kept on equal times). */
async function* inWrittenOrder(streams: PodStream[]): AsyncGenerator<string> {
  const all = (await Promise.all(streams.map(async (stream) => {
    const lines: Array<{ at: string; line: string }> = [];
    for await (const entry of stampedLines(stream)) lines.push(entry);
    return lines;
  }))).flat();
  const time = (at: string) => (at ? Date.parse(at) : 0);
  yield* all.sort((a, b) => time(a.at) - time(b.at)).map((entry) => entry.line);
}

/** The pods' lines as they arrive, until every stream ends or `signal` aborts (then quietly). */
async function* merged(streams: PodStream[], signal?: AbortSignal): AsyncGenerator<string> {
  const out = new PassThrough({ objectMode: true });
  let open = streams.length;
  for (const stream of streams) {
    void (async () => {
      try {
        for await (const { line } of stampedLines(stream)) {
          // Ended early (the reader left): the other pods' lines have nowhere to go.
          if (out.writableEnded) break;
          if (!out.write(line)) await once(out, 'drain');
        }
      } catch (error) {
        if (!signal?.aborted) out.destroy(error as Error);
      } finally {
        if (--open === 0) out.end();
      }
    })();
  }
  const stop = () => out.end();
  signal?.addEventListener('abort', stop, { once: true });
  try {
    for await (const line of out) yield line as string;
  } catch (error) {
    if (!(error instanceof CancelledError) && !signal?.aborted) throw error;
  } finally {
    signal?.removeEventListener('abort', stop);
    for (const stream of streams) stream.body.destroy();
  }
}
