import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { listOfflineTemplates, TemplateGenerator } from '../adapters/generator/index.ts';
import { CliGit, GitDirDiffer } from '../adapters/git/index.ts';
import { gitOpsEngineRenders } from '../adapters/gitops/index.ts';
import { SlipwayBuilder } from '../adapters/image-builder/index.ts';
import { DockerConfigCredentials, defaultDockerConfigPaths, OciRegistry } from '../adapters/registry/index.ts';
import { ProcessLedger } from '../adapters/os/index.ts';
import { createNotifier, subscribedWebhooks } from '../adapters/notify/index.ts';
import { readFileSync } from 'node:fs';
import { openDatabase } from '../adapters/store/sqlite-database.ts';
import { SqliteWebhookStore } from '../adapters/store/sqlite-webhook-store.ts';
import { openCheckedDatabase } from '../adapters/store/store-check.ts';
import { SqliteAppStore } from '../adapters/store/sqlite-app-store.ts';
import { SqliteRunStore } from '../adapters/store/sqlite-run-store.ts';
import { readSecret, type ResolvedConfig } from '../config/index.ts';
import { changePipeline, configurePipeline, createPipeline, deletePipeline, promotePipeline, rollbackPipeline } from '../pipeline/index.ts';
import { renderApp, renderSettingsFrom, type RenderSettings } from '../render/index.ts';
import { createAwaitHealthyStep } from '../steps/app-await/index.ts';
import { createDeployLocalStep } from '../steps/app-deploy/index.ts';
import { createPlanStep } from '../steps/app-plan/index.ts';
import { createStopLocalStep } from '../steps/app-stop/index.ts';
import { createCommitManifestsStep } from '../steps/manifests-commit/index.ts';
import { createRemoveManifestsStep } from '../steps/manifests-remove/index.ts';
import { createRenderStep } from '../steps/manifests-render/index.ts';
import { Externals } from './externals.ts';
import { SqliteExternalStore } from '../adapters/store/sqlite-external-store.ts';
import { createCurrentVersionStep } from '../steps/config-current/index.ts';
import { LocalSecretStore } from '../adapters/secrets/local-secret-store.ts';
import { appConfigSources } from './app-configs.ts';
import { appSecretParts } from './app-secrets.ts';
import { createCommitSourceStep } from '../steps/source-commit/index.ts';
import { createGenerateStep } from '../steps/source-generate/index.ts';
import { createBuildImageStep } from '../steps/image-build/index.ts';
import { createVerifyStep } from '../steps/source-verify/index.ts';
import { createReadSourceStep, readAppSource } from '../steps/source-read/index.ts';
import { createChangeSourceStep } from '../steps/source-change/index.ts';
import { createDiffSourceStep } from '../steps/source-diff/index.ts';
import { createProvenanceStep } from '../steps/source-provenance/index.ts';
import { NpmDependencyInstaller, npmNetworkEnv, ProcessSandbox } from '../adapters/sandbox/index.ts';
import { LocalPostgres } from '../adapters/database/local-postgres.ts';
import { createRemoveLocalDataStep } from '../steps/database-remove/index.ts';
import { imagePlan } from './image-plan.ts';
import { chooseRuntime, runtimeNameOf } from './runtime-choice.ts';
import { clusterLogsFor, clusterParts, followHintFor } from './cluster-wiring.ts';
import { accessParts, accessProxyParts, checkAccess } from './access-wiring.ts';
import { createGuardAccessStep } from '../steps/access-guard/index.ts';
import { createRemoveAccessStep } from '../steps/access-remove/index.ts';
import { chooseGenerator, llmProvider } from './generator-choice.ts';
import { createSyncStep } from '../steps/gitops-sync/index.ts';
import { createClusterAwaitStep } from '../steps/cluster-await/index.ts';
import { createRemoveSourceStep } from '../steps/source-remove/index.ts';
import { createForgetImageStep } from '../steps/image-forget/index.ts';
import { createVersionNextStep } from '../steps/version-next/index.ts';
import { createPickVersionStep } from '../steps/version-pick/index.ts';
import { createRestoreManifestsStep } from '../steps/manifests-restore/index.ts';
import { createCheckoutSourceStep } from '../steps/source-checkout/index.ts';
import { folderInspector, folderPipelines } from './compose-import.ts';
import { appVersions, currentVersion } from './versions.ts';
import { ensureBareRepo } from './local-repos.ts';
import { environmentWiring } from './environment-wiring.ts';
import { imageRetagger } from './image-retag.ts';
import { runningImage } from './running-image.ts';
import { createPromoteImageStep } from '../steps/image-promote/index.ts';
import { slipwayGc, type GcOptions } from './gc.ts';
import { localHistories, reposHoldApps } from './repo-history.ts';
import { createLogger } from './logger.ts';
import { readinessChecks } from './readiness.ts';
import { runLogEvent } from './run-log.ts';
import { RunEvents } from './run-events.ts';
import { SlipwayService, type ServiceDeps } from './slipway-service.ts';

