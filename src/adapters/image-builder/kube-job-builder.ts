import { setTimeout as delay } from 'node:timers/promises';
import { CancelledError, ConfigError, ExternalServiceError, InputError } from '../../domain/errors.ts';
import type { BuildRequest, BuildResult, ImageBuilder, ImageRegistry } from '../../ports/index.ts';
import { BUILD_CONTAINER, renderBuildJob, type BuildJobSettings } from '../../render/build-job.ts';
import { KubeApiError, kubePath, type KubeClient } from '../watcher/index.ts';
import { followJobLog, type JobLog } from './kube-job-log.ts';
import { jobOutcome, podWaiting, type Job, type JobPod } from './kube-job-status.ts';

export interface KubeJobBuilderOptions {
  kube: KubeClient;
  /** The registry client the pushed image's digest is read with. */
  registry: Pick<ImageRegistry, 'headManifest' | 'getManifest'>;
  settings: BuildJobSettings;
  /** How often the Job is read while it runs. */
  pollMs?: number;
}

/** How many of the build's last log lines a failure shows. */
const TAIL_LINES = 15;
/** How much of a build's log is read when it ended before it could be followed. */
const UNFOLLOWED_LINES = 500;
/** Time the Job's end has, beyond its own deadline, to show in its status before Slipway stops waiting. */
const GRACE_MS = 60_000;

/**
 * Builds an app that brings a Dockerfile in the cluster: creates a Job (rootless BuildKit, see
 * src/render/build-job.ts) that builds the source repo at the run's commit and pushes the image,
 * follows it through the Kubernetes API as a rollout is followed (the pod's log lines go to the run
 * as they come; a pod that cannot start is said why), then reads the pushed tag's digest from the
 * registry. A cancelled build deletes its Job (and pod).
 * @example
 * const builder = new KubeJobBuilder({ kube: new KubeClient(access), registry, settings: config.build.cluster });
 * await builder.build({ ...request, source: { app, runId, url, commit, path: app }, onLog: (line) => logger.info(line) });
 */
export class KubeJobBuilder implements ImageBuilder {
  readonly #options: KubeJobBuilderOptions;

  constructor(options: KubeJobBuilderOptions) {
    this.#options = options;
  }

