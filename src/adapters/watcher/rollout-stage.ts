import type { KubeReader } from '../../ports/watch-stages.ts';
import { conditionOf, type Deployment } from './kube-objects.ts';
import { timeoutReport, type Probe, type StageSpec } from './stage-runner.ts';
import { deploymentPath, explainWorkload, HOPELESS_REASONS, newReplicaSet, podProblems, podsOf } from './workload.ts';

export interface RolloutTarget {
  namespace: string;
  app: string;
}

/**
 * Stage `rollout`: the Deployment (named after the app) has observed its current generation and
 * runs every wanted replica, updated and available, from its new ReplicaSet — what
 * `kubectl rollout status` waits for. Fails when the Deployment reports ProgressDeadlineExceeded
 * or a pod can never start (InvalidImageName); on failure or timeout, pod problems
 * (ImagePullBackOff, CrashLoopBackOff, Unschedulable) and events explain it. `also` adds an
 * engine's own verdict (Argo CD health) that must be ok too.
 *
 * @example
 * const spec = rolloutStage(kube, { namespace: 'dynamic-apps', app: 'pomodoro' });
 */
export function rolloutStage(kube: KubeReader, target: RolloutTarget, also?: (signal: AbortSignal) => Promise<Probe>): StageSpec {
  const { namespace, app } = target;
  const label = `Deployment ${namespace}/${app}`;
  return {
    stage: 'rollout',
    async check(signal) {
      const deployment = await deploymentProbe(kube, target, signal);
      if (deployment.state === 'fail' || !also) return deployment;
      const engine = await also(signal);
      if (engine.state === 'fail') return engine;
      if (deployment.state === 'ok' && engine.state === 'ok') return { state: 'ok', detail: `${deployment.detail}; ${engine.detail}` };
      return deployment.state === 'wait' ? deployment : engine;
    },
    timeout: timeoutReport(label, { verb: 'created', hint: `Check that the app's manifests create a Deployment named ${app} in namespace ${namespace} (the Kustomization's targetNamespace).` }, (wait, waited) => {
      return {
        reason: wait.reason ?? 'Timeout',
        message: `${label} was not available within ${waited}: ${wait.message ?? wait.detail}`,
        hint: `Look at the pods: kubectl -n ${namespace} describe deployment ${app}; raise the rollout timeout if the app is slow to start.`,
      };
    }),
    failHint: `Fix the image or the manifests and push again; kubectl -n ${namespace} describe deployment ${app} shows the rest.`,
    explain: (signal) => explainWorkload(kube, namespace, app, signal),
  };
}

async function deploymentProbe(kube: KubeReader, { namespace, app }: RolloutTarget, signal: AbortSignal): Promise<Probe> {
  const label = `Deployment ${namespace}/${app}`;
  const read = await kube.read<Deployment>(deploymentPath(namespace, app), signal);
  if (read.status !== 'found') return { state: 'wait', detail: `${label} not found yet`, reason: 'NotFound', message: `${label} not found yet` };
  const deployment = read.object;
  const status = deployment.status ?? {};
  const generation = deployment.metadata?.generation ?? 0;
  if ((status.observedGeneration ?? 0) < generation) {
    return { state: 'wait', detail: `${label}: the controller has not seen generation ${generation} yet` };
  }
  const progressing = conditionOf(status.conditions, 'Progressing');
  if (progressing?.status === 'False' && progressing.reason === 'ProgressDeadlineExceeded') {
    return { state: 'fail', detail: `${label} stopped progressing`, reason: progressing.reason, message: progressing.message ?? 'the rollout exceeded its progress deadline' };
  }
  const wanted = deployment.spec?.replicas ?? 1;
  const updated = status.updatedReplicas ?? 0;
  const available = status.availableReplicas ?? 0;
  const total = status.replicas ?? 0;
  const replicaSet = await newReplicaSet(kube, deployment, signal);
  const rsName = replicaSet?.metadata?.name;
  let waiting: string | undefined;
  if (deployment.spec?.paused) waiting = 'the rollout is paused';
  else if (updated < wanted) waiting = `${updated} of ${wanted} replicas updated`;
  else if (total > updated) waiting = `${total - updated} old replicas still terminating`;
  else if (available < updated) waiting = `${available} of ${updated} updated replicas available`;
  if (!waiting) return { state: 'ok', detail: `${label} available: ${available}/${wanted} on ReplicaSet ${rsName ?? '(unknown)'}` };
  const problems = podProblems(await podsOf(kube, deployment, replicaSet, signal));
  const hopeless = problems.find((p) => HOPELESS_REASONS.has(p.reason));
  if (hopeless) return { state: 'fail', detail: `${label}: pod ${hopeless.pod} cannot start`, reason: hopeless.reason, message: hopeless.message };
  const first = problems[0];
  const detail = `${label}: ${waiting}${rsName ? ` (ReplicaSet ${rsName})` : ''}`;
  if (first) return { state: 'wait', detail, reason: first.reason, message: `pod ${first.pod}: ${first.message}` };
  return { state: 'wait', detail, ...(progressing?.reason ? { reason: progressing.reason, message: progressing.message ?? waiting } : {}) };
}
