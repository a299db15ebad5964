import type { AppAccess } from './app-access.ts';
import type { AppConfig } from './app-config.ts';
import type { AppNeeds } from './app-spec.ts';
import type { Version } from './version.ts';

/**
 * The state of a deployed app as Slipway records it. `interrupted` is never stored: it is how an
 * app reads while its latest run is interrupted (see `RunStatus`).
 */
export type AppState = 'deploying' | 'running' | 'stopped' | 'failed' | 'interrupted';

export interface AppRecord {
  name: string;
  description: string;
  template: string;
  /** What made it: `templates` (the offline generator), or `model` and the planner's model, e.g. `model gpt-4.1`. */
  generator?: string;
  /** What its plan says it needs besides its code (absent when nothing): what `env list` shows as needed. */
  needs?: AppNeeds;
  state: AppState;
  url?: string;
  target: 'local' | 'cluster';
  /** Last commit SHAs in the source and GitOps repos. */
  commits: { source?: string; gitops?: string };
  lastRunId: string;
  /** The version it runs now (see `slipway versions`), and the environment it runs in. */
  version?: Version;
  env?: string;
  /** Who may open it (absent in records from before access existed: public). */
  access?: AppAccess;
  /** Its settings and the names of its secrets in the environment it runs in (`env`; absent until it is configured). */
  config?: AppConfig;
  /** The same for every environment it was configured in, by name (see configIn). */
  configs?: Record<string, AppConfig>;
  /** Runtime handle (e.g. pid, port) — adapter-defined, not shown to people. */
  runtime?: Record<string, unknown>;
  createdAt: string;
  updatedAt: string;
}
