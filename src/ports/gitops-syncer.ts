/** What was just pushed to the GitOps repo, so the engine can reconcile it now. */
export interface SyncRequest {
  app: string;
  /** The GitOps commit that must be applied. */
  revision: string;
  branch: string;
  /** The GitOps repo (no credentials), for payloads that name it. */
  repoUrl: string;
  /** Appended to the names of the engine's objects for the app: another environment's are `<name>-<env>`; default ''. */
  objectSuffix?: string;
}

export interface SyncResult {
  /** The engine's name, e.g. `flux`. */
  engine: string;
  /** How the engine was told, e.g. `receiver:github`, `annotation`, `webhook`. */
  method: string;
  /** HTTP status the engine answered with. */
  status: number;
  detail: string;
}

/** Tells the GitOps engine (Flux, Argo CD) to reconcile at once instead of at its next interval. */
export interface GitOpsSyncer {
  readonly name: string;
  sync(request: SyncRequest, signal?: AbortSignal): Promise<SyncResult>;
}
