import { hostname } from 'node:os';
import type { Logger } from 'pino';
import {
  appNameProblem, assertAppName, assertDescription, ConflictError, deriveAppName, describeError, InputError, newRunId, NotFoundError,
  resumeCommand, RUN_ID_PATTERN, type AppRecord, type Run, type StepRecord,
} from '../domain/index.ts';
import { executePipeline, StepOutputs, type PipelineEntry, type RunEventListener } from '../pipeline/index.ts';
import type { AppRuntime, AppStore, CommitInfo, GitRepo, RunStore } from '../ports/index.ts';
import { awaitOutput } from '../steps/app-await/index.ts';
import { deployOutput } from '../steps/app-deploy/index.ts';
import { planOutput } from '../steps/app-plan/index.ts';
import { clusterAwaitOutput } from '../steps/cluster-await/index.ts';
import { manifestsCommitOutput } from '../steps/manifests-commit/index.ts';
import { manifestsRemoveOutput } from '../steps/manifests-remove/index.ts';
import { sourceCommitOutput } from '../steps/source-commit/index.ts';
import { sourceRemoveOutput } from '../steps/source-remove/index.ts';

export interface CreateInput {
  description: string;
  name?: string;
  template?: string;
}

export interface RunOptions {
  onEvent?: RunEventListener;
  signal?: AbortSignal;
}

/** What `create` and `resume` report. */
export interface RunReport {
  app: string;
  runId: string;
  kind: Run['kind'];
  status: Run['status'];
  url?: string;
  template?: string;
  commits: { source?: string; gitops?: string };
  timeline: StepRecord[];
  error?: Run['error'];
  /** What to do next, e.g. how to follow a rollout Slipway does not watch. */
  next?: string;
}

/** An app as people see it: its record, whether it runs, and what to do when its last run stopped midway. */
export interface AppView extends AppRecord {
  runtimeState?: 'running' | 'stopped';
  /** Set while the app's latest run is interrupted: the command that continues it. */
  next?: string;
}

export interface AppStatus extends AppView {
  recentCommits: { source: CommitInfo[]; gitops: CommitInfo[] };
}

export interface ServiceDeps {
  target: 'local' | 'cluster';
  runs: RunStore;
  apps: AppStore;
  sourceRepo: GitRepo;
  gitopsRepo: GitRepo;
  gitopsPath: string;
  runtime?: AppRuntime;
  /** The runtime that started an app (named in its record), to ask about it; default `runtime`. */
  runtimeFor?: (app: string) => Promise<AppRuntime>;
  /** The pipelines and the known template ids, built on first use (only runs need them). */
  prepare: () => Promise<{ pipelines: { create: PipelineEntry[]; delete: PipelineEntry[] }; templates: string[] }>;
  logger: Logger;
  now?: () => Date;
  /** Processes earlier runs started and a killed Slipway left running (e.g. an app being verified): stopped before a resume or delete. */
  leftovers?: { sweep(): Promise<{ stopped: Array<{ pid: number; command: string }> }> };
  /** When Slipway cannot follow a rollout itself: what a person can run to follow it. */
  followHint?: (app: string) => string;
}

/** Slipway's use cases: what the CLI, the HTTP API and the n8n node call. */
export class SlipwayService {
  private readonly deps: ServiceDeps;
  private readonly now: () => Date;

  constructor(deps: ServiceDeps) {
    this.deps = deps;
    this.now = deps.now ?? (() => new Date());
  }

  /** Validates a request and runs the create pipeline for it. Bad input throws before any run exists. */
  async create(input: CreateInput, options: RunOptions = {}): Promise<RunReport> {
    const description = assertDescription(input.description);
    if (input.template !== undefined) {
      const { templates } = await this.deps.prepare();
      if (!templates.includes(input.template)) throw new InputError(`unknown template '${input.template}'; known templates: ${templates.join(', ')}`);
    }
    const existing = new Set((await this.deps.apps.list()).map((a) => a.name));
    let app: string;
    if (input.name !== undefined) {
      app = assertAppName(input.name);
      if (existing.has(app)) {
        throw new ConflictError(`an app named '${app}' exists already`, { hint: `Choose another --name, or remove it first with \`slipway delete ${app}\`.` });
      }
    } else {
      app = deriveAppName(description, existing);
    }
    const runId = newRunId(this.now());
    const request = { app, description, ...(input.template ? { template: input.template } : {}) };
    const run = await this.deps.runs.createRun({ id: runId, kind: 'create', app, request });
    const at = this.now().toISOString();
    await this.deps.apps.upsert({
      name: app, description, template: input.template ?? '', state: 'deploying', target: this.deps.target,
      commits: {}, lastRunId: runId, createdAt: at, updatedAt: at,
    });
    return this.execute(run, options);
  }