  async build(request: BuildRequest, signal?: AbortSignal): Promise<BuildResult> {
    const { settings, kube } = this.#options;
    const { source, target } = request;
    if (!source) throw new InputError('a cluster build needs the commit its source is in, and none was given');
    if (target.kind !== 'registry') {
      throw new ConfigError(`a build in the cluster can only push to a registry, not to the OCI layout ${target.dir}`, { hint: 'Set registry.host (the cluster pulls from it too), or build Dockerfiles here with build.dockerfile: buildah.' });
    }
    const ref = `${target.ref.registry}/${target.ref.repository}:${target.ref.tag ?? 'latest'}`;
    const job = renderBuildJob({
      app: source.app, runId: source.runId, source: { url: source.url, commit: source.commit, path: source.path },
      dockerfile: 'Dockerfile', ref, insecure: request.insecure === true, platforms: request.platforms, labels: request.labels ?? {},
    }, settings);
    const name = job.metadata.name;
    const where = `${settings.namespace}/${name}`;
    const say = request.onLog ?? (() => undefined);
    await kube.request('POST', kubePath('batch/v1', 'jobs', settings.namespace), job, signal ? { signal } : {}).catch((error: unknown) => {
      throw explained(error, settings.namespace, `create the build Job ${where}`);
    });
    say(`build Job ${where} created: BuildKit builds ${source.url} at ${source.commit.slice(0, 7)} (${source.path}/Dockerfile) and pushes ${ref}`);
    try {
      await this.#follow(name, say, signal);
    } catch (error) {
      if (signal?.aborted) {
        await this.#delete(name).catch(() => undefined);
        throw new CancelledError(`image build cancelled: the build Job ${where} was deleted`);
      }
      throw error;
    }
    const repository = target.ref.repository;
    const head = await this.#options.registry.headManifest(target.ref.registry, repository, target.ref.tag ?? 'latest', signal);
    const digest = head?.digest ?? (head ? (await this.#options.registry.getManifest(target.ref.registry, repository, target.ref.tag ?? 'latest', signal)).digest : undefined);
    if (!digest) {
      throw new ExternalServiceError('registry', `the build Job ${where} succeeded, but ${ref} is not in the registry`, {
        hint: `Check that the Job pushes where Slipway reads: the registry the cluster reaches as ${target.ref.registry} must be the one Slipway reaches by that name.`,
      });
    }
    return {
      image: `${target.ref.registry}/${repository}@${digest}`, digest, platforms: request.platforms.map(String),
      // BuildKit reports neither layers nor bytes to Slipway; 0 means "not measured".
      layers: 0, bytesUploaded: 0, blobsSkipped: 0,
    };
  }

  /** Reads the Job until it succeeds (returns) or fails (throws, naming the Job and the build's last lines). */
  async #follow(name: string, say: (line: string) => void, signal?: AbortSignal): Promise<void> {
    const { kube, settings } = this.#options;
    const where = `${settings.namespace}/${name}`;
    const deadline = Date.now() + settings.timeoutSeconds * 1000 + GRACE_MS;
    let log: JobLog | undefined;
    let waitingSaid: string | undefined;
    const tail = () => log?.tail(TAIL_LINES) ?? [];
    try {
      for (;;) {
        const read = await kube.read<Job>(kubePath('batch/v1', 'jobs', settings.namespace, name), signal).catch((error: unknown) => {
          throw explained(error, settings.namespace, `read the build Job ${where}`);
        });
        if (read.status !== 'found') throw new ExternalServiceError('kubernetes', `the build Job ${where} is gone before it finished`, { hint: 'Someone or something deleted it; ship again to build anew.' });
        const pods = await kube.list<JobPod>(kubePath('v1', 'pods', settings.namespace), { labelSelector: `job-name=${name}` }, signal).catch((error: unknown) => {
          throw explained(error, settings.namespace, `list the pods of the build Job ${where}`);
        });
        const pod = pods[0];
        const stuck = pod ? podWaiting(pod) : undefined;
        const waiting = stuck?.text;
        if (waiting && waiting !== waitingSaid) say(`build pod ${pod!.metadata?.name}: ${waiting}`);
        // Kept once said: a pod that never ran is the explanation of a Job that then times out.
        if (waiting) waitingSaid = waiting;
        if (stuck?.hopeless) {
          await this.#delete(name).catch(() => undefined);
          throw failed(settings.namespace, name, 'its pod cannot start, so the Job was deleted', [], waiting);
        }
        const outcome = jobOutcome(read.object);
        if (outcome.done) {
          await log?.settled(2000);
          // A build that ended between two reads was never followed: its log is read once, now.
          const missed = !log && pod?.metadata?.name ? await readLog(kube, settings.namespace, pod.metadata.name, UNFOLLOWED_LINES) : [];
          for (const line of missed) say(line);
          if (outcome.succeeded) return;
          const lines = log ? tail() : missed.slice(-TAIL_LINES);
          throw failed(settings.namespace, name, outcome.reason, lines, lines.length === 0 ? waitingSaid : undefined);
        }
        if (Date.now() > deadline) throw failed(settings.namespace, name, `it did not end within ${settings.timeoutSeconds} s`, tail(), tail().length === 0 ? waitingSaid : undefined);
        if (pod?.metadata?.name && !log && !waiting && pod.status?.phase !== 'Pending') {
          log = followJobLog(kube, settings.namespace, pod.metadata.name, BUILD_CONTAINER, say, signal);
        }
        await delay(this.#options.pollMs ?? 1000, undefined, signal ? { signal } : {});
      }
    } finally {
      log?.stop();
    }
  }

  /** Deletes the Job and, in the background, its pod (batch/v1 would leave the pod behind by default). */
  async #delete(name: string): Promise<void> {
    const { kube, settings } = this.#options;
    await kube.request('DELETE', kubePath('batch/v1', 'jobs', settings.namespace, name), { apiVersion: 'v1', kind: 'DeleteOptions', propagationPolicy: 'Background' });
  }
}

/** The last `lines` lines of a build container that finished before its log was followed (best effort). */
async function readLog(kube: KubeClient, namespace: string, pod: string, lines: number): Promise<string[]> {
  try {
    const body = await kube.stream(`${kubePath('v1', 'pods', namespace, pod)}/log?container=${BUILD_CONTAINER}&tailLines=${lines}`);
    const chunks: Buffer[] = [];
    for await (const chunk of body) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8').split('\n').filter((line) => line !== '');
  } catch {
    return [];
  }
}

/**
 * The rule a 403 shows is missing, from the API server's message (`… cannot create resource "jobs"
 * in API group "batch" …`): `the rule verbs [create] on jobs in API group batch`.
 */
export function rbacProblem(message: string): string {
  const match = /cannot (\w+) resource "([^"]+)" in API group "([^"]*)"/.exec(message);
  if (!match) return 'a rule this request needs';
  const [, verb, resource, group] = match;
  return `the rule verbs [${verb}] on ${resource} in API group ${group === '' ? '"" (core)' : group}`;
}

/** A failed build as the run shows it: the Job, the controller's reason, the build's last lines (or why its pod never ran) and what to do. */
function failed(namespace: string, name: string, reason: string, lines: string[], waiting: string | undefined): ExternalServiceError {
  const shown = lines.length > 0 ? `\nlast lines of its log:\n${lines.map((line) => `  ${line}`).join('\n')}` : '';
  const stuck = waiting ? `; its pod was ${waiting}` : '';
  return new ExternalServiceError('kubernetes', `the build Job ${namespace}/${name} failed: ${reason}${stuck}${shown}`, {
    hint: waiting?.startsWith('Unschedulable')
      ? 'The build pod was never placed on a node: lower build.cluster.resources, or make room on the nodes, then ship again.'
      : waiting
        ? 'The build pod never ran: check build.cluster.image (can the nodes pull it?) and the namespace\'s quota, then ship again.'
        : `Fix the Dockerfile (or what it fetches) and ship again; \`kubectl logs -n ${namespace} job/${name}\` shows the whole log for an hour.`,
  });
}

/**
 * A Kubernetes API error about the build namespace as the person running Slipway can act on it: a
 * 403 names the RBAC rule that is missing, a missing namespace says how to create it.
 * @example throw explained(error, 'slipway-builds', 'create the build Job slipway-builds/notes-build-ab12cd');
 */
export function explained(error: unknown, namespace: string, doing: string): unknown {
  if (!(error instanceof KubeApiError)) return error;
  if (error.status === 403) {
    const rule = rbacProblem(error.message);
    // The API server's own words, without the service prefix ExternalServiceError adds.
    const said = error.message.replace(/^kubernetes: /, '');
    return new ConfigError(`Slipway may not ${doing}: ${said}`, {
      hint: `Its Role in ${namespace} lacks ${rule}. The Role slipway-builder (written by \`slipway bootstrap\`) allows create/get/list/watch/delete on jobs (batch), get/list/watch on pods and get on pods/log; apply it and bind it to Slipway's ServiceAccount.`,
    });
  }
  if (error.status === 404 && error.message.includes('namespaces')) {
    return new ConfigError(`Slipway cannot ${doing}: ${error.message.replace(/^kubernetes: /, '')}`, { hint: `Create the namespace ${namespace} (\`slipway bootstrap\` writes it), or set build.cluster.namespace.` });
  }
  return error;
}
