import type { KubeReader } from '../../ports/watch-stages.ts';
import { kubePath } from './kube-client.ts';
import { eventsFor, type EventSubject } from './kube-events.ts';
import { conditionOf, labelSelector, type ContainerStatus, type Deployment, type Pod, type ReplicaSet } from './kube-objects.ts';
import type { Explanation } from './stage-runner.ts';

/** A pod that is not starting, and why, e.g. ImagePullBackOff with the kubelet's message. */
export interface PodProblem {
  pod: string;
  reason: string;
  message: string;
}

/** Waiting reasons that are only the normal way to start a container. */
const STARTING = new Set(['ContainerCreating', 'PodInitializing']);

/** Waiting reasons that no amount of waiting fixes: the rollout is reported failed at once. */
export const HOPELESS_REASONS = new Set(['InvalidImageName', 'ErrImageNeverPull']);

const REVISION_ANNOTATION = 'deployment.kubernetes.io/revision';

/** Pods looked at for problems and events: a homelab app has one or two. */
const MAX_PODS = 5;

export function deploymentPath(namespace: string, name: string): string {
  return kubePath('apps/v1', 'deployments', namespace, name);
}

/**
 * The Deployment's current ReplicaSet: owned by it, with the Deployment's own revision annotation
 * (the controller copies it there), else the highest revision among those it owns.
 */
export async function newReplicaSet(kube: KubeReader, deployment: Deployment, signal?: AbortSignal): Promise<ReplicaSet | undefined> {
  const namespace = deployment.metadata?.namespace ?? '';
  const selector = labelSelector(deployment.spec?.selector?.matchLabels);
  if (!selector) return undefined;
  const uid = deployment.metadata?.uid;
  const owned = (await kube.list<ReplicaSet>(kubePath('apps/v1', 'replicasets', namespace), { labelSelector: selector }, signal)).filter(
    (rs) => !uid || rs.metadata?.ownerReferences?.some((ref) => ref.uid === uid),
  );
  const revision = (rs: ReplicaSet) => Number(rs.metadata?.annotations?.[REVISION_ANNOTATION] ?? 0);
  const wanted = deployment.metadata?.annotations?.[REVISION_ANNOTATION];
  return owned.find((rs) => wanted !== undefined && rs.metadata?.annotations?.[REVISION_ANNOTATION] === wanted) ?? owned.sort((a, b) => revision(b) - revision(a))[0];
}

/**
 * The pods of `replicaSet` (by its pod-template-hash), or of the whole Deployment when it is unknown:
 * the first `limit` by name (a few are enough to explain a rollout).
 */
export async function podsOf(kube: KubeReader, deployment: Deployment, replicaSet: ReplicaSet | undefined, signal?: AbortSignal, limit = MAX_PODS): Promise<Pod[]> {
  const namespace = deployment.metadata?.namespace ?? '';
  const labels = { ...deployment.spec?.selector?.matchLabels };
  const hash = replicaSet?.metadata?.labels?.['pod-template-hash'];
  if (hash) labels['pod-template-hash'] = hash;
  const selector = labelSelector(labels);
  if (!selector) return [];
  const pods = await kube.list<Pod>(kubePath('v1', 'pods', namespace), { labelSelector: selector }, signal);
  return pods.sort((a, b) => (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? '')).slice(0, limit);
}

/**
 * Why pods are not running, from their statuses: a container waiting for a reason other than
 * starting (ImagePullBackOff, CrashLoopBackOff with the last exit), or a pod the scheduler cannot place.
 */
export function podProblems(pods: readonly Pod[]): PodProblem[] {
  const problems: PodProblem[] = [];
  for (const pod of pods) {
    const name = pod.metadata?.name ?? '?';
    const statuses: ContainerStatus[] = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];
    for (const container of statuses) {
      const waiting = container.state?.waiting;
      if (!waiting?.reason || STARTING.has(waiting.reason)) continue;
      const exit = container.lastState?.terminated;
      const lastExit = exit ? ` (last exit: ${exit.reason ?? 'terminated'}${exit.exitCode === undefined ? '' : `, code ${exit.exitCode}`})` : '';
      problems.push({ pod: name, reason: waiting.reason, message: `${waiting.message ?? `container ${container.name} is waiting`}${lastExit}` });
    }
    const scheduled = conditionOf(pod.status?.conditions, 'PodScheduled');
    if (scheduled?.status === 'False') problems.push({ pod: name, reason: scheduled.reason ?? 'Unschedulable', message: scheduled.message ?? 'the pod cannot be scheduled' });
  }
  return problems;
}

export function formatProblem(problem: PodProblem): string {
  return `pod ${problem.pod}: ${problem.reason}: ${problem.message}`;
}

/**
 * Pod problems and events of the app's Deployment, its current ReplicaSet and pods, plus the
 * events of `extra` subjects (the Flux Kustomization, say). Best effort: what cannot be read is left out.
 *
 * @example
 * const { events, problems } = await explainWorkload(kube, 'dynamic-apps', 'pomodoro', signal);
 */
export async function explainWorkload(kube: KubeReader, namespace: string, name: string, signal: AbortSignal, extra: EventSubject[] = []): Promise<Explanation> {
  const subjects: EventSubject[] = [...extra, { namespace, kind: 'Deployment', name }];
  let problems: PodProblem[] = [];
  try {
    const read = await kube.read<Deployment>(deploymentPath(namespace, name), signal);
    if (read.status === 'found') {
      const deployment = read.object;
      const replicaSet = await newReplicaSet(kube, deployment, signal);
      const pods = await podsOf(kube, deployment, replicaSet, signal);
      if (replicaSet?.metadata?.name) subjects.push({ namespace, kind: 'ReplicaSet', name: replicaSet.metadata.name });
      for (const pod of pods) if (pod.metadata?.name) subjects.push({ namespace, kind: 'Pod', name: pod.metadata.name });
      problems = podProblems(pods);
    }
  } catch (error) {
    if (signal.aborted) throw error;
  }
  return { events: await eventsFor(kube, subjects, signal), problems: problems.map(formatProblem) };
}