  /** Continues an interrupted or failed run from its last finished step. */
  async resume(runId: string, options: RunOptions = {}): Promise<RunReport> {
    if (!RUN_ID_PATTERN.test(runId)) throw new InputError(`'${runId}' is not a run id (they look like run-20261122033000-ab12cd)`, { hint: 'List runs with `slipway runs`.' });
    const run = await this.deps.runs.getRun(runId);
    if (!run) throw new NotFoundError(`no run ${runId}`, { hint: 'List runs with `slipway runs`.' });
    if (run.kind === 'create') await this.refuseDeleted(run);
    if (run.status === 'succeeded') return this.report(run);
    await this.stopLeftovers();
    return this.execute(run, options);
  }

  /** Stops the app and removes it from both repos (one commit each), then forgets it. */
  async delete(name: string, options: RunOptions = {}): Promise<RunReport> {
    if (appNameProblem(name)) assertAppName(name);
    const record = await this.deps.apps.get(name);
    if (!record) throw new NotFoundError(`no app named '${name}'`, { hint: 'List apps with `slipway list`.' });
    await this.stopLeftovers();
    const run = await this.deps.runs.createRun({ id: newRunId(this.now()), kind: 'delete', app: name, request: { app: name } });
    return this.execute(run, options);
  }

  async list(): Promise<AppView[]> {
    const apps = await this.deps.apps.list();
    return Promise.all(apps.map((a) => this.view(a)));
  }

  async status(name: string): Promise<AppStatus> {
    const record = await this.deps.apps.get(name);
    if (!record) throw new NotFoundError(`no app named '${name}'`, { hint: 'List apps with `slipway list`.' });
    const [source, gitops] = await Promise.all([
      this.deps.sourceRepo.log({ path: name, limit: 5 }),
      this.deps.gitopsRepo.log({ path: `${this.deps.gitopsPath}/${name}`, limit: 5 }),
    ]);
    return { ...(await this.view(record)), recentCommits: { source, gitops } };
  }

  /**
   * An app as it is now. While its latest run is interrupted (its process was killed), the app reads
   * `interrupted`, with the command that continues the run and the commits the run already made
   * (the record learns them only when a run ends).
   */
  private async view(record: AppRecord): Promise<AppView> {
    const [latest] = await this.deps.runs.listRuns({ app: record.name, limit: 1 });
    if (latest?.status === 'interrupted') {
      const { commits } = outputsView(await this.collectOutputs(latest));
      return { ...record, state: 'interrupted', commits: { ...record.commits, ...commits }, next: resumeCommand(latest.id) };
    }
    return { ...record, ...(await this.liveState(record)) };
  }

  /** A create run of an app that a later run deleted: resuming it would ship (or report) an app that is gone. */
  private async refuseDeleted(run: Run): Promise<void> {
    const later = await this.deps.runs.listRuns({ app: run.app, limit: 1000 });
    const deletion = later.find((r) => r.kind === 'delete' && r.status === 'succeeded' && r.createdAt >= run.createdAt && r.id !== run.id);
    if (!deletion) return;
    throw new ConflictError(`app '${run.app}' was deleted by run ${deletion.id} after run ${run.id} started, so that run cannot be resumed`, {
      hint: `Create it again: slipway create ${JSON.stringify(String(run.request.description ?? run.app))} --name ${run.app}`,
    });
  }

  async runs(app?: string, limit = 20): Promise<Run[]> {
    return this.deps.runs.listRuns({ ...(app ? { app } : {}), limit });
  }

  async getRun(runId: string): Promise<Run | undefined> {
    return this.deps.runs.getRun(runId);
  }

  private async liveState(record: AppRecord): Promise<{ runtimeState?: 'running' | 'stopped'; state: AppRecord['state'] }> {
    if (record.target !== 'local' || !this.deps.runtime || record.state === 'deploying') return { state: record.state };
    const runtime = this.deps.runtimeFor ? await this.deps.runtimeFor(record.name) : this.deps.runtime;
    const runtimeState = await runtime.status(record.name, record.runtime);
    const state = record.state === 'running' && runtimeState === 'stopped' ? 'stopped' : record.state;
    return { runtimeState, state };
  }

  private async stopLeftovers(): Promise<void> {
    const swept = await this.deps.leftovers?.sweep();
    for (const left of swept?.stopped ?? []) this.deps.logger.warn({ pid: left.pid, command: left.command }, 'stopped a process an interrupted run left running');
  }

