/**
 * Slipway's own shapes around the rendered objects. The objects themselves are plain data (cdk8s
 * style) typed by the interfaces of `kubernetes-models` and its Flux, Argo CD and Gateway API
 * packages (`IDeployment`, `IKustomization`, …): each renderer checks what it builds with
 * `satisfies`, so a misspelt or mistyped field does not compile, and returns the exact shape it
 * built, so callers read the fields Slipway always sets without optional checks. They are
 * serialised by `toYaml` at the very end.
 */

import type { External } from '../domain/external.ts';
import type { AccessProxySettings } from './access-proxy.ts';

export type Labels = Record<string, string>;

export interface ObjectMeta {
  name: string;
  namespace?: string;
  labels?: Labels;
  annotations?: Record<string, string>;
  finalizers?: string[];
}

/** Any object with a type header; what `toYaml` accepts. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata?: ObjectMeta;
  [field: string]: unknown;
}

/** Inputs beside the spec: the image to run and labels a caller adds (e.g. a team or a run id). */
export interface RenderInput {
  /** A full image reference: `registry/repo:tag`, `registry/repo@sha256:…` or `repo:tag@sha256:…`. */
  image: string;
  /** Extra labels on every object and pod; Slipway's own `app.kubernetes.io/*` labels win on conflict. */
  labels?: Labels;
  /** A private app behind oauth2-proxy: the proxy's settings (its secrets are in a Secret of their own). */
  accessProxy?: AccessProxySettings;
  /** What the app calls outside its pod, beside DNS: the NetworkPolicy allows exactly this egress (see network-policy.ts). */
  egress?: AppEgress;
  /** The app's settings and secrets (see app-config.ts): its env, the Secret it reads, and the checksum that restarts it when they change. */
  config?: RenderedConfig;
  /** Files of the app's manifests folder written by others (its encrypted Secret), by name: listed in its kustomization too. */
  resources?: string[];
}

/** What an app declared it calls: each external it uses, its database, host names. */
export interface AppEgress {
  /** The externals the app uses, as stored (the address is what the policy pins). */
  externals?: readonly External[];
  /** The app has a CloudNativePG database (`<app>-db`). */
  database?: boolean;
  /** Host names of its own, beside the configured `egress.hosts`. */
  hosts?: readonly string[];
}

/** What the Deployment says of an app's configuration: settings by value, secrets by name only. */
export interface RenderedConfig {
  settings: Record<string, string>;
  /** Names of the keys in the Secret `<app>-env`; their values never reach the manifests. */
  secrets: string[];
  /** Changes whenever a setting or a secret's value does (see configChecksum). */
  checksum: string;
}

/** One file for the GitOps repo: a path relative to the repo root and its text. */
export interface RenderedFile {
  path: string;
  content: string;
}

/** A comment written at the end of one line: the line of the scalar at `path` in the object. */
export interface LineComment {
  /** Keys and list indices from the object's root to a scalar, e.g. `['spec', 'template', 'spec', 'containers', 0, 'image']`. */
  path: ReadonlyArray<string | number>;
  /** One line of text, without the leading `#`. */
  text: string;
}

/** One rendered object and the file it goes to, before it is written as YAML. */
export interface RenderedManifest {
  path: string;
  object: KubeObject;
  /** Comments tools read from the file (Flux's image setter marker). */
  lineComments?: LineComment[];
}

/**
 * kustomize's `kustomization.yaml` (`kustomize.config.k8s.io`): a file kustomize reads, not an
 * object of the cluster, so no model package has it.
 */
export interface KustomizeConfig extends KubeObject {
  apiVersion: 'kustomize.config.k8s.io/v1beta1';
  kind: 'Kustomization';
  resources: string[];
}
