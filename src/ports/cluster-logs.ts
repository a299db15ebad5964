import type { LogOptions } from './app-runtime.ts';

/** Reads the output of apps that run on a cluster (the pods of their current rollout). */
export interface ClusterLogs {
  /**
   * The output of every pod of the app's current rollout, each line prefixed `[<pod>] `, merged as
   * the lines arrive. Resolves once every pod's log is open, so a missing app, a rollout without
   * pods or missing permissions reject here rather than end an empty stream. `env` picks the
   * environment whose namespace the app runs in (default: the default environment).
   */
  open(app: string, options: LogOptions & { env?: string }): Promise<AsyncIterable<string>>;
}