  private async execute(run: Run, options: RunOptions): Promise<RunReport> {
    const { runs, logger } = this.deps;
    const owner = { pid: process.pid, host: hostname() };
    if (!(await runs.claimRun(run.id, owner))) {
      throw new ConflictError(`run ${run.id} is being executed by another live process`, { hint: 'Wait for it to finish, or stop that process first.' });
    }
    try {
      const { pipelines } = await this.preparing(run);
      const pipeline = run.kind === 'create' ? pipelines.create : pipelines.delete;
      const result = await executePipeline({
        run, pipeline, store: runs, logger: logger.child({ runId: run.id, app: run.app }),
        ...(options.signal ? { signal: options.signal } : {}),
        ...(options.onEvent ? { onEvent: options.onEvent } : {}),
      });
      await this.record(run, result.status, result.outputs);
      return this.report((await runs.getRun(run.id))!, result.outputs);
    } finally {
      await runs.releaseRun(run.id);
    }
  }

  /** The pipelines; a run that cannot get them (a broken template, a bad setting) ends as failed, not left running. */
  private async preparing(run: Run): Promise<Awaited<ReturnType<ServiceDeps['prepare']>>> {
    try {
      return await this.deps.prepare();
    } catch (error) {
      await this.deps.runs.setRunStatus(run.id, 'failed', describeError(error));
      await this.record(run, 'failed', new StepOutputs());
      throw error;
    }
  }

  /** Keeps the app record in step with the run's outcome. */
  private async record(run: Run, status: Run['status'], outputs: StepOutputs): Promise<void> {
    const { apps } = this.deps;
    const existing = await apps.get(run.app);
    const at = this.now().toISOString();
    if (run.kind === 'delete') {
      if (status === 'succeeded') await apps.remove(run.app);
      else if (existing) await apps.upsert({ ...existing, state: 'failed', lastRunId: run.id, updatedAt: at });
      return;
    }
    const view = outputsView(outputs);
    const base: AppRecord = existing ?? {
      name: run.app, description: String(run.request.description ?? ''), template: '', state: 'deploying', target: this.deps.target,
      commits: {}, lastRunId: run.id, createdAt: at, updatedAt: at,
    };
    const deployed = outputs.get(deployOutput);
    await apps.upsert({
      ...base,
      template: view.template ?? base.template,
      // A cluster app is known to run only when its rollout was followed to the end.
      state: status === 'succeeded' ? (this.deps.target === 'local' || outputs.has(clusterAwaitOutput) ? 'running' : 'deploying') : status === 'cancelled' ? 'stopped' : 'failed',
      commits: { ...base.commits, ...view.commits },
      ...(view.url ? { url: view.url } : {}),
      // The runtime's name goes with its handle: stop and status must go to the runtime that started the app.
      ...(deployed ? { runtime: { ...deployed.handle, runtime: deployed.runtime } } : {}),
      lastRunId: run.id,
      updatedAt: at,
    });
  }

  private async report(run: Run, outputs?: StepOutputs): Promise<RunReport> {
    const stepOutputs = outputs ?? (await this.collectOutputs(run));
    const view = outputsView(stepOutputs);
    return {
      app: run.app, runId: run.id, kind: run.kind, status: run.status,
      ...(view.url ? { url: view.url } : {}),
      ...(view.template ? { template: view.template } : {}),
      commits: view.commits, timeline: run.timeline,
      ...(run.error ? { error: run.error } : {}),
      ...(run.kind === 'create' && run.status === 'succeeded' && this.deps.followHint ? { next: this.deps.followHint(run.app) } : {}),
    };
  }

  private async collectOutputs(run: Run): Promise<StepOutputs> {
    const out: Array<[string, unknown]> = [];
    for (const step of run.timeline) {
      const value = await this.deps.runs.stepOutput(run.id, step.stepId);
      if (value !== undefined) out.push([step.stepId, value]);
    }
    return new StepOutputs(out);
  }
}

/** What a run's report and an app's record take from its steps' outputs: the commits, the template and the URL. */
function outputsView(outputs: StepOutputs) {
  const commits: { source?: string; gitops?: string } = {};
  const source = (outputs.get(sourceCommitOutput) ?? outputs.get(sourceRemoveOutput))?.sha;
  const gitops = (outputs.get(manifestsCommitOutput) ?? outputs.get(manifestsRemoveOutput))?.sha;
  if (source) commits.source = source;
  if (gitops) commits.gitops = gitops;
  return {
    template: outputs.get(planOutput)?.template.id,
    url: outputs.get(awaitOutput)?.url ?? outputs.get(deployOutput)?.url ?? outputs.get(clusterAwaitOutput)?.url,
    commits,
  };
}
