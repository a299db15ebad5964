import { FIRST_VERSION, isVersion, type Version } from '../domain/index.ts';
import type { CommitInfo, GitRepo, RunStore } from '../ports/index.ts';
import { generatorName, planOutput } from '../steps/app-plan/index.ts';
import { sourceChangeOutput } from '../steps/source-change/index.ts';
import { BuiltImage } from '../steps/image-build/index.ts';

/** The environment an app runs in when slipway.yaml names none. */
export const DEFAULT_ENV = 'prod';

/** One version of an app, as `slipway versions` lists it. */
export interface AppVersion {
  version: Version;
  /** The pinned reference `<repo>/<app>:<tag>@sha256:…` ('' when an older Slipway did not record it). */
  image: string;
  digest: string;
  sourceCommit: string;
  gitopsCommit: string;
  runId: string;
  action: 'create' | 'change' | 'rollback' | 'promote';
  /** What was asked for: the run's request when the run is known, else the commit's subject. */
  request: string;
  /** When the manifests were committed (ISO 8601, UTC). */
  at: string;
  env: string;
  /** What made the code (`templates`, `model gpt-4.1`), when the run is known. */
  generator?: string;
}

/** The manifests commits' `Slipway-Action` for each action that ships a version (a create's is `deploy`). */
const ACTIONS: Record<string, AppVersion['action']> = { deploy: 'create', change: 'change', rollback: 'rollback', promote: 'promote' };

/**
 * An app's versions, newest first, read from the GitOps repo's history (the truth: a rebuilt state
 * reads the same). Only the app's present life counts: a `remove` commit ends the history before
 * it, so an app created again after a delete starts over at v1.0.0. A create committed before
 * versions existed (no `Slipway-Version`) reads as v1.0.0 in the default environment.
 * @example const [current] = await appVersions(gitopsRepo, 'pomodoro', { env: 'prod', runs });
 */
export async function appVersions(gitops: GitRepo, app: string, options: {
  /** Only this environment's versions; all when absent. */
  env?: string;
  /** The environment of commits that name none (default `prod`). */
  defaultEnv?: string;
  /** Where the runs' requests and generators are read from, when they are known. */
  runs?: Pick<RunStore, 'getRun' | 'stepOutput'>;
} = {}): Promise<AppVersion[]> {
  const defaultEnv = options.defaultEnv ?? DEFAULT_ENV;
  const ended = new Set<string>();
  let allEnded = false;
  const versions: AppVersion[] = [];
  for (const commit of await gitops.log()) {
    const t = commit.trailers;
    if (t['Slipway-App'] !== app) continue;
    const env = t['Slipway-Env'] ?? defaultEnv;
    if (t['Slipway-Action'] === 'remove') {
      // A removal without an environment removed the app everywhere.
      if (t['Slipway-Env'] === undefined) allEnded = true;
      else ended.add(env);
      continue;
    }
    const action = ACTIONS[t['Slipway-Action'] ?? ''];
    if (!action || allEnded || ended.has(env) || (options.env !== undefined && env !== options.env)) continue;
    versions.push(await versionOf(commit, { app, action, env, ...(options.runs ? { runs: options.runs } : {}) }));
  }
  return versions;
}

/** The version an environment runs now: its newest (undefined when it runs none). */
export function currentVersion(versions: AppVersion[], env: string): Version | undefined {
  return versions.find((v) => v.env === env)?.version;
}

async function versionOf(commit: CommitInfo, known: { app: string; action: AppVersion['action']; env: string; runs?: Pick<RunStore, 'getRun' | 'stepOutput'> }): Promise<AppVersion> {
  const t = commit.trailers;
  const runId = t['Slipway-Run'] ?? '';
  const run = runId && known.runs ? await known.runs.getRun(runId) : undefined;
  let image = t['Slipway-Image'] ?? '';
  if (!image && run && known.runs) {
    // An older Slipway wrote the image into the message body only; its build step still knows it.
    image = BuiltImage.safeParse(await known.runs.stepOutput(runId, 'image:build')).data?.image ?? '';
  }
  const plan = run && known.runs ? await planOf(known.runs, runId) : undefined;
  const asked = run?.request.description ?? run?.request.request;
  const version = t['Slipway-Version'];
  return {
    version: version && isVersion(version) ? version : FIRST_VERSION,
    image,
    digest: /@(sha256:[0-9a-f]{64})$/.exec(image)?.[1] ?? '',
    sourceCommit: t['Slipway-Source'] ?? '',
    gitopsCommit: commit.sha,
    runId,
    action: known.action,
    request: typeof asked === 'string' ? asked : commit.subject.replace(`${known.app}: `, ''),
    at: new Date(commit.date).toISOString(),
    env: known.env,
    ...(plan ? { generator: generatorName(plan) } : {}),
  };
}

/** The plan a run made (a create's) or left the app with (a change's: a model's change makes the model its generator). */
async function planOf(runs: Pick<RunStore, 'stepOutput'>, runId: string) {
  return planOutput.output.safeParse(await runs.stepOutput(runId, planOutput.id)).data
    ?? sourceChangeOutput.output.safeParse(await runs.stepOutput(runId, sourceChangeOutput.id)).data?.plan;
}
