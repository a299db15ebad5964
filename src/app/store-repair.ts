import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { rename } from 'node:fs/promises';
import { promisify } from 'node:util';
import type { SqliteRunStore } from '../adapters/store/sqlite-run-store.ts';
import { AppPlan, type AppRecord, type Run } from '../domain/index.ts';
import type { AppRuntime, AppStore, GitRepo } from '../ports/index.ts';
import { readProvenanceRecord } from '../steps/source-provenance/provenance-document.ts';
import type { LocalHistory } from './repo-history.ts';
import { appVersions } from './versions.ts';

const run = promisify(execFile);

/** One commit Slipway made, as its trailers tell it. */
interface SlipwayCommit {
  repo: 'source' | 'gitops';
  sha: string;
  date: string;
  subject: string;
  body: string;
  app: string;
  runId: string;
  action: string;
}

export interface RebuildDeps {
  histories: LocalHistory[];
  repos: { source: GitRepo; gitops: GitRepo };
  runs: SqliteRunStore;
  apps: AppStore;
  runtime?: AppRuntime;
  target: 'local' | 'cluster';
}

/**
 * Moves the state file (with its WAL and shared-memory files) aside as `<file>.damaged-<time>`; it
 * is never deleted, so nothing it still holds is lost. Returns the new name, or undefined when there was no file.
 */
export async function moveStoreAside(file: string, now: Date): Promise<string | undefined> {
  if (!existsSync(file)) return undefined;
  const stamp = now.toISOString().replace(/[-:]/g, '');
  // Never onto an earlier damaged file: rename would replace it.
  let aside = `${file}.damaged-${stamp}`;
  for (let n = 2; existsSync(aside); n++) aside = `${file}.damaged-${stamp}-${n}`;
  for (const suffix of ['-wal', '-shm']) {
    if (existsSync(file + suffix)) await rename(file + suffix, aside + suffix);
  }
  await rename(file, aside);
  return aside;
}

/**
 * Rebuilds app records and minimal run records from what is authoritative: the commits Slipway made
 * (their Slipway-App, Slipway-Run and Slipway-Action trailers), SLIPWAY.md in the source, and the
 * runtime for what runs now.
 */
export async function rebuildStore(deps: RebuildDeps): Promise<{ apps: string[]; runs: number }> {
  // Reading through the repos first brings a remote's cache clone up to date.
  await Promise.all([deps.repos.source.log({ limit: 1 }), deps.repos.gitops.log({ limit: 1 })]);
  const commits = (await Promise.all(deps.histories.map(readCommits))).flat();
  const runIds = [...new Set(commits.map((c) => c.runId))];
  for (const id of runIds) deps.runs.restoreRun(restoredRun(id, commits.filter((c) => c.runId === id)));
  const apps: string[] = [];
  for (const name of [...new Set(commits.map((c) => c.app))].sort()) {
    const record = await restoredApp(name, commits.filter((c) => c.app === name), deps);
    if (!record) continue;
    await deps.apps.upsert(record);
    apps.push(name);
  }
  return { apps, runs: runIds.length };
}

async function readCommits(history: LocalHistory): Promise<SlipwayCommit[]> {
  if (!existsSync(history.gitDir)) return [];
  let stdout: string;
  try {
    ({ stdout } = await run('git', ['--git-dir', history.gitDir, 'log', '--reverse', '--format=%H%x1f%aI%x1f%s%x1f%b%x1f%(trailers:only,unfold)%x1e', history.ref, '--'], { maxBuffer: 256 * 1024 * 1024 }));
  } catch {
    return []; // no branch yet
  }
  return stdout.split('\x1e').map((r) => r.replace(/^\n/, '')).filter((r) => r.trim() !== '').flatMap((record) => {
    const [sha = '', date = '', subject = '', body = '', block = ''] = record.split('\x1f');
    const trailers = new Map(block.split('\n').map((line) => [line.slice(0, line.indexOf(':')).trim().toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]));
    const app = trailers.get('slipway-app');
    const runId = trailers.get('slipway-run');
    if (!app || !runId) return [];
    return [{ repo: history.label, sha, date: new Date(date).toISOString(), subject, body, app, runId, action: trailers.get('slipway-action') ?? '' }];
  });
}

/** The run kind of each `Slipway-Action` a GitOps commit carries. */
const KIND_OF_ACTION: Record<string, Run['kind']> = { deploy: 'create', change: 'change', rollback: 'rollback', promote: 'promote', remove: 'delete' };

