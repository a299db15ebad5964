import { hostname } from 'node:os';
import { basename, isAbsolute } from 'node:path';
import type { Logger } from 'pino';
import {
  appNameProblem, assertAppName, assertDescription, assertEnvName, FIRST_VERSION, CancelledError, ConflictError, deriveAppName, describeError, ENDED_STATUSES, InputError, newRunId,
  NotFoundError, chooseRollbackTarget, configIn, needsNothing, secretHints, withConfigIn, type AppAccess, type AppNeeds, type AccessRules, parseVersion, resumeCommand, RUN_ID_PATTERN, safePathProblem, type AppRecord, type Run, type RunKind, type RunOrigin, type RunStatus, type StepRecord, type Version,
} from '../domain/index.ts';
import { emptyAppConfig, type AppConfig } from '../domain/app-config.ts';
import { executePipeline, RollbackRequest, StepOutputs, type PipelineEntry, type StoredRunEvent } from '../pipeline/index.ts';
import type { SecretVault } from '../ports/secret-vault.ts';
import type { AppRuntime, AppStore, ClusterLogs, CommitInfo, GitRepo, Notifier, NotifyResult, RunOutcome, RunStore } from '../ports/index.ts';
import { awaitOutput } from '../steps/app-await/index.ts';
import { deployOutput } from '../steps/app-deploy/index.ts';
import { generatorName, planOutput } from '../steps/app-plan/index.ts';
import { clusterAwaitOutput } from '../steps/cluster-await/index.ts';
import { configCurrentOutput } from '../steps/config-current/index.ts';
import { manifestsCommitOutput } from '../steps/manifests-commit/index.ts';
import { manifestsRemoveOutput } from '../steps/manifests-remove/index.ts';
import { sourceCommitOutput } from '../steps/source-commit/index.ts';
import { sourceRemoveOutput } from '../steps/source-remove/index.ts';
import { sourceChangeOutput } from '../steps/source-change/index.ts';
import { sourceDiffOutput, type DiffSummary } from '../steps/source-diff/index.ts';
import { versionNextOutput } from '../steps/version-next/index.ts';
import { versionPickOutput } from '../steps/version-pick/index.ts';
import { autoRollbackAfter } from './auto-rollback.ts';
import { applyConfigChange, checkConfigChange, type ConfigChange } from './config-change.ts';
import type { RunEvents } from './run-events.ts';
import { RunQueue } from './run-queue.ts';
import { appVersions, DEFAULT_ENV, type AppVersion } from './versions.ts';

/**
 * What a run is asked to do; `create` needs a description, a template, or both (or `from`, a folder
 * of code). `env` names the environment (default: the configured default, `prod`).
 */
export type StartRequest =
  | { kind: 'create'; description?: string; template?: string; name?: string; from?: string; env?: string; access?: AppAccess; uses?: string[]; database?: 'postgres' }
  | { kind: 'delete'; app: string; data?: 'keep' | 'delete' }
  | { kind: 'change'; app: string; request?: string; from?: string; bump?: 'minor' | 'patch' | 'major'; env?: string; access?: AppAccess; uses?: string[] }
  | { kind: 'rollback'; app: string; to?: Version; env?: string; auto?: { failedRunId: string } }
  | { kind: 'promote'; app: string; from: string; to: string }
  | ({ kind: 'configure'; app: string; env?: string } & ConfigChange);

/** The pipelines runs follow, by kind; a kind without one cannot be started yet. */
export type Pipelines = { create: PipelineEntry[]; delete: PipelineEntry[] } & Partial<Record<RunKind, PipelineEntry[]>> & {
  /** The pipelines of runs that ship a folder of code (`--from <dir>`), by kind. */
  fromFolder?: Partial<Record<'create' | 'change', PipelineEntry[]>>;
};

/** A check `ready` makes: it resolves when the part answers, and rejects with why when not. */
export interface ReadinessCheck {
  name: string;
  check: () => Promise<void>;
}

