/** An app a guard stands in front of: its name and the hostname people open it at. */
export interface GuardedApp {
  app: string;
  /** `notes.apps.example.com`, or `apps.example.com/notes` where apps share a hostname under their own paths. */
  host: string;
}

/** What a guard did: the provider's own ids, so a person can find them in its dashboard. */
export interface GuardResult {
  provider: string;
  /** `created`, `updated` or `unchanged` for `protect`; `removed` or `absent` for `unprotect`. */
  action: 'created' | 'updated' | 'unchanged' | 'removed' | 'absent';
  detail: string;
  ids?: Record<string, string>;
}

/**
 * Lets only chosen people open an app, outside the cluster's manifests (Cloudflare Access). Both
 * calls are idempotent: `protect` finds what it made before by the app's hostname and brings it up
 * to date, `unprotect` of an app that was never protected does nothing.
 */
export interface AccessGuard {
  readonly name: string;
  protect(target: GuardedApp, signal?: AbortSignal): Promise<GuardResult>;
  unprotect(target: GuardedApp, signal?: AbortSignal): Promise<GuardResult>;
}