/** Where Slipway's own files are (templates ship with it). */
export const PACKAGE_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const SLIPWAY_VERSION: string = JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')).version;

export interface Environment {
  /** PATH for spawned programs. */
  path?: string;
  /** Node binary that runs apps locally (and goes into the `host` base image). */
  nodeBinary: string;
  /** The process environment, for credential file locations ($DOCKER_CONFIG …). */
  vars: Record<string, string | undefined>;
  homedir: string;
}

/**
 * Wires adapters into steps and pipelines from the configuration: the only place that knows them all.
 * The state file is checked first (see openCheckedDatabase); `slipway repair` asks for a fresh one
 * (`store: 'rebuild'`) once it has moved the damaged file aside.
 */
export async function compose(config: ResolvedConfig, env: Environment, options: { store?: 'checked' | 'rebuild'; mode?: ServiceDeps['mode'] } = {}) {
  const home = config.home;
  // A run's log lines are also its events; the events exist once the store is open.
  const opened: { events?: RunEvents } = {};
  const logger = createLogger({
    file: join(home, 'logs', 'slipway.log'), level: config.logLevel,
    onLine: (line) => {
      const event = opened.events && runLogEvent(line);
      if (event) void opened.events!.publish(event).catch(() => undefined);
    },
  });
  const stateFile = join(home, 'state.db');
  const histories = localHistories(config);
  const db = options.store === 'rebuild' ? openDatabase(stateFile) : await openCheckedDatabase(stateFile, { reposHoldApps: () => reposHoldApps(histories) });
  const runs = new SqliteRunStore({ db });
  const apps = new SqliteAppStore({ db });
  const events = new RunEvents(runs);
  opened.events = events;
  const sourceUrl = config.git.source.url ?? join(home, 'git', 'apps.git');
  const gitopsUrl = config.git.gitops.url ?? join(home, 'git', 'gitops.git');
  if (!config.git.source.url) await ensureBareRepo(sourceUrl, config.git.source.branch);
  if (!config.git.gitops.url) await ensureBareRepo(gitopsUrl, config.git.gitops.branch);
  const gitEnv: Record<string, string> = env.path ? { PATH: env.path } : {};
  const cacheDir = join(home, 'cache', 'git');
  // Deploy keys and tokens come from slipway.yaml by reference; the token itself is read here, once.
  const auth = (remote: ResolvedConfig['git']['source'], field: string) => ({
    ...(remote.ssh ? { ssh: remote.ssh } : {}),
    ...(remote.https ? { https: { token: readSecret(remote.https.token, `git.${field}.https.token`, env.vars), username: remote.https.username } } : {}),
  });
  const sourceRepo = new CliGit({ url: sourceUrl, branch: config.git.source.branch, cacheDir, author: config.git.author, env: gitEnv, ...auth(config.git.source, 'source') });
  const gitopsRepo = new CliGit({ url: gitopsUrl, branch: config.git.gitops.branch, cacheDir, author: config.git.author, env: gitEnv, ...auth(config.git.gitops, 'gitops') });

  const settings: RenderSettings = renderSettingsFrom(config, { engines: gitOpsEngineRenders(), engine: config.engine });
  const envs = environmentWiring(config, gitOpsEngineRenders());
  const externals = new Externals({
    store: new SqliteExternalStore({ db }), apps, gitops: gitopsRepo, settingsFor: envs.settingsFor,
    environment: (env) => envs.environments.get(env).name,
  });
  // The short-lived processes a run starts (doctor reads the same folder).
  const startedProcesses = new ProcessLedger({ dir: join(home, 'run', 'started') });

  const choice = config.target === 'local'
    ? await chooseRuntime(config, { nodeBinary: env.nodeBinary, npmEnv: npmNetworkEnv(env.vars), ...(env.path ? { path: env.path } : {}) }, (spec, image) => {
      const file = renderApp(spec, { image }, settings).find((f) => f.path.endsWith('/deployment.yaml'));
      if (!file) throw new Error('the renderer produced no deployment.yaml');
      return file.content;
    })
    : undefined;
  const runtime = choice?.runtime;
  // The apps' own PostgreSQL folders on this machine (the runtimes start and stop them; a delete may remove one).
  const databases = new LocalPostgres({ root: join(config.home, 'databases') });
  // An app is stopped and asked about by the runtime its record names (the one that started it),
  // whatever the choice is today; an app with none recorded by today's.
  const runtimeFor = async (app: string) => {
    const recorded = runtimeNameOf((await apps.get(app))?.runtime);
    return (recorded ? await choice!.named(recorded) : undefined) ?? choice!.runtime;
  };
  const handleOf = async (app: string) => (await apps.get(app))?.runtime;
  // Secret values live encrypted under the home; settings and secret names on the app's record.
  const vault = new LocalSecretStore({ home });
  const configSources = appConfigSources({ apps, vault, defaultEnv: config.defaultEnv, target: config.target, ...appSecretParts(config, env.vars, gitopsRepo, envs.settingsFor, logger) });
  // What only a run needs (generator, registry, builder, sandbox, cluster endpoints and their
  // secrets) is built on first use, so list, status and runs start without it.
  let registry: OciRegistry | undefined;
  const registryClient = () => (registry ??= new OciRegistry({
    credentials: new DockerConfigCredentials({
      paths: [...(config.registry.dockerConfig ? [config.registry.dockerConfig] : []), ...defaultDockerConfigPaths(env.vars, env.homedir)],
      env: env.vars,
    }),
    insecureRegistries: config.registry.insecure && config.registry.host ? [config.registry.host] : [],
    ...(config.registry.ca ? { ca: readFileSync(config.registry.ca) } : {}),
    logger,
  }));
  const folderParts = { config, templatesDir: join(PACKAGE_ROOT, 'templates'), runtime, path: env.path ?? env.vars.PATH ?? '/usr/local/bin:/usr/bin:/bin', home: env.homedir, vars: env.vars, registry: registryClient };
  const prepare = memoize(async () => {
    const templatesDir = join(PACKAGE_ROOT, 'templates');
    const { generator, description: generatorDescription } = await chooseGenerator(config, env.vars, new TemplateGenerator({ templatesDir }), PACKAGE_ROOT, logger);
    const templates = (await listOfflineTemplates(templatesDir)).map((t) => t.id);

    const builder = new SlipwayBuilder({ registry: registryClient(), cacheDir: join(config.cache, 'layers'), logger });
    const images = imagePlan(config, async () => {
      const { ensureHostBaseImage } = await import('../adapters/image-builder/host-base-image.ts');
      return (await ensureHostBaseImage({ cacheDir: join(config.cache, 'base'), nodeBinary: env.nodeBinary })).ref;
    });
    const dependencies = new NpmDependencyInstaller({ workDir: join(home, 'work', 'image'), npmCache: join(config.cache, 'npm'), env: npmNetworkEnv(env.vars), ledger: startedProcesses, ...(env.path ? { path: env.path } : {}) });
    const cluster = config.target === 'cluster' ? await clusterParts(config, env.vars, logger) : undefined;
    const access = await accessParts(config, env.vars, envs, cluster?.publicUrl);
    const workspace = join(home, 'work');
    const sandbox = new ProcessSandbox({
      workDir: join(workspace, 'sandbox'), nodeBinary: env.nodeBinary, npmCache: join(config.cache, 'npm'), env: npmNetworkEnv(env.vars), ledger: startedProcesses,
      ...(env.path ? { path: env.path } : {}),
    });
    // A version's number follows the one the GitOps history says the environment runs.
    const versionNext = createVersionNextStep({ current: async (app, env) => currentVersion(await appVersions(gitopsRepo, app, { env, defaultEnv: config.defaultEnv }), env) });
    const timeouts = { source: config.watch.source * 1000, reconcile: config.watch.reconcile * 1000, rollout: config.watch.rollout * 1000, http: config.watch.http * 1000 };
    // How a version reaches where it runs, the same for a create, a change, a rollback and a promote:
    // the manifests commit, then the cluster's reconcile and rollout, or the local start and health check.
    const ship = {
      commitManifests: createCommitManifestsStep({ repo: gitopsRepo, settings, settingsFor: envs.settingsFor }),
      ...(access ? { guard: createGuardAccessStep({ guard: access.guard, hostFor: access.hostFor }) } : {}),
      ...(cluster?.syncer ? { sync: createSyncStep({ syncer: cluster.syncer, branch: config.git.gitops.branch, repoUrl: gitopsRepo.displayUrl, objectSuffix: envs.objectSuffix }) } : {}),
      ...(cluster?.watcher && cluster.publicUrl
        ? { clusterAwait: createClusterAwaitStep({ watcher: cluster.watcher, namespace: settings.namespace, publicUrl: cluster.publicUrl, timeouts, forEnv: envs.clusterFor(cluster.publicUrl) }) }
        : {}),
      ...(runtime
        ? { deploy: createDeployLocalStep({ runtime, recorded: { runtimeFor, handleOf }, environmentFor: configSources.environmentFor, ...(choice?.note ? { note: choice.note } : {}) }), await: createAwaitHealthyStep({ runtime, timeoutMs: config.local.readyTimeoutSeconds * 1000 }) }
        : {}),
    };
    const accessProxy = accessProxyParts(config, env.vars, gitopsRepo);
    const render = createRenderStep({
      settings, validatorCache: join(config.cache, 'validators'), settingsFor: envs.settingsFor, configFor: configSources.configFor, ...(accessProxy ? { accessProxy } : {}),
      egressFor: (spec, env) => externals.egressFor(spec, env),
    });
    // The steps a create and a change share: verify, provenance, and everything from the source commit on.
    const shared = {
      version: versionNext,
      verify: createVerifyStep({ sandbox, generator, maxAttempts: config.generation.maxAttempts }),
      provenance: createProvenanceStep({ generator, slipwayVersion: SLIPWAY_VERSION }),
      commitSource: createCommitSourceStep({ repo: sourceRepo }),
      build: createBuildImageStep({ builder, images, sourceUrl: sourceRepo.displayUrl, prepare: (dir, signal) => dependencies.prepare(dir, signal), tagSuffix: envs.tagSuffix }),
      render,
      ...ship,
    };
    const create = createPipeline({ plan: createPlanStep({ generator }), generate: createGenerateStep({ generator, workspace }), ...shared }, { defaultEnv: config.defaultEnv });
    const change = changePipeline({
      read: createReadSourceStep({ repo: sourceRepo, workspace }),
      change: createChangeSourceStep({ generator, workspace }),
      diff: createDiffSourceStep({ differ: new GitDirDiffer(env.path ? { path: env.path } : {}) }),
      ...shared,
    });
    const rollback = rollbackPipeline(
      {
        version: versionNext,
        pick: createPickVersionStep({
          versions: (app, env) => appVersions(gitopsRepo, app, { env, defaultEnv: config.defaultEnv }), runs, runImage: images.runImage, needsSpec: Boolean(runtime),
        }),
        restore: createRestoreManifestsStep({ repo: gitopsRepo, settings }),
        ...ship,
        ...(runtime ? { checkout: createCheckoutSourceStep({ repo: sourceRepo, workspace }) } : {}),
      },
      { defaultEnv: config.defaultEnv },
    );
    const promote = promotePipeline({
      version: versionNext,
      promoteImage: createPromoteImageStep({
        running: (app, env) => runningImage({ gitops: gitopsRepo, runs, defaultEnv: config.defaultEnv }, app, env),
        retag: imageRetagger(config, registryClient),
        manifestImage: images.manifestImage, runImage: images.runImage, tagSuffix: envs.tagSuffix,
      }),
      render, commitManifests: ship.commitManifests,
      ...(ship.guard ? { guard: ship.guard } : {}),
      ...(ship.sync ? { sync: ship.sync } : {}),
      ...(ship.clusterAwait ? { clusterAwait: ship.clusterAwait } : {}),
    });
    // New settings or secrets: the version an environment runs, rendered again with them.
    const configure = configurePipeline({
      current: createCurrentVersionStep({
        current: async (app, env) => {
          const running = await runningImage({ gitops: gitopsRepo, runs, defaultEnv: config.defaultEnv }, app, env);
          const version = currentVersion(await appVersions(gitopsRepo, app, { env, defaultEnv: config.defaultEnv }), env);
          if (!running || !version) return undefined;
          return { version, image: running.image, runImage: images.runImage(app, running.tag, running.digest), sourceCommit: running.sourceCommit, spec: running.spec };
        },
      }),
      render, ...ship,
      ...(runtime ? { checkout: createCheckoutSourceStep({ repo: sourceRepo, workspace }) } : {}),
    });
    // A folder of code ships through the same steps once it is read and verified.
    const fromFolder = folderPipelines(folderParts, shared, { sandbox, images, sourceRepo, workspace });
    const remove = deletePipeline({
      ...(runtime ? { stop: createStopLocalStep({ runtimeFor, handleOf }), removeData: createRemoveLocalDataStep({ databases }) } : {}),
      removeSource: createRemoveSourceStep({ repo: sourceRepo }),
      removeManifests: createRemoveManifestsStep({ repo: gitopsRepo, settings, others: envs.others() }),
      ...(cluster?.syncer ? { sync: createSyncStep({ syncer: cluster.syncer, branch: config.git.gitops.branch, repoUrl: gitopsRepo.displayUrl }) } : {}),
      ...(images.forget ? { forgetImage: createForgetImageStep({ forget: images.forget }) } : {}),
      ...(access ? { removeAccess: createRemoveAccessStep({ guard: access.guard, hostsFor: access.hostsFor }) } : {}),
    });
    return { pipelines: { create, delete: remove, change, fromFolder, rollback, promote, configure }, templates, generatorDescription };
  });

  const clusterLogs = clusterLogsFor(config, env.vars, settings.namespace);
  const service = new SlipwayService({
    target: config.target, runs, apps, events, sourceRepo, gitopsRepo, gitopsPath: settings.gitops.path,
    ...(runtime ? { localData: databases } : {}),
    ...(options.mode ? { mode: options.mode } : {}),
    readiness: readinessChecks(config, sourceRepo, gitopsRepo),
    ...(config.notify.length > 0 ? { notifier: memoizeSync(() => createNotifier(config.notify, { env: env.vars, logger })) } : {}),
    autoRollback: config.rollout.autoRollback,
    knownExternals: (names, env) => externals.assertKnown(names, env),
    access: { default: config.access.default, ...(config.access.provider ? { provider: config.access.provider } : {}), check: () => checkAccess(config, env.vars) },
    subscriptions: subscribedWebhooks(new SqliteWebhookStore({ db }), { env: env.vars, logger }),
    ...(runtime ? { runtime, runtimeFor } : {}),
    vault,
    prepare, logger, leftovers: startedProcesses, environments: envs.environments, defaultEnv: config.defaultEnv,
    inspectFolder: folderInspector(folderParts),
    // With no model, only the changes a template understands can be made: the rest is refused now,
    // before a run exists (re-rendering a template is quick and touches nothing).
    checkChange: async (app, request) => {
      if (llmProvider(config, env.vars)) return;
      const current = await readAppSource(sourceRepo, app);
      await new TemplateGenerator({ templatesDir: join(PACKAGE_ROOT, 'templates') }).change(current.plan, { name: app, description: current.description }, { spec: current.spec, files: [] }, request);
    },
    catalog: {
      templates: async () => (await listOfflineTemplates(join(PACKAGE_ROOT, 'templates'))).map(({ id, title, description }) => ({ id, title, description })),
      generator: async () => ({ kind: llmProvider(config, env.vars) ? 'model' : 'templates', description: (await prepare()).generatorDescription }),
      // Loaded when asked: its probes are not what runs need.
      doctor: async () => (await import('./doctor.ts')).runDoctor(config, env.vars, process.version),
    },
    ...(followHintFor(config) ? { followHint: followHintFor(config)! } : {}),
    ...(clusterLogs ? { clusterLogs } : {}),
  });
  return {
    service, logger, config, repos: { source: sourceUrl, gitops: gitopsUrl },
    /** `slipway external …`: services outside the cluster. */
    externals,
    // What `slipway repair` rebuilds the state from, and into.
    state: { file: stateFile, runs, apps, histories, sourceRepo, gitopsRepo, ...(runtime ? { runtime } : {}) },
    describeGenerator: async () => (await prepare()).generatorDescription,
    /** `slipway gc`: deletes the registry's images no environment needs. */
    gc: (options: GcOptions = {}) => slipwayGc(config, { registry: registryClient, gitops: gitopsRepo, apps }, options),
    close: () => {
      registry?.close();
      db.close();
    },
  };
}

export type Slipway = Awaited<ReturnType<typeof compose>>;

/** Builds once, on the first call that succeeds. */
function memoizeSync<T>(build: () => T): () => T {
  let value: { built: T } | undefined;
  return () => (value ??= { built: build() }).built;
}

/** Runs `build` once, on first call; later calls share its promise. */
function memoize<T>(build: () => Promise<T>): () => Promise<T> {
  let value: Promise<T> | undefined;
  return () => (value ??= build());
}