/** What a run reports: the outcome, where the app answers, the commits and the timeline. */
export interface RunReport {
  app: string;
  runId: string;
  kind: Run['kind'];
  status: Run['status'];
  createdAt: string;
  updatedAt: string;
  endedAt?: string;
  /** How many events the run has stored (the id of the last one). */
  events: number;
  url?: string;
  template?: string;
  /** The version the run ships (`v1.0.0` for a create), once numbered. */
  version?: Version;
  commits: { source?: string; gitops?: string };
  timeline: StepRecord[];
  error?: Run['error'];
  /** What to do next, e.g. how to follow a rollout Slipway does not watch. */
  next?: string;
  /** What the plan says the app needs besides its code (settings, secrets, a database, externals). */
  needs?: AppNeeds;
  /** After a create: one command per secret the app needs that is not set yet (the app starts without it, on its defaults). */
  nextSteps?: string[];
  /** What each finished step produced, by step id (image digest, commits, the plan…). */
  outputs: Record<string, unknown>;
  /** For a change: the files it added, changed and removed, and the lines. */
  diff?: DiffSummary;
  /** The notifications sent about its outcome. */
  notifications?: Array<{ target: string; ok: boolean; attempts: number; error?: string }>;
  /** A rollback: the version it went back to and, when Slipway started it, the failed run and why. */
  rollback?: { to?: string; auto?: { failedRunId: string; reason?: string } };
  /** The automatic rollback that followed this run's failure. */
  rolledBackBy?: string;
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

/** An app's versions, newest first, and the one its environment runs now (`slipway versions`). */
export interface AppVersions {
  app: string;
  /** The version the environment asked for (the default one when none was) runs; null when none. */
  current: Version | null;
  versions: AppVersion[];
}

/** A template a create may name: its id, and what it makes. */
export interface TemplateInfo {
  id: string;
  title: string;
  description: string;
}

/** What `create` generates with when no template is named. */
export interface GeneratorInfo {
  kind: 'templates' | 'model';
  description: string;
}

/** One of the checks `slipway doctor` makes. */
export interface DoctorCheck {
  name: string;
  status: 'ok' | 'warn' | 'fail';
  detail: string;
  fix?: string;
}

/** Which of an app's two repos: its source, or its manifests in the GitOps repo. */
export type RepoName = 'source' | 'gitops';

/** A file of an app read from a repo: its text, unless it is binary or too large to show. */
export interface AppFile {
  path: string;
  size: number;
  binary: boolean;
  content?: string;
}

/** Files larger than this are listed and described, not sent. */
export const FILE_CONTENT_LIMIT = 512 * 1024;

export interface ServiceDeps {
  target: 'local' | 'cluster';
  runs: RunStore;
  apps: AppStore;
  /** The runs' stored events (the log lines of a run among them, see run-log.ts). */
  events: RunEvents;
  sourceRepo: GitRepo;
  gitopsRepo: GitRepo;
  gitopsPath: string;
  runtime?: AppRuntime;
  /** Reads the logs of apps on the cluster (when Slipway has Kubernetes API access). */
  clusterLogs?: ClusterLogs;
  /** The runtime that started an app (named in its record), to ask about it; default `runtime`. */
  runtimeFor?: (app: string) => Promise<AppRuntime>;
  /** The apps' databases on this machine (embedded default): a delete asks what to do with one. */
  localData?: { exists(app: string): boolean; folder(app: string): string };
  /** Where secret values are kept (encrypted); without one, secrets cannot be set. A create's report names the secrets its plan needs that are not set yet. */
  vault?: SecretVault;
  /** The pipelines and the known template ids, built on first use (only runs need them). */
  prepare: () => Promise<{ pipelines: Pipelines; templates: string[] }>;
  logger: Logger;
  now?: () => Date;
  /** Processes earlier runs started and a killed Slipway left running (e.g. an app being verified): stopped before a resume or delete. */
  leftovers?: { sweep(): Promise<{ stopped: Array<{ pid: number; command: string }> }> };
  /** When Slipway cannot follow a rollout itself: what a person can run to follow it. */
  followHint?: (app: string, env?: string) => string;
  /** Reads a folder given with `--from` and says what is wrong with it as an app (an InputError), before a run is queued. */
  inspectFolder?: (dir: string) => Promise<void>;
  /**
   * Who executes the runs: a command (`cli`, default) executes the runs it starts, one at a time; a
   * server executes every queued run it can hold, `concurrency` at once, and continues its own
   * interrupted runs when it starts (`recover`).
   */
  mode?: { origin: RunOrigin; concurrency: number };
  /** What `ready` checks besides the store. */
  readiness?: ReadinessCheck[];
  /** The templates, the generator and the doctor's checks, for clients that show them. */
  catalog?: {
    templates(): Promise<TemplateInfo[]>;
    generator(): Promise<GeneratorInfo>;
    doctor(): Promise<DoctorCheck[]>;
  };
  /** The environment of commands that name none (`prod` unless slipway.yaml says otherwise). */
  defaultEnv?: string;
  /** Tells people how runs ended (`notify:` in slipway.yaml); built on first use, as it reads secrets. */
  notifier?: () => Notifier;
  /** Tells the webhooks subscribed through the API (`POST /v1/webhooks`), alongside `notifier`. */
  subscriptions?: Notifier;
  /** The environments runs may name (`environments:` in slipway.yaml); `get` refuses an unknown one, listing them. */
  environments?: { get(name?: string): { name: string } };
  /**
   * Refuses, before a run is queued, a change that cannot be made: with no model configured, one the
   * offline templates do not understand (an InputError saying a model is needed).
   */
  checkChange?: (app: string, request: string) => Promise<void>;
  /** Checks the externals an app says it uses (`uses`): an unknown one is refused naming those there are; returns them sorted, once each. */
  knownExternals?: (names: readonly string[], env?: string) => Promise<string[]>;
  /** `rollout.autoRollback`: a create or change that fails its await stage is rolled back by a follow-up run. */
  autoRollback?: boolean;
  /** `access:` in slipway.yaml: whether apps are private unless a run says otherwise, and who guards private ones (none: every app is public). */
  access?: AccessRules & {
    /** Throws (ConfigError, InputError) when the provider cannot guard an app now: its secret unset, no way to encrypt a Secret. */
    check?: () => void;
  };
}

/** Slipway's use cases: what the CLI, the HTTP API and the n8n node call. */
export class SlipwayService {
  private readonly deps: ServiceDeps;
  private readonly now: () => Date;
  private readonly origin: RunOrigin;
  private readonly owner = { pid: process.pid, host: hostname() };
  private readonly queue: RunQueue;
  /** Requests are taken one at a time, so two cannot both take one name or one idempotency key. */
  private taking: Promise<unknown> = Promise.resolve();

  constructor(deps: ServiceDeps) {
    this.deps = deps;
    this.now = deps.now ?? (() => new Date());
    this.origin = deps.mode?.origin ?? 'cli';
    this.queue = new RunQueue({
      store: deps.runs, owner: this.owner, concurrency: deps.mode?.concurrency ?? 1, takeAll: this.origin === 'server',
      execute: (run, signal) => this.execute(run, signal), logger: deps.logger,
    });
  }

  /**
   * Validates a request and queues a run for it; bad input throws before any run exists. The run is
   * stored `queued` before this returns. With an idempotency key used before, the run that key
   * started is returned and nothing new is queued.
   */
  start(request: StartRequest, options: { idempotencyKey?: string } = {}): Promise<Run> {
    const taken = this.taking.then(async () => {
      // Whatever the kind, a run names an environment slipway.yaml declares (refused listing them).
      if ('env' in request && request.env !== undefined) this.environment(request.env);
      if ((request.kind === 'create' || request.kind === 'change') && request.from !== undefined) await this.checkFolder(request.from);
      if (request.kind === 'create') return this.queueCreate(request, options.idempotencyKey);
      if (request.kind === 'delete') return this.queueDelete(request.app, options.idempotencyKey, request.data);
      if (request.kind === 'change') return this.queueChange(request, options.idempotencyKey);
      if (request.kind === 'promote') return this.queuePromote(request, options.idempotencyKey);
      if (request.kind === 'configure') return this.queueConfigure(request, options.idempotencyKey);
      return this.queueRollback(request, options.idempotencyKey);
    });
    this.taking = taken.catch(() => undefined);
    return taken;
  }

  /**
   * A folder is read where the run executes: only a command on this machine may name one, and it must
   * hold an app Slipway can run (refused before any run exists).
   */
  private async checkFolder(from: string): Promise<void> {
    if (this.origin === 'server') throw new InputError('"from" is refused here: a folder is read on the machine running the command; use the CLI (slipway create --from <dir>)');
    if (!isAbsolute(from)) throw new InputError(`the folder ${JSON.stringify(from)} must be given as an absolute path`);
    await this.deps.inspectFolder?.(from);
  }

