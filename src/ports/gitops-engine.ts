import type { Logger } from 'pino';
import type { ResolvedConfig } from '../config/index.ts';
import type { SecretSource } from '../config/schema.ts';
import type { AppSpec } from '../domain/app-spec.ts';
import type { RenderSettings } from '../render/settings.ts';
import type { KubeObject, RenderedManifest, RenderInput } from '../render/types.ts';
import type { GitOpsSyncer } from './gitops-syncer.ts';
import type { KubeAccess } from './kube-access.ts';
import type { WatchStages } from './watch-stages.ts';

/** An engine's objects for one app, beside the generic ones (Deployment, Service, HTTPRoute, …). */
export interface EngineObjects {
  /** More manifests in the app's manifest folder, by file name (Flux: ImageRepository, ImagePolicy). */
  manifests: Array<{ name: string; object: KubeObject }>;
  /** A line comment for the Deployment's image (Flux: the image setter marker). */
  imageMarker?: string;
  /** The engine's own files with their paths (Flux: `ks.yaml`; Argo CD: `application.yaml`, the app-of-apps). */
  files: RenderedManifest[];
}

/** The engine's part of rendering. Pure: no I/O, clock or environment; the same input gives the same bytes. */
export interface EngineRender {
  /** The engine's name, as slipway.yaml's `engine` has it. */
  readonly name: string;
  /** The file beside an app's manifests that the parent kustomization lists (`ks.yaml`, `application.yaml`). */
  readonly entryFile: string;
  /** Whether the engine substitutes `${VAR}`s in what it applies, so text meant literally must be escaped. */
  readonly substitutesVariables: boolean;
  /**
   * Fills the engine's own section of the `render:` section as written (unchecked) from `git.gitops`,
   * where it needs to know the GitOps repo (Argo CD clones it).
   */
  fillFromGit?(render: Record<string, unknown>, gitops: { url?: string | undefined; branch?: string | undefined }): void;
  /** What in the settings this engine cannot work with, each with the field's path. */
  settingsProblems?(settings: RenderSettings): Array<{ path: string[]; message: string }>;
  /** The engine's objects for one app; throws InputError/ConfigError for what it cannot apply. */
  objects(spec: AppSpec, input: RenderInput, settings: RenderSettings): EngineObjects;
}

/** What an engine's outside parts are built from. */
export interface EngineContext {
  config: ResolvedConfig;
  /** Kubernetes API access, when configured. */
  access?: KubeAccess;
  logger?: Logger;
  /** Reads a secret named in slipway.yaml (the field is named in errors, the value never). */
  secret(source: SecretSource, field: string): string;
}

/** One line of `slipway doctor`. */
export interface EngineCheck {
  name: string;
  status: 'ok' | 'warn' | 'fail';
  detail: string;
  fix?: string;
}

/** What doctor lends an engine's checks. */
export interface DoctorTools {
  env: Record<string, string | undefined>;
  /** Any HTTP answer (its status), or why none came. */
  reachable(url: string, init?: RequestInit): Promise<{ status?: number; error?: string }>;
}

/**
 * A GitOps engine (Flux, Argo CD): its objects in the GitOps repo, how to ask it to reconcile now,
 * and the stages that show it applied a commit. Config picks one by name from the registry in
 * `src/adapters/gitops/index.ts`; nothing else knows which.
 */
export interface GitOpsEngine {
  /** The name slipway.yaml's `engine` and `render --engine` use. */
  readonly name: string;
  /** The name for people, e.g. `Argo CD`. */
  readonly title: string;
  /** Handed to the renderers (src/render) by the composition root, which resolves the engine once. */
  readonly render: EngineRender;
  /** Asks the engine to reconcile at once; undefined when nothing is configured to ask with. */
  syncer(context: EngineContext): Promise<GitOpsSyncer | undefined>;
  /** The engine's watch stages, handed to the Kubernetes watcher. */
  watchStages(config: ResolvedConfig): WatchStages;
  /**
   * What a person can run to follow a rollout Slipway cannot follow itself; `where` names an
   * environment's namespace and the engine's object for the app (`<app>-<env>`) when not the default ones.
   */
  followHint(app: string, config: ResolvedConfig, where?: { namespace: string; object: string }): string;
  /** The engine's own checks for `slipway doctor`. */
  doctor?(config: ResolvedConfig, tools: DoctorTools): Promise<EngineCheck[]>;
}
