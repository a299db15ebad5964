/**
 * The few fields of Kubernetes, Flux and Argo CD objects the watcher reads. Every field is optional
 * because a status is filled in over time by controllers (and older versions leave some out).
 */

import type { RevisionReached } from '../../ports/watch-stages.ts';

export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown' | string;
  reason?: string;
  message?: string;
  observedGeneration?: number;
  lastTransitionTime?: string;
}

export interface ObjectMeta {
  name?: string;
  namespace?: string;
  uid?: string;
  generation?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: { kind?: string; name?: string; uid?: string; controller?: boolean }[];
  creationTimestamp?: string;
}

export interface GitRepository {
  metadata?: ObjectMeta;
  spec?: { ref?: { branch?: string; tag?: string; commit?: string; name?: string } };
  status?: { observedGeneration?: number; artifact?: { revision?: string; lastUpdateTime?: string }; conditions?: Condition[] };
}

export interface FluxKustomizationObject {
  metadata?: ObjectMeta;
  spec?: { suspend?: boolean; targetNamespace?: string };
  status?: { observedGeneration?: number; lastAppliedRevision?: string; lastAttemptedRevision?: string; conditions?: Condition[] };
}

export interface Deployment {
  metadata?: ObjectMeta;
  spec?: { replicas?: number; selector?: { matchLabels?: Record<string, string> }; paused?: boolean };
  status?: {
    observedGeneration?: number;
    replicas?: number;
    updatedReplicas?: number;
    readyReplicas?: number;
    availableReplicas?: number;
    unavailableReplicas?: number;
    conditions?: Condition[];
  };
}

export interface ReplicaSet {
  metadata?: ObjectMeta;
  status?: { replicas?: number; readyReplicas?: number; availableReplicas?: number };
}

interface ContainerState {
  waiting?: { reason?: string; message?: string };
  terminated?: { reason?: string; message?: string; exitCode?: number };
  running?: { startedAt?: string };
}

export interface ContainerStatus {
  name: string;
  image?: string;
  ready?: boolean;
  restartCount?: number;
  state?: ContainerState;
  lastState?: ContainerState;
}

export interface Pod {
  metadata?: ObjectMeta;
  spec?: { containers?: Array<{ name: string }> };
  status?: { phase?: string; conditions?: Condition[]; containerStatuses?: ContainerStatus[]; initContainerStatuses?: ContainerStatus[] };
}

export interface KubeEvent {
  metadata?: ObjectMeta;
  involvedObject?: { kind?: string; name?: string; namespace?: string };
  reason?: string;
  message?: string;
  type?: string;
  count?: number;
  firstTimestamp?: string | null;
  lastTimestamp?: string | null;
  eventTime?: string | null;
  series?: { count?: number; lastObservedTime?: string };
}

export interface ArgoApplication {
  metadata?: ObjectMeta;
  status?: {
    sync?: { status?: string; revision?: string; revisions?: string[] };
    health?: { status?: string; message?: string };
    operationState?: {
      phase?: string;
      message?: string;
      operation?: { sync?: { revision?: string } };
      syncResult?: { revision?: string };
    };
    conditions?: { type?: string; message?: string }[];
    resources?: { kind?: string; name?: string; namespace?: string; status?: string; health?: { status?: string; message?: string } }[];
  };
}

/** The condition of `type`, if the object reports it. */
export function conditionOf(conditions: readonly Condition[] | undefined, type: string): Condition | undefined {
  return conditions?.find((c) => c.type === type);
}

/**
 * Whether a revision string names `commit`: Flux v2 writes `main@sha1:<sha>`, older Flux
 * `main/<sha>`, Argo CD the bare sha. A short commit (7+ hex digits) matches as a prefix.
 *
 * @example revisionMatches('main@sha1:4f1d3c0e…', '4f1d3c0e…') // true
 */
export function revisionMatches(revision: string | undefined, commit: string): boolean {
  if (!revision) return false;
  const seen = commitOf(revision).toLowerCase();
  const want = commitOf(commit).toLowerCase();
  if (!seen || !want) return false;
  return seen === want || (want.length >= 7 && want.length < seen.length && seen.startsWith(want));
}

export type { RevisionReached } from '../../ports/watch-stages.ts';

/**
 * A `RevisionReached` for `commit`: an exact match, or — when `isAncestor` is given — a later
 * commit that contains it (another push landed right after ours and Flux fetched that one).
 * Only "yes" is remembered: a "no" may turn into a "yes" once the local clone has fetched.
 *
 * @example
 * const reached = revisionReached(sha, (a, d) => git.isAncestor(a, d));
 */
export function revisionReached(commit: string, isAncestor?: (ancestor: string, descendant: string, signal: AbortSignal) => Promise<boolean>): RevisionReached {
  const contains = new Set<string>();
  return async (seen, signal) => {
    if (!seen) return false;
    if (revisionMatches(seen, commit)) return true;
    const later = commitOf(seen).toLowerCase();
    if (!isAncestor || !later) return false;
    if (contains.has(later)) return true;
    const yes = await isAncestor(commit, later, signal).catch(() => false);
    if (yes) contains.add(later);
    return yes;
  };
}

/** The hex commit at the end of a Flux or Argo CD revision string. */
export function commitOf(revision: string): string {
  const match = /(?:^|[@/:])([0-9a-fA-F]{7,64})$/.exec(revision.trim());
  return match?.[1] ?? '';
}

/** `main@sha1:4f1d3c0e1b2a` — long shas cut to 12 digits for one-line details. */
export function shortRevision(revision: string): string {
  const commit = commitOf(revision);
  return commit.length > 12 ? revision.slice(0, revision.length - commit.length) + commit.slice(0, 12) : revision;
}

/** A label selector (`a=b,c=d`) from `matchLabels`, keys sorted. */
export function labelSelector(labels: Record<string, string> | undefined): string {
  return Object.keys(labels ?? {})
    .sort()
    .map((key) => `${key}=${labels![key]}`)
    .join(',');
}