  private async queueCreate(input: Omit<Extract<StartRequest, { kind: 'create' }>, 'kind'>, idempotencyKey?: string): Promise<Run> {
    if (input.from !== undefined) return this.queueCreateFrom({ ...input, from: input.from }, idempotencyKey);
    if (input.description === undefined && input.template === undefined) {
      throw new InputError('give a description of the app, a template, or both', { hint: 'e.g. {"description": "a pomodoro timer with a dark theme"} or {"template": "static-site"}' });
    }
    if (input.template !== undefined) {
      const { templates } = await this.deps.prepare();
      if (!templates.includes(input.template)) throw new InputError(`unknown template '${input.template}'; known templates: ${templates.join(', ')}`);
    }
    const description = assertDescription(input.description ?? `the ${input.template} template`);
    const env = input.env === undefined ? undefined : this.environment(input.env);
    const access = this.access(input.access);
    const config = await this.usesConfig(input.uses, env);
    if (idempotencyKey !== undefined) {
      const first = await this.runWithKey(idempotencyKey);
      if (first) return first;
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
    const request = { app, description, ...(input.template ? { template: input.template } : {}), ...(env ? { env } : {}), access, ...(input.database ? { database: input.database } : {}) };
    const run = await this.queueRun({ kind: 'create', app, request }, idempotencyKey);
    const at = this.now().toISOString();
    await this.deps.apps.upsert({
      name: app, description, template: input.template ?? '', state: 'deploying', target: this.deps.target,
      commits: {}, lastRunId: run.id, createdAt: at, updatedAt: at, access, ...config,
    });
    return this.announce(run);
  }

  /** The configuration of a new app that uses externals (checked to exist), or nothing when it names none. */
  private async usesConfig(uses: readonly string[] | undefined, env: string | undefined): Promise<{ config?: AppConfig }> {
    if (uses === undefined || uses.length === 0) return {};
    return { config: { ...emptyAppConfig(), externals: await this.checkUses(uses, env) } };
  }

  private async checkUses(uses: readonly string[], env: string | undefined): Promise<string[]> {
    if (!this.deps.knownExternals) throw new InputError('this Slipway keeps no services outside the cluster, so an app cannot use one');
    return this.deps.knownExternals(uses, env);
  }

  /** A create that ships a folder: the app is named after the folder unless `name` is given. */
  private async queueCreateFrom(input: { from: string; description?: string; name?: string; env?: string; access?: AppAccess; uses?: string[] }, idempotencyKey?: string): Promise<Run> {
    const description = assertDescription(input.description ?? `the code in ${basename(input.from)}`);
    const access = this.access(input.access);
    const config = await this.usesConfig(input.uses, input.env);
    if (idempotencyKey !== undefined) {
      const first = await this.runWithKey(idempotencyKey);
      if (first) return first;
    }
    const existing = new Set((await this.deps.apps.list()).map((a) => a.name));
    const app = input.name !== undefined ? assertAppName(input.name) : deriveAppName(basename(input.from), existing);
    if (existing.has(app)) {
      throw new ConflictError(`an app named '${app}' exists already`, { hint: `Choose another --name, ship the folder as its next version with \`slipway change ${app} --from ${input.from}\`, or remove it first.` });
    }
    const request = { app, description, from: input.from, ...(input.env ? { env: input.env } : {}), access };
    const run = await this.queueRun({ kind: 'create', app, request }, idempotencyKey);
    const at = this.now().toISOString();
    await this.deps.apps.upsert({
      name: app, description, template: 'folder', state: 'deploying', target: this.deps.target,
      commits: {}, lastRunId: run.id, createdAt: at, updatedAt: at, access, ...config,
    });
    return this.announce(run);
  }

  /**
   * Queues a new version of an app made from a request, or from a folder of code (`from`). Checked first: the app exists, no other run
   * of it is under way, and the change is one this Slipway can make (see `checkChange`).
   */
  private async queueChange(input: Omit<Extract<StartRequest, { kind: 'change' }>, 'kind'>, idempotencyKey?: string): Promise<Run> {
    const app = assertAppName(input.app);
    // A folder says what changes itself; its words, when given, only say it in the commits.
    const said = input.request?.trim() ? assertDescription(input.request.trim()) : undefined;
    if (input.from === undefined && said === undefined) {
      throw new InputError('say what to change', { hint: `e.g. slipway change ${app} 'make the title "Deep Focus"', or ship a folder: slipway change ${app} --from <dir>` });
    }
    if (input.bump !== undefined && !['major', 'minor', 'patch'].includes(input.bump)) {
      throw new InputError(`bump must be major, minor or patch, not ${JSON.stringify(input.bump)}`);
    }
    if (idempotencyKey !== undefined) {
      const first = await this.runWithKey(idempotencyKey);
      if (first) return first;
    }
    const record = await this.existingApp(app);
    // An app stays as open or as closed as it was unless the change says otherwise.
    const access = this.access(input.access ?? record.access);
    const [latest] = await this.deps.runs.listRuns({ app, limit: 1 });
    if (latest && (latest.status === 'queued' || latest.status === 'running')) {
      throw new ConflictError(`run ${latest.id} of ${app} is ${latest.status}; a change waits until it ends`, { hint: `Follow it with \`slipway runs ${app}\`, then change the app.` });
    }
    if (input.from === undefined) await this.deps.checkChange?.(app, said!);
    const env = input.env ?? DEFAULT_ENV;
    // What the app uses from now on, kept on its record before the run renders its NetworkPolicy.
    if (input.uses !== undefined) {
      const externals = await this.checkUses(input.uses, env);
      await this.deps.apps.upsert({ ...record, config: { ...(record.config ?? emptyAppConfig()), externals } });
    }
    const request = {
      app, ...(said ? { request: said } : {}), ...(input.from !== undefined ? { from: input.from } : {}), env, ...(input.bump ? { bump: input.bump } : {}),
      access, ...(record.access === 'private' ? { wasPrivate: true } : {}),
    };
    const run = await this.queueRun({ kind: 'change', app, request }, idempotencyKey);
    return this.announce(run);
  }

  /** Stops the app and removes it from both repos (one commit each), then forgets it. */
  private async queueDelete(name: string, idempotencyKey?: string, data?: 'keep' | 'delete'): Promise<Run> {
    if (appNameProblem(name)) assertAppName(name);
    if (idempotencyKey !== undefined) {
      const first = await this.runWithKey(idempotencyKey);
      if (first) return first;
    }
    const record = await this.deps.apps.get(name);
    if (!record) throw new NotFoundError(`no app named '${name}'`, { hint: 'List apps with `slipway list`.' });
    // Data is never deleted by default, nor kept silently: the person deleting says which.
    if (data === undefined && this.deps.localData?.exists(name)) {
      throw new InputError(`${name} keeps data in its database (${this.deps.localData.folder(name)}): say whether to delete it with the app`, {
        hint: `Run \`slipway delete ${name} --delete-data\` to delete the data too, or \`--keep-data\` to keep it (an app created again as ${name} finds it).`,
        details: { choice: 'data' },
      });
    }
    if (data === 'delete' && this.deps.target === 'cluster') {
      throw new InputError(`on the cluster ${name}'s database is kept when the app is deleted: Flux and Argo CD never prune it`, {
        hint: `Delete the app (its data is kept), then the database on purpose: kubectl delete clusters.postgresql.cnpg.io ${name}-db -n <apps namespace>.`,
      });
    }
    const request = { app: name, ...(record.access === 'private' ? { wasPrivate: true } : {}), ...(data ? { data } : {}) };
    return this.announce(await this.queueRun({ kind: 'delete', app: name, request }, idempotencyKey));
  }

  /**
   * Copies the version `from` runs to `to`: the same image digest, tagged for `to`, committed to its
   * manifests. Both must be environments, and different.
   */
  private async queuePromote(input: Omit<Extract<StartRequest, { kind: 'promote' }>, 'kind'>, idempotencyKey?: string): Promise<Run> {
    if (appNameProblem(input.app)) assertAppName(input.app);
    const from = this.environment(input.from);
    const to = this.environment(input.to);
    if (from === to) throw new InputError(`a promote copies one environment's version to another, but from and to are both '${from}'`, { hint: 'e.g. slipway promote <app> --from dev --to prod' });
    if (idempotencyKey !== undefined) {
      const first = await this.runWithKey(idempotencyKey);
      if (first) return first;
    }
    const record = await this.deps.apps.get(input.app);
    if (!record) throw new NotFoundError(`no app named '${input.app}'`, { hint: 'List apps with `slipway list`.' });
    // The other environment's manifests let in whom the app's do.
    const request = { app: input.app, from, to, ...(record.access === 'private' ? { access: record.access } : {}) };
    return this.announce(await this.queueRun({ kind: 'promote', app: input.app, request }, idempotencyKey));
  }

  /**
   * Who may open the app a run ships: the one asked for, else the configured default. A private app
   * needs someone to guard it; where nothing can, it is refused rather than shipped open.
   */
  private access(asked: AppAccess | undefined): AppAccess {
    const rules = this.deps.access;
    const access = asked ?? rules?.default ?? 'public';
    if (access !== 'public' && access !== 'private') throw new InputError(`access must be public or private, not ${JSON.stringify(access)}`);
    if (access === 'public') return access;
    if (this.deps.target !== 'cluster') {
      throw new InputError('a private app needs the cluster target: on this machine nothing stands in front of an app to check who opens it', {
        hint: 'Ship it with access public, or set target: cluster with access.provider (cloudflare or oauth2-proxy) in slipway.yaml.',
      });
    }
    if (!rules?.provider) {
      throw new InputError('a private app needs an access provider, and slipway.yaml names none', {
        hint: 'Set access.provider: cloudflare (with access.cloudflare) or oauth2-proxy (with access.oauth2Proxy) in slipway.yaml, or ship the app with access public.',
      });
    }
    // Before the run: a missing token or encryption key found after the build would waste it.
    rules.check?.();
    return access;
  }

  /**
   * New settings or secrets for an app in an environment: checked, stored (settings on its record,
   * secret values encrypted in the vault), then a configure run renders and ships the version the
   * environment runs with them. The run's request names what changed, never a value.
   */
  private async queueConfigure(input: Omit<Extract<StartRequest, { kind: 'configure' }>, 'kind'>, idempotencyKey?: string): Promise<Run> {
    checkConfigChange(input);
    const record = await this.existingApp(input.app);
    if (input.env !== undefined) assertEnvName(input.env);
    const defaultEnv = this.deps.defaultEnv ?? DEFAULT_ENV;
    const env = input.env ?? defaultEnv;
    const { config, secretValues, touched } = applyConfigChange(record.name, configIn(record, env, defaultEnv), input);
    const { vault } = this.deps;
    if (!vault && (touched.secretsSet.length > 0 || touched.secretsUnset.length > 0)) throw new ConflictError('this Slipway keeps no secrets');
    if (idempotencyKey !== undefined) {
      const first = await this.runWithKey(idempotencyKey);
      if (first) return first;
    }
    const [latest] = await this.deps.runs.listRuns({ app: record.name, limit: 1 });
    if (latest && (latest.status === 'queued' || latest.status === 'running')) {
      throw new ConflictError(`run ${latest.id} of ${record.name} is ${latest.status}; new settings wait until it ends`, { hint: `Follow it with \`slipway runs ${record.name}\`, then try again.` });
    }
    for (const [name, value] of Object.entries(secretValues)) await vault!.put(record.name, env, name, value);
    for (const name of touched.secretsUnset) await vault!.remove(record.name, env, name);
    const request = { app: record.name, env, ...touched, ...(record.access === 'private' ? { access: record.access, wasPrivate: true } : {}) };
    const run = await this.queueRun({ kind: 'configure', app: record.name, request }, idempotencyKey);
    await this.deps.apps.upsert({ ...withConfigIn(record, env, defaultEnv, config), state: 'deploying', lastRunId: run.id, updatedAt: this.now().toISOString() });
    return this.announce(run);
  }

  /** An app's settings (with values) and secrets (names only) in an environment. */
  async config(app: string, options: { env?: string } = {}): Promise<{ app: string; env: string; settings: Record<string, string>; secrets: string[]; needs?: AppNeeds }> {
    const record = await this.existingApp(app);
    if (options.env !== undefined) assertEnvName(this.environment(options.env));
    const defaultEnv = this.deps.defaultEnv ?? DEFAULT_ENV;
    const env = options.env ?? defaultEnv;
    const { settings, secrets } = configIn(record, env, defaultEnv);
    return { app: record.name, env, settings, secrets, ...(record.needs ? { needs: record.needs } : {}) };
  }

  /** The environment's name when it is one slipway.yaml declares (an InputError listing them otherwise). */
  private environment(name: string): string {
    return this.deps.environments ? this.deps.environments.get(name).name : name;
  }

  /**
   * A rollback: checked against the app's versions before it is queued, so an unknown version, the
   * current one, or an app with nothing earlier is refused at once with the list of its versions.
   */
  private async queueRollback(input: Omit<Extract<StartRequest, { kind: 'rollback' }>, 'kind'> & { auto?: { reason?: string } }, idempotencyKey?: string): Promise<Run> {
    const record = await this.existingApp(input.app);
    if (input.to !== undefined) parseVersion(input.to);
    if (idempotencyKey !== undefined) {
      const first = await this.runWithKey(idempotencyKey);
      if (first) return first;
    }
    if (input.env !== undefined) assertEnvName(input.env);
    const defaultEnv = this.deps.defaultEnv ?? DEFAULT_ENV;
    const env = input.env ?? defaultEnv;
    chooseRollbackTarget(await appVersions(this.deps.gitopsRepo, record.name, { env, defaultEnv }), input.to, record.name);
    const request = { app: record.name, ...(input.to !== undefined ? { to: input.to } : {}), ...(input.env !== undefined ? { env: input.env } : {}), ...(input.auto ? { auto: input.auto } : {}) };
    const run = await this.queueRun({ kind: 'rollback', app: record.name, request }, idempotencyKey);
    await this.deps.apps.upsert({ ...record, state: 'deploying', lastRunId: run.id, updatedAt: this.now().toISOString() });
    return this.announce(run);
  }

  /**
   * With `rollout.autoRollback`, a create or change whose new version did not come up is followed by
   * a rollback run to the version before it; both runs say so (the failed one's report names the
   * rollback in `rolledBackBy`, the rollback's request carries `auto`). A rollback that cannot be
   * started (say, the earlier version runs the same image) is said on the failed run instead.
   */
  private async rollBackAutomatically(run: Run, result: Parameters<typeof autoRollbackAfter>[1], outputs: StepOutputs): Promise<void> {
    const plan = this.deps.autoRollback ? autoRollbackAfter(run, result, outputs) : undefined;
    if (!plan) return;
    const say = (level: 'warn' | 'error', message: string) => this.deps.events.publish({ type: 'log', runId: run.id, level, message });
    try {
      const auto = { failedRunId: run.id, reason: plan.reason };
      const rollback = await this.start({ kind: 'rollback', app: run.app, to: plan.to, env: plan.env, auto });
      this.deps.logger.warn({ runId: run.id, rollbackRunId: rollback.id, to: plan.to }, 'rolling back automatically');
      await say('warn', `rolling back to ${plan.to} automatically: run ${rollback.id}`);
    } catch (error) {
      await say('error', `could not roll back to ${plan.to} automatically: ${describeError(error).message}`);
    }
  }

  private queueRun(run: { kind: Run['kind']; app: string; request: Record<string, unknown> }, idempotencyKey?: string): Promise<Run> {
    return this.deps.runs.createRun({
      id: newRunId(this.now()), ...run, origin: this.origin, owner: this.owner,
      ...(idempotencyKey !== undefined ? { idempotencyKey } : {}),
    });
  }

  private runWithKey(key: string): Promise<Run | undefined> {
    return this.deps.runs.runWithIdempotencyKey(key);
  }

  /** Tells watchers a run waits, and hands it to this process's workers. */
  private async announce(run: Run): Promise<Run> {
    await this.deps.events.publish({ type: 'run:queued', runId: run.id, app: run.app, kind: run.kind });
    // Read before a worker starts it: its `events` is then the id of the `run:queued` event, from
    // where a watcher follows this attempt.
    const queued = (await this.deps.runs.getRun(run.id))!;
    this.queue.add(run.id);
    return queued;
  }

  /**
   * Queues an interrupted, failed or cancelled run again; it continues from its last finished step.
   * A run that succeeded is returned as it is.
   */
  async resume(runId: string): Promise<Run> {
    const run = await this.existingRun(runId);
    if (run.kind === 'create') await this.refuseDeleted(run);
    if (run.status === 'succeeded') return run;
    if (run.status === 'queued' || (run.status === 'running' && !this.queue.executes(run.id))) {
      if (run.status === 'queued' && this.origin === 'server') return run;
      throw new ConflictError(`run ${run.id} is ${run.status} in another process`, { hint: 'Wait for it to finish, or stop that process first.' });
    }
    if (this.queue.executes(run.id)) return run;
    if (!(await this.deps.runs.claimRun(run.id, this.owner))) {
      throw new ConflictError(`run ${run.id} is being executed by another live process`, { hint: 'Wait for it to finish, or stop that process first.' });
    }
    await this.deps.runs.setRunStatus(run.id, 'queued');
    return this.announce(run);
  }

  /**
   * Cancels a run: one still queued ends `cancelled` at once; one this process executes is stopped
   * through its step's signal (the returned run still reads `running`; its events say when it ends).
   */
  async cancel(runId: string, again = true): Promise<Run> {
    const run = await this.existingRun(runId);
    if (this.queue.abort(run.id, new CancelledError('cancelled during the run'))) return run;
    if (ENDED_STATUSES.includes(run.status)) throw new ConflictError(`run ${run.id} has already ${run.status === 'cancelled' ? 'been cancelled' : run.status}`);
    if (run.status === 'running') throw new ConflictError(`run ${run.id} is executed by another process`, { hint: 'Cancel it where it runs (Ctrl-C there), or stop that process.' });
    // Queued, or interrupted (its process is gone): it ends now. An interrupted run is held first, so
    // that a process starting it at this moment and this cancel do not both go on.
    const error = { name: 'CancelledError', message: run.timeline.length === 0 ? 'cancelled before it started' : 'cancelled while interrupted' };
    const held = run.status === 'queued' || (await this.deps.runs.claimRun(run.id, this.owner));
    const ended = held && ((await this.deps.runs.changeRunStatus(run.id, 'queued', 'cancelled', error)) || (await this.deps.runs.changeRunStatus(run.id, 'running', 'cancelled', error)));
    if (!ended) {
      // A worker took it in between: cancel it there.
      if (again) return this.cancel(runId, false);
      throw new ConflictError(`run ${run.id} started in another process while it was being cancelled`, { hint: 'Cancel it where it runs.' });
    }
    if (run.status !== 'queued') await this.deps.runs.releaseRun(run.id);
    await this.forgetUnstarted(run);
    await this.deps.events.publish({ type: 'run:end', runId: run.id, status: 'cancelled', error });
    await this.notify(run.id);
    return (await this.deps.runs.getRun(run.id))!;
  }

  /** The run's events after `after`: the stored ones, then live ones, ending with `run:end`. */
  watch(runId: string, options: { after?: number; signal?: AbortSignal } = {}): AsyncIterable<StoredRunEvent> {
    return this.deps.events.watch(runId, options);
  }

  /** Every event this process publishes (metrics). */
  subscribe(listener: (event: StoredRunEvent) => void): () => void {
    return this.deps.events.subscribe(listener);
  }

  /** A run's report: outcome, URL, commits, timeline and notifications. */
  async report(runId: string): Promise<RunReport> {
    return this.reportOf(await this.existingRun(runId));
  }

  /**
   * Runs a server held when it stopped (killed, crashed, the machine rebooted) are queued again and
   * continue from their last finished step; then the workers start on the queue.
   */
  async recover(): Promise<Run[]> {
    const recovered: Run[] = [];
    for (const run of await this.deps.runs.listRuns({ status: 'interrupted', origin: this.origin, order: 'oldest', limit: 1000 })) {
      if (!(await this.deps.runs.claimRun(run.id, this.owner))) continue;
      await this.deps.runs.setRunStatus(run.id, 'queued');
      await this.deps.events.publish({ type: 'log', runId: run.id, level: 'warn', message: 'continued after Slipway stopped while the run was under way' });
      recovered.push(run);
    }
    if (recovered.length > 0) await this.stopLeftovers();
    this.queue.kick();
    return recovered;
  }

  /** Runs that wait for a worker. */
  async queueDepth(): Promise<number> {
    return (await this.deps.runs.listRuns({ status: 'queued', limit: 100_000 })).length;
  }

  /** Resolves once the runs this process executes have ended (notifications sent). */
  idle(): Promise<void> {
    return this.queue.idle();
  }

  /** Stops taking runs from the queue; runs under way go on (or continue at the next start). */
  stop(): void {
    this.queue.stop();
  }

  /** Fails every run this process executes with `reason` (an error nothing in the run handled). */
  failRunning(reason: unknown): void {
    this.queue.abortAll(reason);
  }

  /** Whether the store and the parts runs need answer: one line per part. */
  async ready(): Promise<Array<{ name: string; ok: boolean; detail?: string }>> {
    const checks: ReadinessCheck[] = [{ name: 'store', check: async () => void (await this.deps.runs.listRuns({ limit: 1 })) }, ...(this.deps.readiness ?? [])];
    return Promise.all(checks.map(async ({ name, check }) => {
      try {
        await check();
        return { name, ok: true };
      } catch (error) {
        return { name, ok: false, detail: describeError(error).message };
      }
    }));
  }

  private async existingRun(runId: string): Promise<Run> {
    if (!RUN_ID_PATTERN.test(runId)) throw new InputError(`'${runId}' is not a run id (they look like run-20261122033000-ab12cd)`, { hint: 'List runs with `slipway runs`.' });
    const run = await this.deps.runs.getRun(runId);
    if (!run) throw new NotFoundError(`no run ${runId}`, { hint: 'List runs with `slipway runs`.' });
    return run;
  }

  async list(): Promise<AppView[]> {
    const apps = await this.deps.apps.list();
    // Few runs are ever interrupted: they are read once, instead of each app's latest run.
    const interrupted = new Map<string, Run>();
    for (const run of await this.deps.runs.listRuns({ status: 'interrupted', limit: 100_000 })) if (!interrupted.has(run.app)) interrupted.set(run.app, run);
    return Promise.all(apps.map((a) => this.view(a, interrupted.has(a.name) ? undefined : 'not interrupted')));
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
   * (the record learns them only when a run ends). `known`: none of its runs is interrupted, so its
   * latest is not looked up.
   */
  private async view(stored: AppRecord, known?: 'not interrupted'): Promise<AppView> {
    // An app an older Slipway deployed has no version recorded; all it could ship was a create: v1.0.0.
    const record = stored.version === undefined && stored.commits.gitops ? { ...stored, version: FIRST_VERSION, env: this.deps.defaultEnv ?? DEFAULT_ENV } : stored;
    const [latest] = known ? [] : await this.deps.runs.listRuns({ app: record.name, limit: 1 });
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

  /**
   * An app's versions, newest first, read from the GitOps history: those of `env` when it is given,
   * else of every environment; `current` is the version `env` (default: the default one) runs.
   */
  async versions(app: string, options: { env?: string } = {}): Promise<AppVersions> {
    await this.existingApp(app);
    if (options.env !== undefined) assertEnvName(options.env);
    const defaultEnv = this.deps.defaultEnv ?? DEFAULT_ENV;
    const versions = await appVersions(this.deps.gitopsRepo, app, { defaultEnv, runs: this.deps.runs, ...(options.env !== undefined ? { env: options.env } : {}) });
    const env = options.env ?? defaultEnv;
    return { app, current: versions.find((v) => v.env === env)?.version ?? null, versions };
  }

  /** The templates a create may name. */
  async templates(): Promise<TemplateInfo[]> {
    return (await this.deps.catalog?.templates()) ?? [];
  }

  /** What `create` generates with when no template is named. */
  async generator(): Promise<GeneratorInfo> {
    return (await this.deps.catalog?.generator()) ?? { kind: 'templates', description: 'the offline templates' };
  }

  /** The checks `slipway doctor` makes, each with what to do when it fails. */
  async doctor(): Promise<DoctorCheck[]> {
    return (await this.deps.catalog?.doctor()) ?? [];
  }

  /**
   * An app's files at the head of a repo: its folder in the source repo (`<app>/…`), or its manifests
   * in the GitOps repo (`<gitops path>/<app>/…`); paths relative to that folder, sorted.
   */
  async files(app: string, repo: RepoName): Promise<Array<{ path: string; size: number }>> {
    const { git, folder } = await this.appFolder(app, repo);
    return git.listFiles(folder);
  }

  /** One of an app's files (see `files`); a path that leaves the app's folder is bad input. */
  async file(app: string, repo: RepoName, path: string): Promise<AppFile> {
    const problem = safePathProblem(path);
    if (problem) throw new InputError(`refused path ${JSON.stringify(path)}: ${problem}`, { hint: `Use a path the file list of ${app} gives.` });
    const { git, folder } = await this.appFolder(app, repo);
    const bytes = await git.readFile(`${folder}/${path.replace(/^\.\//, '')}`);
    if (!bytes) throw new NotFoundError(`no file ${path} in ${app}'s ${repo === 'source' ? 'source' : 'manifests'}`, { hint: `List its files: GET /v1/apps/${app}/files?repo=${repo}` });
    const text = utf8Text(bytes);
    const base = { path, size: bytes.length, binary: text === undefined };
    return text !== undefined && bytes.length <= FILE_CONTENT_LIMIT ? { ...base, content: text } : base;
  }

  /**
   * An app's output: the last `tail` lines (written since `since`, when given), then with `follow`
   * (the default) new ones as they are written, until `signal` aborts or the app goes away. A local
   * app's from its runtime (process or podman); a cluster app's from its pods, through the
   * Kubernetes API. Problems (unknown app, no pods, missing permissions) reject before any line.
   */
  async logs(app: string, options: { tail: number; follow?: boolean; since?: Date; env?: string; signal?: AbortSignal }): Promise<AsyncIterable<string>> {
    const record = await this.existingApp(app);
    const { tail, follow = true, since, env, signal } = options;
    const asked = { tail, follow, ...(since ? { since } : {}), ...(signal ? { signal } : {}) };
    if (record.target === 'cluster' || !this.deps.runtime) {
      if (!this.deps.clusterLogs) {
        throw new ConflictError(`${app} runs on the cluster, and Slipway has no access to its Kubernetes API to read the logs`, {
          hint: `Give Slipway access with kube: in slipway.yaml (kubeconfig: <file>, or inCluster: true), or run \`kubectl logs deployment/${app} --namespace <apps namespace> --follow\`.`,
        });
      }
      return this.deps.clusterLogs.open(app, { ...asked, ...(env ? { env } : {}) });
    }
    const runtime = this.deps.runtimeFor ? await this.deps.runtimeFor(app) : this.deps.runtime;
    return runtime.logs(app, record.runtime, asked);
  }

  private async existingApp(app: string): Promise<AppRecord> {
    assertAppName(app);
    const record = await this.deps.apps.get(app);
    if (!record) throw new NotFoundError(`no app named '${app}'`, { hint: 'List apps with `slipway list`.' });
    return record;
  }

  private async appFolder(app: string, repo: RepoName): Promise<{ git: GitRepo; folder: string }> {
    await this.existingApp(app);
    return repo === 'source' ? { git: this.deps.sourceRepo, folder: app } : { git: this.deps.gitopsRepo, folder: `${this.deps.gitopsPath}/${app}` };
  }

  /** Runs, newest first, a page at a time: `nextCursor` asks for the next page. */
  async runs(filter: { app?: string; status?: RunStatus; limit?: number; cursor?: string } = {}): Promise<{ runs: Run[]; nextCursor?: string }> {
    const limit = filter.limit ?? 20;
    if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) throw new InputError(`limit must be a whole number from 1 to 10000, not ${limit}`);
    if (filter.app !== undefined) assertAppName(filter.app);
    const after = filter.cursor === undefined ? undefined : decodeCursor(filter.cursor);
    const runs = await this.deps.runs.listRuns({
      limit, ...(filter.app !== undefined ? { app: filter.app } : {}), ...(filter.status !== undefined ? { status: filter.status } : {}), ...(after ? { after } : {}),
    });
    const last = runs.at(-1);
    return { runs, ...(runs.length === limit && last ? { nextCursor: encodeCursor(last) } : {}) };
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

  /** Executes a run the queue took (it holds the run already), then records its outcome on the app. */
  private async execute(run: Run, signal: AbortSignal): Promise<void> {
    const { runs, logger, events } = this.deps;
    try {
      if (run.timeline.length > 0 || run.kind === 'delete') await this.stopLeftovers();
      const { pipelines } = await this.preparing(run);
      const fromFolder = typeof run.request.from === 'string' && (run.kind === 'create' || run.kind === 'change');
      const pipeline = fromFolder ? pipelines.fromFolder?.[run.kind as 'create' | 'change'] : pipelines[run.kind];
      if (!pipeline) throw notAvailable(run.kind);
      const result = await executePipeline({
        run, pipeline, store: runs, logger: logger.child({ runId: run.id, app: run.app }), signal,
        onEvent: (event) => void events.publish(event).catch((error: unknown) => logger.error({ err: error, runId: run.id }, 'could not store a run event')),
      });
      await events.settled();
      await this.record(run, result.status, result.outputs);
      await this.rollBackAutomatically(run, result, result.outputs);
    } finally {
      await runs.releaseRun(run.id);
      await this.notify(run.id);
    }
  }

  /**
   * Tells the configured targets and the subscribed webhooks how a run ended, once its state is
   * stored. Each target's result is one `notify` event of the run (shown in its report); a target
   * that fails never fails the run.
   */
  private async notify(runId: string): Promise<void> {
    const run = await this.deps.runs.getRun(runId);
    const { notifier, subscriptions } = this.deps;
    if ((!notifier && !subscriptions) || !run || (run.status !== 'succeeded' && run.status !== 'failed' && run.status !== 'cancelled')) return;
    const { url } = outputsView(await this.collectOutputs(run));
    const outcome: RunOutcome = {
      runId: run.id, app: run.app, kind: run.kind, status: run.status, ...(url ? { url } : {}),
      durationMs: run.timeline.reduce((total, step) => total + (step.reused ? 0 : step.durationMs ?? 0), 0),
      ...(run.error ? { error: { message: run.error.message, ...(run.error.hint ? { hint: run.error.hint } : {}), ...(run.error.stepId ? { stepId: run.error.stepId } : {}) } } : {}),
    };
    // Apart, so that a secret missing from slipway.yaml leaves the subscriptions told, and the other way round.
    const [configured, subscribed] = await Promise.all([
      notifier ? this.sendNotifications(runId, 'notify', () => notifier().notify(outcome)) : [],
      subscriptions ? this.sendNotifications(runId, 'webhooks', () => subscriptions.notify(outcome)) : [],
    ]);
    for (const result of [...configured, ...subscribed]) await this.deps.events.publish({ type: 'notify', runId, ...result });
  }

  /** The results of one notifier; one that cannot send at all (a secret not set, an unreadable store) is said on the run as a failed `target`. */
  private async sendNotifications(runId: string, target: string, send: () => Promise<NotifyResult[]>): Promise<NotifyResult[]> {
    try {
      return await send();
    } catch (error) {
      const { message } = describeError(error);
      this.deps.logger.warn({ runId, target, err: { message } }, 'could not send notifications');
      return [{ target, ok: false, attempts: 0, error: message }];
    }
  }

  /** The pipelines; a run that cannot get them (a broken template, a bad setting) ends as failed, not left running. */
  private async preparing(run: Run): Promise<Awaited<ReturnType<ServiceDeps['prepare']>>> {
    try {
      return await this.deps.prepare();
    } catch (error) {
      const info = describeError(error);
      await this.deps.runs.setRunStatus(run.id, 'failed', info);
      await this.record(run, 'failed', new StepOutputs());
      await this.deps.events.publish({ type: 'run:end', runId: run.id, status: 'failed', error: info });
      throw error;
    }
  }

  /** A create cancelled before any step ran leaves no app behind: its name is free again. */
  private async forgetUnstarted(run: Run): Promise<void> {
    const record = await this.deps.apps.get(run.app);
    if (run.kind === 'create' && run.timeline.length === 0 && record?.lastRunId === run.id && !record.commits.source) await this.deps.apps.remove(run.app);
    else await this.record(run, 'cancelled', new StepOutputs());
  }

  /** Keeps the app record in step with the run's outcome. */
  private async record(run: Run, status: Run['status'], outputs: StepOutputs): Promise<void> {
    const { apps } = this.deps;
    const existing = await apps.get(run.app);
    const at = this.now().toISOString();
    if (run.kind === 'delete') {
      if (status === 'succeeded') {
        // The app's secret values go with it, in every environment it was configured in.
        for (const env of Object.keys(existing?.configs ?? {})) await this.deps.vault?.removeAll(run.app, env);
        await apps.remove(run.app);
      } else if (existing) await apps.upsert({ ...existing, state: 'failed', lastRunId: run.id, updatedAt: at });
      return;
    }
    // A change that failed before anything was shipped left the version that runs as it was.
    const shipped = outputs.has(deployOutput) || outputs.has(manifestsCommitOutput);
    if (run.kind === 'change' && status !== 'succeeded' && existing && !shipped) {
      await apps.upsert({ ...existing, lastRunId: run.id, updatedAt: at });
      return;
    }
    const view = outputsView(outputs);
    const base: AppRecord = existing ?? {
      name: run.app, description: String(run.request.description ?? ''), template: '', state: 'deploying', target: this.deps.target,
      commits: {}, lastRunId: run.id, createdAt: at, updatedAt: at,
    };
    const deployed = outputs.get(deployOutput);
    // A run with a plan says what the app needs now; one without (a rollback) leaves it as it was.
    const { needs: needsBefore, ...kept } = base;
    const needs = view.template ? view.needs : needsBefore;
    await apps.upsert({
      ...kept,
      ...(needs ? { needs } : {}),
      template: view.template ?? base.template,
      ...(view.generator ? { generator: view.generator } : {}),
      // A cluster app is known to run only when its rollout was followed to the end.
      state: status === 'succeeded' ? (this.deps.target === 'local' || outputs.has(clusterAwaitOutput) ? 'running' : 'deploying') : status === 'cancelled' ? 'stopped' : 'failed',
      commits: { ...base.commits, ...view.commits },
      ...(view.url ? { url: view.url } : {}),
      // The version is the one the GitOps repo holds: it changes once the run committed its manifests.
      ...(view.version && view.commits.gitops ? { version: view.version.version, env: view.version.env } : {}),
      // Who may open it changes with the manifests that say so.
      ...(view.commits.gitops && (run.request.access === 'public' || run.request.access === 'private') ? { access: run.request.access } : {}),
      // The runtime's name goes with its handle: stop and status must go to the runtime that started the app.
      ...(deployed ? { runtime: { ...deployed.handle, runtime: deployed.runtime } } : {}),
      lastRunId: run.id,
      updatedAt: at,
    });
  }

  private async reportOf(run: Run): Promise<RunReport> {
    const outputs = await this.collectOutputs(run);
    const view = outputsView(outputs);
    const notifications = (await this.deps.runs.events(run.id))
      .flatMap(({ event }) => (event.type === 'notify' ? [{ target: event.target, ok: event.ok, attempts: event.attempts, ...(event.error ? { error: event.error } : {}) }] : []));
    return {
      app: run.app, runId: run.id, kind: run.kind, status: run.status,
      createdAt: run.createdAt, updatedAt: run.updatedAt, ...(run.endedAt ? { endedAt: run.endedAt } : {}), events: run.events,
      ...(view.url ? { url: view.url } : {}),
      ...(view.template ? { template: view.template } : {}),
      ...(view.version ? { version: view.version.version } : {}),
      commits: view.commits, timeline: run.timeline, outputs: outputs.toRecord(),
      ...(outputs.get(sourceDiffOutput) ? { diff: outputs.get(sourceDiffOutput)! } : {}),
      ...(run.error ? { error: run.error } : {}),
      ...((run.kind === 'create' || run.kind === 'promote') && run.status === 'succeeded' && this.deps.followHint ? { next: this.deps.followHint(run.app, view.version?.env) } : {}),
      ...(view.needs ? { needs: view.needs } : {}),
      ...(await this.secretSteps(run, view.needs, view.version?.env)),
      ...(notifications.length > 0 ? { notifications } : {}),
      ...(await this.rollbackView(run, outputs)),
    };
  }

  /**
   * After a create whose plan needs secrets: how to set each one not set yet. The app started
   * without them (on its defaults), so this is what is left to do, not a failure.
   */
  private async secretSteps(run: Run, needs: AppNeeds | undefined, env: string | undefined): Promise<Pick<RunReport, 'nextSteps'>> {
    if (run.kind !== 'create' || run.status !== 'succeeded' || !needs?.secrets?.length) return {};
    const defaultEnv = this.deps.defaultEnv ?? DEFAULT_ENV;
    const where = env ?? (typeof run.request.env === 'string' ? run.request.env : defaultEnv);
    const set = this.deps.vault ? await this.deps.vault.names(run.app, where) : [];
    const steps = secretHints(run.app, needs, set, where === defaultEnv ? undefined : where);
    return steps.length > 0 ? { nextSteps: steps } : {};
  }

  /** What a report says about rollbacks: the one this run is, or the automatic one that followed it. */
  private async rollbackView(run: Run, outputs: StepOutputs): Promise<Pick<RunReport, 'rollback' | 'rolledBackBy'>> {
    if (run.kind === 'rollback') {
      const { to, auto } = RollbackRequest.safeParse(run.request).data ?? {};
      return { rollback: { ...(outputs.get(versionPickOutput) ? { to: outputs.get(versionPickOutput)!.version } : to ? { to } : {}), ...(auto ? { auto } : {}) } };
    }
    if (run.status !== 'failed') return {};
    const later = await this.deps.runs.listRuns({ app: run.app, limit: 100 });
    const rollback = later.find((r) => r.kind === 'rollback' && RollbackRequest.safeParse(r.request).data?.auto?.failedRunId === run.id);
    return rollback ? { rolledBackBy: rollback.id } : {};
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

/** A kind of run this Slipway has no pipeline for yet. */
function notAvailable(kind: RunKind): ConflictError {
  return new ConflictError(`\`slipway ${kind}\` is not available yet in this Slipway`, { hint: 'Update Slipway to a release that ships it.' });
}

/** What a run's report and an app's record take from its steps' outputs: the commits, the template, the generator and the URL. */
function outputsView(outputs: StepOutputs) {
  const commits: { source?: string; gitops?: string } = {};
  const source = (outputs.get(sourceCommitOutput) ?? outputs.get(sourceRemoveOutput))?.sha;
  const gitops = (outputs.get(manifestsCommitOutput) ?? outputs.get(manifestsRemoveOutput))?.sha;
  if (source) commits.source = source;
  if (gitops) commits.gitops = gitops;
  // A change's plan is the one it leaves the app with (a model's change makes the model its generator).
  const plan = outputs.get(planOutput) ?? outputs.get(sourceChangeOutput)?.plan;
  return {
    template: plan?.template.id,
    generator: plan ? generatorName(plan) : undefined,
    needs: plan && !needsNothing(plan.needs) ? plan.needs : undefined,
    url: outputs.get(awaitOutput)?.url ?? outputs.get(deployOutput)?.url ?? outputs.get(clusterAwaitOutput)?.url,
    // A configure run ships the version the environment runs: the same number, new settings.
    version: outputs.get(versionNextOutput) ?? outputs.get(configCurrentOutput),
    commits,
  };
}

/** The bytes as text when they are UTF-8 without NUL bytes; undefined for anything else (binary). */
function utf8Text(bytes: Uint8Array): string | undefined {
  if (bytes.includes(0)) return undefined;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
}

/** A page's cursor: where the next page starts, opaque to clients. */
function encodeCursor(run: Run): string {
  return Buffer.from(JSON.stringify([run.createdAt, run.id])).toString('base64url');
}

function decodeCursor(cursor: string): { createdAt: string; id: string } {
  try {
    const [createdAt, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown[];
    if (typeof createdAt === 'string' && typeof id === 'string' && RUN_ID_PATTERN.test(id)) return { createdAt, id };
  } catch {
    // Said below.
  }
  throw new InputError('the cursor is not one Slipway gave out', { hint: 'Use the nextCursor of the previous page, or leave it out to start from the newest run.' });
}