/** The source commits that hold an app's code: a create's, and a change's. */
const CODE_ACTIONS = ['source', 'change'];

function restoredRun(id: string, commits: SlipwayCommit[]): Omit<Run, 'timeline' | 'updatedAt' | 'events'> {
  const app = commits[0]!.app;
  const kind = commits.some((c) => c.action === 'remove') ? 'delete' : KIND_OF_ACTION[commits.find((c) => c.repo === 'gitops')?.action ?? ''] ?? 'create';
  // A run's last commit is its GitOps one; without it the run stopped half-way.
  const finished = commits.some((c) => c.repo === 'gitops');
  const source = commits.find((c) => c.repo === 'source' && c.action === 'source');
  return {
    id, kind, app, status: finished ? 'succeeded' : 'failed',
    request: kind === 'delete' ? { app } : { app, description: source ? describedAs(source) : app },
    createdAt: commits[0]!.date,
    endedAt: commits.at(-1)!.date,
    ...(finished ? {} : { error: { name: 'Interrupted', message: 'restored by slipway repair: the run made no GitOps commit' } }),
  };
}

async function restoredApp(name: string, commits: SlipwayCommit[], deps: RebuildDeps): Promise<AppRecord | undefined> {
  const last = (repo: 'source' | 'gitops') => commits.filter((c) => c.repo === repo).at(-1);
  const source = last('source');
  const gitops = last('gitops');
  // Deleted: the delete run removed it from the GitOps repo (what runs), whatever the source holds.
  if (gitops?.action === 'remove' || (!gitops && source?.action === 'remove')) return undefined;
  const origin = source?.action === 'source' ? await provenanceOf(deps.histories.find((h) => h.label === 'source')!, source) : undefined;
  const located = await deps.runtime?.locate?.(name);
  const running = located !== undefined || (deps.runtime ? (await deps.runtime.status(name)) === 'running' : false);
  const newest = commits.at(-1)!;
  // Any commit that shipped a version (deploy, change, rollback, promote) leaves the app deployed.
  const deployed = gitops !== undefined && gitops.action !== 'remove' && KIND_OF_ACTION[gitops.action] !== undefined;
  const [current] = deployed ? await appVersions(deps.repos.gitops, name) : [];
  return {
    name,
    description: origin?.description ?? (source ? describedAs(source) : name),
    template: origin?.template ?? '',
    state: running || (deployed && deps.target === 'cluster') ? 'running' : deployed ? 'stopped' : 'failed',
    // Named as a run records it, so status and delete go to the runtime that found it.
    ...(located && deps.runtime ? { url: located.url, runtime: { ...located.handle, runtime: deps.runtime.name } } : {}),
    target: deps.target,
    commits: { ...(source && CODE_ACTIONS.includes(source.action) ? { source: source.sha } : {}), ...(deployed ? { gitops: gitops.sha } : {}) },
    ...(current ? { version: current.version, env: current.env } : {}),
    lastRunId: newest.runId,
    createdAt: commits[0]!.date,
    updatedAt: newest.date,
  };
}

/** The request and template from SLIPWAY.md's JSON record, else from the source commit's message. */
async function provenanceOf(history: LocalHistory, commit: SlipwayCommit): Promise<{ description: string; template: string }> {
  const fromMessage = { description: describedAs(commit), template: /Generated from the (\S+) template/.exec(commit.body)?.[1] ?? '' };
  try {
    const { stdout } = await run('git', ['--git-dir', history.gitDir, 'show', `${commit.sha}:${commit.app}/SLIPWAY.md`]);
    const record = readProvenanceRecord(stdout) ?? {};
    // The plan as SLIPWAY.md recorded it, in today's shape or an older one.
    const plan = AppPlan.safeParse(record['plan']);
    return {
      description: typeof record['description'] === 'string' ? record['description'] : fromMessage.description,
      template: plan.success ? plan.data.template.id : fromMessage.template,
    };
  } catch {
    return fromMessage;
  }
}

/** The description as the source commit's subject gives it (`<app>: <description>`, maybe shortened). */
function describedAs(commit: SlipwayCommit): string {
  return commit.subject.startsWith(`${commit.app}: `) ? commit.subject.slice(commit.app.length + 2) : commit.subject;
}
